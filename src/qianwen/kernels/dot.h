#pragma once
// f32 dot products: the scalar reference and the AVX2 version.

#include <cstdint>

namespace qw::kernels {

float DotRef(const float* a, const float* b, int64_t n);
// y[i] += a * x[i]
void AxpyRef(float a, const float* x, float* y, int64_t n);

namespace avx2 {
float Dot(const float* a, const float* b, int64_t n);
void Axpy(float a, const float* x, float* y, int64_t n);
}  // namespace avx2

}  // namespace qw::kernels
