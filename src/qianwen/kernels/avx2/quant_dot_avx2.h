#pragma once
// AVX2 dot products of one block-quantized weight row with float32 activations, dequantizing
// in registers (no scratch row): the decode path, which streams every weight once per token.

#include <cstdint>

namespace qw::kernels::avx2 {

float DotQ8_0(const void* w, const float* x, int64_t k);
float DotQ4_0(const void* w, const float* x, int64_t k);
float DotQ5_0(const void* w, const float* x, int64_t k);
// xsum: the token's sums of x per 32 values (k / 32 of them), for the blocks' mins.
float DotQ4_K(const void* w, const float* x, const float* xsum, int64_t k);
float DotQ6_K(const void* w, const float* x, int64_t k);

}  // namespace qw::kernels::avx2
