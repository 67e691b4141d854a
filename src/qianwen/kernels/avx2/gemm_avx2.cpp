#include <immintrin.h>

#include "qianwen/kernels/avx2/simd_avx2.h"
#include "qianwen/kernels/dot.h"
#include "qianwen/kernels/gemm.h"

namespace qw::kernels::avx2 {
namespace {

// Sums of 4 vectors, one float each, as a __m128.
inline __m128 Hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  __m256 ab = _mm256_hadd_ps(a, b);  // a01 a23 b01 b23 | a45 a67 b45 b67
  __m256 cd = _mm256_hadd_ps(c, d);
  __m256 abcd = _mm256_hadd_ps(ab, cd);  // a0123 b0123 c0123 d0123 | a4567 ...
  return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

inline void Store4(float* y, int64_t ldy, __m128 v, bool acc) {
  // v holds 4 tokens' values for one row: y[t * ldy].
  alignas(16) float t[4];
  _mm_store_ps(t, v);
  for (int i = 0; i < 4; ++i) y[i * ldy] = acc ? y[i * ldy] + t[i] : t[i];
}

}  // namespace

void Panel(const float* x, int64_t ldx, int64_t n, const float* p, int64_t rows, int64_t kc,
           float* y, int64_t ldy, bool accumulate) {
  const int64_t kv = kc - kc % 8;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float* x0 = x + i * ldx;
    const float* x1 = x0 + ldx;
    const float* x2 = x1 + ldx;
    const float* x3 = x2 + ldx;
    int64_t r = 0;
    for (; r + 3 <= rows; r += 3) {
      const float* w0 = p + r * kc;
      const float* w1 = w0 + kc;
      const float* w2 = w1 + kc;
      __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a03 = a00;
      __m256 a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      __m256 a20 = a00, a21 = a00, a22 = a00, a23 = a00;
      // Two 8-wide steps per loop iteration (then one where kv is an odd number of steps):
      // one thread's prompt products 6-10 % faster in place (bench --profile, Zen 3; two
      // threads ~2 %, docs/PERFORMANCE.md).
      auto step = [&](int64_t j) {
        const __m256 v0 = _mm256_loadu_ps(w0 + j), v1 = _mm256_loadu_ps(w1 + j),
                     v2 = _mm256_loadu_ps(w2 + j);
        __m256 xv = _mm256_loadu_ps(x0 + j);
        a00 = _mm256_fmadd_ps(v0, xv, a00);
        a10 = _mm256_fmadd_ps(v1, xv, a10);
        a20 = _mm256_fmadd_ps(v2, xv, a20);
        xv = _mm256_loadu_ps(x1 + j);
        a01 = _mm256_fmadd_ps(v0, xv, a01);
        a11 = _mm256_fmadd_ps(v1, xv, a11);
        a21 = _mm256_fmadd_ps(v2, xv, a21);
        xv = _mm256_loadu_ps(x2 + j);
        a02 = _mm256_fmadd_ps(v0, xv, a02);
        a12 = _mm256_fmadd_ps(v1, xv, a12);
        a22 = _mm256_fmadd_ps(v2, xv, a22);
        xv = _mm256_loadu_ps(x3 + j);
        a03 = _mm256_fmadd_ps(v0, xv, a03);
        a13 = _mm256_fmadd_ps(v1, xv, a13);
        a23 = _mm256_fmadd_ps(v2, xv, a23);
      };
      int64_t j = 0;
      for (; j + 16 <= kv; j += 16) {
        step(j);
        step(j + 8);
      }
      if (j < kv) step(j);
      __m128 s0 = Hsum4(a00, a01, a02, a03), s1 = Hsum4(a10, a11, a12, a13),
             s2 = Hsum4(a20, a21, a22, a23);
      if (kv < kc) {
        alignas(16) float t0[4], t1[4], t2[4];
        _mm_store_ps(t0, s0);
        _mm_store_ps(t1, s1);
        _mm_store_ps(t2, s2);
        const float* xs[4] = {x0, x1, x2, x3};
        for (int t = 0; t < 4; ++t) {
          for (int64_t j = kv; j < kc; ++j) {
            t0[t] += xs[t][j] * w0[j];
            t1[t] += xs[t][j] * w1[j];
            t2[t] += xs[t][j] * w2[j];
          }
        }
        s0 = _mm_load_ps(t0);
        s1 = _mm_load_ps(t1);
        s2 = _mm_load_ps(t2);
      }
      Store4(y + i * ldy + r, ldy, s0, accumulate);
      Store4(y + i * ldy + r + 1, ldy, s1, accumulate);
      Store4(y + i * ldy + r + 2, ldy, s2, accumulate);
    }
    for (; r < rows; ++r) {  // leftover rows
      for (int t = 0; t < 4; ++t) {
        float s = Dot(x + (i + t) * ldx, p + r * kc, kc);
        float* o = y + (i + t) * ldy + r;
        *o = accumulate ? *o + s : s;
      }
    }
  }
  for (; i < n; ++i) {  // leftover tokens
    for (int64_t r = 0; r < rows; ++r) {
      float s = Dot(x + i * ldx, p + r * kc, kc);
      float* o = y + i * ldy + r;
      *o = accumulate ? *o + s : s;
    }
  }
}

}  // namespace qw::kernels::avx2
