#pragma once
// Blocked matrix product for prompts (many tokens): y[i, r] = x[i, :] . W[r, :].
// The k axis is cut into blocks of kKc (row-major panels: rows up to kKcWhole wide in one block,
// KBlock); each slice of kRb weight rows is dequantized once into a float32 panel, kMb panels at
// a time (fewer for wide blocks; they stay in L2), and then each block of kTb tokens (its x
// slice stays in L1) runs across those panels. Panels are stored transposed ([k][kRb], rows
// padded with zeros) for microkernels that multiply row vectors by broadcast activations (the
// BLIS layout: no horizontal sums, AVX-512), or row-major for the AVX2 kernel that sums along
// k (PanelFormat). Accumulation is float32, as everywhere.

#include <cstdint>

#include "qianwen/core/dtype.h"

namespace qw::kernels {

constexpr int64_t kKc = 512;  // k block (a multiple of every quant block, 256)
constexpr int64_t kTb = 8;    // token block
constexpr int64_t kRb = 48;   // rows per dequantized panel (a multiple of 3)
constexpr int64_t kMb = 5;    // panels packed together

// Products of at least this many tokens run through the GEMM (fewer: row dots, kernel_table.h).
constexpr int64_t kMinGemmTokens = 4;
// Rows per slice when a prompt's product is handed to the threads slice by slice (three
// panels: against five, pp512 Q8_0 4-18 % faster in one Zen 3 sitting; docs/PERFORMANCE.md).
constexpr int64_t kPromptSliceRows = 3 * kRb;

// y[i * ldy + r] (+)= sum_j x[i * ldx + j] * P[r][j], i < n, r < rows <= kRb, j < kc <= kKc, with
// the panel P stored transposed (p[j * kRb + r], for kernels that keep rows in registers) or
// row-major (p[r * kc + j], for kernels that sum along k); PanelFormat says which.
using PanelFn = void (*)(const float* x, int64_t ldx, int64_t n, const float* p, int64_t rows,
                         int64_t kc, float* y, int64_t ldy, bool accumulate);

enum class PanelFormat { kTransposed, kRowMajor };

// Row-major panels (the AVX2 kernel, whose 3-row x 4-token tiles each end in horizontal sums)
// take rows of up to kKcWhole values in one k block: Qwen2.5's 896-wide and Qwen3-0.6B's
// 1024-wide rows then end each tile once instead of twice. The panels (kRb x k floats, up to
// 192 KiB) are then packed at most kMb * kKc / k at a time (the same buffer), and prompts hand
// them out one panel per slice (with three, 516 KiB or more, they no longer fit the 512 KiB L2
// of Zen 3). Scratch harness, one thread, 512 tokens, BF16, best of 20 (docs/PERFORMANCE.md):
// 4864 x 896 81.6-83.0 against 72.8-76.8 GFLOP/s, 3072 x 1024 72.2-73.1 against 68.1-68.2.
constexpr int64_t kKcWhole = 1024;

// The k block for rows of k values on panels of format f.
inline int64_t KBlock(PanelFormat f, int64_t k) {
  return f == PanelFormat::kRowMajor && k <= kKcWhole ? k : kKc;
}

// Rows per slice for a prompt's product (kPromptSliceRows; one panel where the k block is
// wider than kKc).
inline int64_t PromptSliceRows(PanelFormat f, int64_t k) {
  return KBlock(f, k) > kKc ? kRb : kPromptSliceRows;
}

void PanelRef(const float* x, int64_t ldx, int64_t n, const float* p, int64_t rows, int64_t kc,
              float* y, int64_t ldy, bool accumulate);
namespace avx2 {
// Row-major panel: 3 rows x 4 tokens summed along k (AVX2 has 16 registers; measured faster
// here than the 16-row x 4-token transposed tile).
void Panel(const float* x, int64_t ldx, int64_t n, const float* p, int64_t rows, int64_t kc,
           float* y, int64_t ldy, bool accumulate);
}  // namespace avx2

// Fills a transposed panel (p[j * kRb + r], rows >= `rows` zero) from `rows` weight rows of type
// t starting at `src` (row stride row_bytes), kc values each; tmp holds kRb * kKc floats.
using PackFn = void (*)(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                        float* tmp, float* p);
void PackTransposedRef(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                       float* tmp, float* p);
namespace avx512 {
// 16 x 16 in-register transposes; F32/F16/BF16/Q8_0/Q4_0/Q5_0/Q4_K/Q6_K rows are widened or
// dequantized straight from the weights, other types through tmp.
void PackTransposed(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                    float* tmp, float* p);
}  // namespace avx512

// Prefetches (to L2) the weight bytes of the panel packed after the one at (kb, rb): the next
// `panel_rows` rows of this k slice, else the first rows (r0) of the next slice (slices of
// `slice` values, weights of type t, rows of row_bytes, k values). Packing touches each row for
// only a few hundred bytes, too short for the hardware prefetchers: without this, the first
// touch of every line waited on DRAM (10 % of a Q8_0 prompt, perf).
void PrefetchNextPanel(DType t, const uint8_t* base, size_t row_bytes, int64_t k, int64_t slice,
                       int64_t kb, int64_t rb, int64_t panel_rows, int64_t r0, int64_t r1);

// The blocked product over rows [r0, r1) of W (dtype t, row length k). `pack` fills transposed
// panels (format kTransposed only).
void Gemm(DType t, PanelFn panel, PanelFormat format, PackFn pack, const float* x, int64_t n,
          int64_t k, const void* w, int64_t r0, int64_t r1, float* y, int64_t ldy);

}  // namespace qw::kernels
