#pragma once
// f32 dot products: the scalar reference and the AVX2 version.

#include <cstdint>

namespace qw::kernels {

float DotRef(const float* a, const float* b, int64_t n);

namespace avx2 {
float Dot(const float* a, const float* b, int64_t n);
}

}  // namespace qw::kernels
