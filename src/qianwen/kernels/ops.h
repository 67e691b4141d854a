#pragma once
// Element-wise and row-wise operations of the forward pass, scalar reference versions. They are
// a small share of the time next to the matrix products; SIMD versions join the KernelTable when
// measurement says they matter.

#include <cstdint>

#include "qianwen/core/dtype.h"

namespace qw::kernels {

// out = x * rsqrt(mean(x^2) + eps) * weight, over one row of n. weight in `wtype` (F32/F16/BF16).
void RmsNorm(const float* x, const void* weight, DType wtype, int64_t n, float eps, float* out);

// Widens one row of n stored values to f32.
void ToF32(const void* src, DType type, int64_t n, float* dst);

// HF rotate-half RoPE on one head of dim d: pairs (j, j + d/2) rotated by the angle whose cos and
// sin are cos[j], sin[j] (j < d/2).
void RopeRotateHalf(float* x, int64_t d, const float* cos, const float* sin);

// In-place softmax over n values (max-subtracted, f32).
void Softmax(float* x, int64_t n);

// gate[i] = silu(gate[i]) * up[i].
void SiluMul(float* gate, const float* up, int64_t n);

// y[i] += x[i].
void Add(float* y, const float* x, int64_t n);

}  // namespace qw::kernels
