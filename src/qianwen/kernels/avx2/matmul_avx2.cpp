#include "qianwen/kernels/avx2/matmul_avx2.h"

#include "qianwen/core/half.h"
#include "qianwen/kernels/avx2/simd_avx2.h"
#include "qianwen/kernels/simd_matmul.h"

namespace qw::kernels::avx2 {
namespace {
float Same(float f) { return f; }
}  // namespace

void MatmulF32(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy) {
  SimdMatmul<SimdAvx2F16, float, Same>(x, n, k, w, r0, r1, y, ldy);
}
void MatmulF16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy) {
  SimdMatmul<SimdAvx2F16, uint16_t, F16ToF32>(x, n, k, w, r0, r1, y, ldy);
}
void MatmulBf16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                float* y, int64_t ldy) {
  SimdMatmul<SimdAvx2Bf16, uint16_t, Bf16ToF32>(x, n, k, w, r0, r1, y, ldy);
}

}  // namespace qw::kernels::avx2
