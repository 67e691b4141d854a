#pragma once
// AVX2 instantiations of kernels/simd_matmul.h (same contract as kernels::MatmulFn).

#include <cstdint>

namespace qw::kernels::avx2 {

void MatmulF32(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy);
void MatmulF16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy);
void MatmulBf16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                float* y, int64_t ldy);

}  // namespace qw::kernels::avx2
