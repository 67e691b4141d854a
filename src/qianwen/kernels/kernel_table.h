#pragma once
// The table of compute kernels, filled once from the CPU's features (QW_ISA=scalar|avx2|avx512
// caps it)
// and passed to whoever computes. Every entry has a scalar reference in ref/; SIMD variants must
// agree with it within a stated tolerance (tests/kernels).

#include <cstdint>
#include <string>

#include "qianwen/core/dtype.h"
#include "qianwen/core/status.h"
#include "qianwen/kernels/gemm.h"

namespace qw::kernels {

enum class Isa { kScalar = 0, kAvx2 = 1, kAvx512 = 2 };

const char* IsaName(Isa isa);
// What this CPU can run (AVX2 needs AVX2, FMA and F16C; AVX-512 needs F, BW, VL and DQ too).
Isa DetectIsa();
// Parses "scalar" / "avx2" / "avx512"; error names the bad value.
Result<Isa> ParseIsa(const std::string& name);

// y[i * ldy + r] = sum_j x[i * k + j] * w[r * k + j] for tokens i in [0, n), rows r in [r0, r1).
// x: [n, k] f32; w: [rows, k] in the kernel's weight type; accumulation in f32.
using MatmulFn = void (*)(const float* x, int64_t n, int64_t k, const void* w, int64_t r0,
                          int64_t r1, float* y, int64_t ldy);

constexpr int kNumDTypes = static_cast<int>(DType::kQ6_K) + 1;

struct KernelTable {
  Isa isa = Isa::kScalar;
  MatmulFn matmul[kNumDTypes] = {};  // by weight dtype; nullptr where unsupported
  float (*dot)(const float* a, const float* b, int64_t n) = nullptr;
  void (*axpy)(float a, const float* x, float* y, int64_t n) = nullptr;  // y += a * x
  void (*silu_mul)(float* gate, const float* up, int64_t n) = nullptr;   // gate = silu(gate) * up
  void (*softmax)(float* x, int64_t n) = nullptr;                        // in place, n >= 1
  // Whether products with block-quantized weights run with 8-bit activations (gemm_q8.h).
  bool int8_activations = false;
  // Whether generation steps (fewer than 4 tokens) with block-quantized weights quantize their
  // activations to 16 bits (q16.h); prompts stay float32.
  bool int16_decode = false;
  // The layout of the float32 prompt GEMM's panels (gemm.h: row-major on AVX2 tables), which
  // sets its k blocks and the rows per prompt slice (PromptSliceRows).
  PanelFormat prompt_panels = PanelFormat::kTransposed;

  // The matmul for a weight dtype, nullptr if none.
  MatmulFn MatmulFor(DType weight_type) const { return matmul[static_cast<int>(weight_type)]; }
};

// Whether this CPU has AVX-512 VNNI (the integer dot product of the 8-bit prompt path).
bool HasAvx512Vnni();

// The best table for `cap` that this CPU supports (never above DetectIsa()). With
// int8_activations, products with block-quantized weights quantize their activations to 8 bits
// where the ISA has an integer kernel for the type (as llama.cpp does): generation steps with
// AVX2 or AVX-512 VNNI, prompts with AVX-512 VNNI. Otherwise, on AVX2 tables (no AVX-512),
// generation steps with Q8_0, Q4_0, Q5_0, Q4_K and Q6_K weights use 16-bit activations
// (q16.h) unless float32_decode; everything else computes in float32.
KernelTable MakeKernelTable(Isa cap, bool int8_activations = false, bool float32_decode = false);
// MakeKernelTable capped by the QW_ISA environment variable when set (error if unknown).
Result<KernelTable> MakeKernelTableFromEnv(bool int8_activations = false,
                                           bool float32_decode = false);

}  // namespace qw::kernels
