#include "qianwen/kernels/ref/matmul_ref.h"

#include "qianwen/core/half.h"

namespace qw::kernels::ref {
namespace {

template <typename W, float (*Conv)(W)>
void MatmulT(const float* x, int64_t n, int64_t k, const void* wv, int64_t r0, int64_t r1, float* y,
             int64_t ldy) {
  const W* w = static_cast<const W*>(wv);
  for (int64_t r = r0; r < r1; ++r) {
    const W* row = w + r * k;
    for (int64_t i = 0; i < n; ++i) {
      const float* xi = x + i * k;
      float acc = 0.0f;
      for (int64_t j = 0; j < k; ++j) acc += xi[j] * Conv(row[j]);
      y[i * ldy + r] = acc;
    }
  }
}

float Same(float f) { return f; }

}  // namespace

void MatmulF32(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy) {
  MatmulT<float, Same>(x, n, k, w, r0, r1, y, ldy);
}
void MatmulF16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy) {
  MatmulT<uint16_t, F16ToF32>(x, n, k, w, r0, r1, y, ldy);
}
void MatmulBf16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                float* y, int64_t ldy) {
  MatmulT<uint16_t, Bf16ToF32>(x, n, k, w, r0, r1, y, ldy);
}

}  // namespace qw::kernels::ref
