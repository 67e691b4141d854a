#include "qianwen/kernels/avx512/kernels_avx512.h"

#include "qianwen/core/half.h"
#include "qianwen/kernels/avx512/simd_avx512.h"
#include "qianwen/kernels/simd_matmul.h"

namespace qw::kernels::avx512 {
namespace {
float Same(float f) { return f; }
}  // namespace

void MatmulF32(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy) {
  SimdMatmul<SimdAvx512F16, float, Same>(x, n, k, w, r0, r1, y, ldy);
}
void MatmulF16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
               float* y, int64_t ldy) {
  SimdMatmul<SimdAvx512F16, uint16_t, F16ToF32>(x, n, k, w, r0, r1, y, ldy);
}
void MatmulBf16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                float* y, int64_t ldy) {
  SimdMatmul<SimdAvx512Bf16, uint16_t, Bf16ToF32>(x, n, k, w, r0, r1, y, ldy);
}

float Dot(const float* a, const float* b, int64_t n) {
  __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
  }
  for (; i + 16 <= n; i += 16)
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
  if (i < n) {  // masked tail
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
}

void Axpy(float a, const float* x, float* y, int64_t n) {
  const __m512 va = _mm512_set1_ps(a);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(
        y + i, m,
        _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i)));
  }
}

namespace {

// One register tile: 4 weight rows x 4 tokens, 16 accumulators; k a multiple of 16.
inline void Tile4x4(const float* x, int64_t ldx, const float* p, int64_t kc, int64_t kv,
                    float out[4][4]) {
  const float* w0 = p;
  const float* w1 = p + kc;
  const float* w2 = p + 2 * kc;
  const float* w3 = p + 3 * kc;
  const float* x0 = x;
  const float* x1 = x + ldx;
  const float* x2 = x + 2 * ldx;
  const float* x3 = x + 3 * ldx;
  __m512 a00 = _mm512_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00,
         a12 = a00, a13 = a00, a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00,
         a32 = a00, a33 = a00;
  for (int64_t j = 0; j < kv; j += 16) {
    const __m512 v0 = _mm512_loadu_ps(w0 + j), v1 = _mm512_loadu_ps(w1 + j),
                 v2 = _mm512_loadu_ps(w2 + j), v3 = _mm512_loadu_ps(w3 + j);
    __m512 xv = _mm512_loadu_ps(x0 + j);
    a00 = _mm512_fmadd_ps(v0, xv, a00);
    a10 = _mm512_fmadd_ps(v1, xv, a10);
    a20 = _mm512_fmadd_ps(v2, xv, a20);
    a30 = _mm512_fmadd_ps(v3, xv, a30);
    xv = _mm512_loadu_ps(x1 + j);
    a01 = _mm512_fmadd_ps(v0, xv, a01);
    a11 = _mm512_fmadd_ps(v1, xv, a11);
    a21 = _mm512_fmadd_ps(v2, xv, a21);
    a31 = _mm512_fmadd_ps(v3, xv, a31);
    xv = _mm512_loadu_ps(x2 + j);
    a02 = _mm512_fmadd_ps(v0, xv, a02);
    a12 = _mm512_fmadd_ps(v1, xv, a12);
    a22 = _mm512_fmadd_ps(v2, xv, a22);
    a32 = _mm512_fmadd_ps(v3, xv, a32);
    xv = _mm512_loadu_ps(x3 + j);
    a03 = _mm512_fmadd_ps(v0, xv, a03);
    a13 = _mm512_fmadd_ps(v1, xv, a13);
    a23 = _mm512_fmadd_ps(v2, xv, a23);
    a33 = _mm512_fmadd_ps(v3, xv, a33);
  }
  const __m512 acc[4][4] = {
      {a00, a01, a02, a03}, {a10, a11, a12, a13}, {a20, a21, a22, a23}, {a30, a31, a32, a33}};
  for (int q = 0; q < 4; ++q)
    for (int t = 0; t < 4; ++t) out[q][t] = _mm512_reduce_add_ps(acc[q][t]);
  for (int64_t j = kv; j < kc; ++j) {  // tail (k not a multiple of 16)
    const float* ws[4] = {w0, w1, w2, w3};
    const float* xs[4] = {x0, x1, x2, x3};
    for (int q = 0; q < 4; ++q)
      for (int t = 0; t < 4; ++t) out[q][t] += ws[q][j] * xs[t][j];
  }
}

}  // namespace

void Panel(const float* x, int64_t ldx, int64_t n, const float* p, int64_t rows, int64_t kc,
           float* y, int64_t ldy, bool accumulate) {
  const int64_t kv = kc - kc % 16;
  auto put = [&](float* o, float s) { *o = accumulate ? *o + s : s; };
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    int64_t r = 0;
    for (; r + 4 <= rows; r += 4) {
      float out[4][4];
      Tile4x4(x + i * ldx, ldx, p + r * kc, kc, kv, out);
      for (int q = 0; q < 4; ++q)
        for (int t = 0; t < 4; ++t) put(y + (i + t) * ldy + r + q, out[q][t]);
    }
    for (; r < rows; ++r)
      for (int t = 0; t < 4; ++t)
        put(y + (i + t) * ldy + r, Dot(x + (i + t) * ldx, p + r * kc, kc));
  }
  for (; i < n; ++i)
    for (int64_t r = 0; r < rows; ++r) put(y + i * ldy + r, Dot(x + i * ldx, p + r * kc, kc));
}

}  // namespace qw::kernels::avx512
