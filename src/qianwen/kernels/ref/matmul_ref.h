#pragma once
// Scalar reference matrix products: the oracle every SIMD path is tested against.

#include <cstdint>

namespace qw::kernels::ref {

void MatmulF32(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy);
void MatmulF16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy);
void MatmulBf16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                float* y, int64_t ldy);

}  // namespace qw::kernels::ref
