#pragma once
// AVX-512 kernels (same contracts as their scalar references and AVX2 versions).

#include <cstdint>

namespace qw::kernels::avx512 {

void MatmulF32(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy);
void MatmulF16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy);
void MatmulBf16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                float* y, int64_t ldy);
float Dot(const float* a, const float* b, int64_t n);
void Axpy(float a, const float* x, float* y, int64_t n);
void Panel(const float* x, int64_t ldx, int64_t n, const float* p, int64_t rows, int64_t kc,
           float* y, int64_t ldy, bool accumulate);

// gate[i] = silu(gate[i]) * up[i] with a Cephes-style expf (within 2 ulp of libm's).
void SiluMul(float* gate, const float* up, int64_t n);
void Softmax(float* x, int64_t n);
float DotQ8_0(const void* w, const float* x, int64_t k);
float DotQ5_0(const void* w, const float* x, int64_t k);
// xsum: the token's sums of x per 32 values (k / 32 of them), for the blocks' mins.
float DotQ4_K(const void* w, const float* x, const float* xsum, int64_t k);
float DotQ6_K(const void* w, const float* x, int64_t k);

}  // namespace qw::kernels::avx512
