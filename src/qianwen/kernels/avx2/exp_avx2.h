#pragma once
// AVX2 row functions built on a vectorized exp (same contracts as kernels/ops.h's SiluMul and
// Softmax, within a few ulp of libm's expf).

#include <cstdint>

namespace qw::kernels::avx2 {

void SiluMul(float* gate, const float* up, int64_t n);
void Softmax(float* x, int64_t n);

}  // namespace qw::kernels::avx2
