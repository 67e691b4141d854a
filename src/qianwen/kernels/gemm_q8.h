#pragma once
// Prompt matrix products with 8-bit activations, for block-quantized weights (the trade
// llama.cpp makes on every CPU): each token's activations are quantized to int8 with one float
// scale per 32 values, the weights are unpacked to unsigned 8-bit codes with a float scale (and
// min) per sub-block, and the microkernel multiplies bytes with integer dot-product instructions
// (AVX-512 VNNI: 64 multiply-adds per instruction against 16 for float32 FMA). Integer sums are
// exact; every sub-block's sum is scaled and accumulated in float32.
//
// Accuracy: the activations lose what 8 bits with a per-32 scale lose (relative error about
// 0.4 % per value, below the weights' own 4-8-bit quantization). Float32 (gemm.h) is the
// default; this path runs only with MakeKernelTable's int8_activations (the CLI's --int8).

#include <cstdint>

#include "qianwen/core/dtype.h"

namespace qw::kernels::q8 {

// How a weight type maps to unsigned 8-bit codes u: value = s * (u - offset) (offset types) or
// value = s * u + m (types with a min), with one s (and m) per `sub` consecutive values.
struct Layout {
  int sub = 0;  // 16 or 32; 0: the type has no integer path
  int offset = 0;
  bool has_min = false;
};
Layout LayoutOf(DType t);

constexpr int64_t kGroupRows = 16;  // rows of one group: a 512-bit register of int32 sums
constexpr int64_t kPanelRows = 48;  // rows of one packed panel (three groups)
constexpr int64_t kKc = 512;        // k slice (a multiple of every block, 256)
constexpr int64_t kTb = 16;         // token block
constexpr int64_t kMb = 5;          // panels packed together

// Bytes of one 16-row group for one sub-block: the codes in quads ([sub/4][16 rows][4 bytes],
// the layout VNNI multiplies), then 16 float scales and 16 float mins.
constexpr int64_t GroupBytes(int sub) { return sub * kGroupRows + 2 * kGroupRows * 4; }
constexpr int64_t SubBytes(int sub) { return (kPanelRows / kGroupRows) * GroupBytes(sub); }

// Quantized activations of n tokens, k values each: q[i * k + j]; per sub-block b
// (k / sub of them per token, index i * (k / sub) + b): the scale d of the 32 values it lies in,
// offset * sum(q) over the sub-block (ic, for offset types) and d * sum(q) (fc, for min types).
struct ActsView {
  const int8_t* q;
  const float* d;
  const int32_t* ic;
  const float* fc;
  int64_t ldq;  // k
  int64_t ldc;  // k / sub
  // For 512-bit generation-step row dots, per 64 values (the last group padded with zeros): 16
  // int32 lanes, one per 4 values, where the first lane of each sub-block holds its -ic and the
  // others 0 (the start of the integer sums, so the offset is removed exactly), and 16 floats,
  // each lane the d of its sub-block. nullptr where not prepared (PrepareLanes).
  const int32_t* c16 = nullptr;
  const float* d16 = nullptr;
};

// Fills ActsView::c16 / d16 for one token from its ic and d (k / sub sub-blocks; sub 16 or 32):
// c16 and d16 hold 16 * ceil(k / 64) values each.
void PrepareLanes(const int32_t* ic, const float* d, int64_t k, int sub, int32_t* c16, float* d16);

// Quantizes x [n, k] (row stride ldx, k a multiple of 32) for layout l into q, d, ic, fc (sizes
// as above, rows packed): per 32 values, d = max|x| / 127 and q = round-to-nearest-even(x / d).
using QuantizeFn = void (*)(const float* x, int64_t ldx, int64_t n, int64_t k, const Layout& l,
                            int8_t* q, float* d, int32_t* ic, float* fc);

// y[i * ldy + r] (+)= sum over the panel's nsub sub-blocks, for n tokens and rows < `rows` of a
// packed panel (SubBytes(l.sub) bytes per sub-block). `a` points at the slice's first values.
using PanelFn = void (*)(const Layout& l, const ActsView& a, int64_t n, const uint8_t* panel,
                         int64_t nsub, int64_t rows, float* y, int64_t ldy, bool accumulate);

// The dot of one weight row (k values of the type's blocks) with one token's quantized
// activations (a at the row's first value): the generation-step kernel.
using RowDotFn = float (*)(const void* w, const ActsView& a, int64_t k);

void QuantizeRef(const float* x, int64_t ldx, int64_t n, int64_t k, const Layout& l, int8_t* q,
                 float* d, int32_t* ic, float* fc);
void PanelRef(const Layout& l, const ActsView& a, int64_t n, const uint8_t* panel, int64_t nsub,
              int64_t rows, float* y, int64_t ldy, bool accumulate);

// Unpacks kc values (a multiple of the type's block) of one weight row into codes u[kc] and
// per-sub-block s[kc / sub], m[kc / sub].
void Unpack(DType t, const void* src, int64_t kc, uint8_t* u, float* s, float* m);

// Packs one panel: `rows` (<= kPanelRows; the rest padded with zero codes and scales) weight
// rows of kc (<= kKc) values starting at src (row stride row_bytes) into the layout above.
using PackPanelFn = void (*)(DType t, const uint8_t* src, size_t row_bytes, int64_t rows,
                             int64_t kc, uint8_t* pan);
void PackPanelRef(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                  uint8_t* pan);

// The blocked product over rows [r0, r1) of W (type t with LayoutOf(t).sub != 0, row length k).
void Gemm(DType t, QuantizeFn quantize, PanelFn panel, const float* x, int64_t n, int64_t k,
          const void* w, int64_t r0, int64_t r1, float* y, int64_t ldy,
          PackPanelFn pack = PackPanelRef);

}  // namespace qw::kernels::q8
