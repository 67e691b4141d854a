#include "qianwen/kernels/avx512/kernels_avx512.h"

#include <cmath>

#include "qianwen/core/half.h"
#include "qianwen/kernels/avx512/simd_avx512.h"
#include "qianwen/kernels/gemm.h"
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

constexpr int kPanelRows = 48;  // = kRb: three 16-lane registers of weight rows

// T tokens x 48 rows with the panel transposed (pt[j * 48 + r]): for each k, three row vectors
// are multiplied by broadcast activations, so the 3*T accumulators hold whole rows of y and no
// horizontal sums are needed (the BLIS layout).
template <int T>
void TileT(const float* x, int64_t ldx, const float* pt, int64_t kc, int64_t rows, float* y,
           int64_t ldy, bool accumulate) {
  __m512 acc[3][T];
  for (int q = 0; q < 3; ++q)
    for (int t = 0; t < T; ++t) acc[q][t] = _mm512_setzero_ps();
  for (int64_t j = 0; j < kc; ++j) {
    const float* wj = pt + j * kPanelRows;
    const __m512 w0 = _mm512_loadu_ps(wj), w1 = _mm512_loadu_ps(wj + 16),
                 w2 = _mm512_loadu_ps(wj + 32);
    for (int t = 0; t < T; ++t) {
      const __m512 xv = _mm512_set1_ps(x[t * ldx + j]);
      acc[0][t] = _mm512_fmadd_ps(w0, xv, acc[0][t]);
      acc[1][t] = _mm512_fmadd_ps(w1, xv, acc[1][t]);
      acc[2][t] = _mm512_fmadd_ps(w2, xv, acc[2][t]);
    }
  }
  for (int q = 0; q < 3; ++q) {
    const int64_t left = rows - 16 * q;
    if (left <= 0) break;
    const __mmask16 m =
        left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1);
    for (int t = 0; t < T; ++t) {
      float* o = y + t * ldy + 16 * q;
      __m512 v = acc[q][t];
      if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, o));
      _mm512_mask_storeu_ps(o, m, v);
    }
  }
}

// The last n < 8 tokens: the tile instantiated for exactly n.
template <int T>
void TailTile(int64_t n, const float* x, int64_t ldx, const float* pt, int64_t kc, int64_t rows,
              float* y, int64_t ldy, bool accumulate) {
  if constexpr (T > 0) {
    if (n == T) {
      TileT<T>(x, ldx, pt, kc, rows, y, ldy, accumulate);
    } else {
      TailTile<T - 1>(n, x, ldx, pt, kc, rows, y, ldy, accumulate);
    }
  }
}

}  // namespace

void Panel(const float* x, int64_t ldx, int64_t n, const float* p, int64_t rows, int64_t kc,
           float* y, int64_t ldy, bool accumulate) {
  const float* pt = p;  // already [kc][48] (gemm.h)
  constexpr int T = 8;
  int64_t i = 0;
  for (; i + T <= n; i += T) TileT<T>(x + i * ldx, ldx, pt, kc, rows, y + i * ldy, ldy, accumulate);
  TailTile<T - 1>(n - i, x + i * ldx, ldx, pt, kc, rows, y + i * ldy, ldy, accumulate);
}

namespace {

// exp(x) for 16 floats: x = n ln2 + r, |r| <= ln2 / 2, a degree-6 polynomial for e^r (Cephes'
// expf coefficients), then scaling by 2^n; 0 below -87.3 (and for NaN), so masked scores vanish.
inline __m512 Exp(__m512 x) {
  const __mmask16 ok = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-87.3f), _CMP_GE_OQ);  // else 0
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 y = _mm512_set1_ps(1.9875691500e-4f);
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.3981999507e-3f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(8.3334519073e-3f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(4.1665795894e-2f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.6666665459e-1f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(5.0000001201e-1f));
  y = _mm512_fmadd_ps(y, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_maskz_scalef_ps(ok, y, n);
}

}  // namespace

void SiluMul(float* gate, const float* up, int64_t n) {
  int64_t i = 0;
  const __m512 one = _mm512_set1_ps(1.0f);
  for (; i < n; i += 16) {
    const __mmask16 m =
        n - i >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 g = _mm512_maskz_loadu_ps(m, gate + i);
    const __m512 e = Exp(_mm512_sub_ps(_mm512_setzero_ps(), g));
    const __m512 s = _mm512_div_ps(g, _mm512_add_ps(one, e));
    _mm512_mask_storeu_ps(gate + i, m, _mm512_mul_ps(s, _mm512_maskz_loadu_ps(m, up + i)));
  }
}

void Softmax(float* x, int64_t n) {
  auto mask = [&](int64_t i) {
    return n - i >= 16 ? static_cast<__mmask16>(0xffff)
                       : static_cast<__mmask16>((1u << (n - i)) - 1);
  };
  const __m512 ninf = _mm512_set1_ps(-INFINITY);
  __m512 mv = ninf;
  for (int64_t i = 0; i < n; i += 16)
    mv = _mm512_max_ps(mv, _mm512_mask_loadu_ps(ninf, mask(i), x + i));
  const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(mv));
  __m512 sv = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = mask(i);
    const __m512 e = Exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(k, x + i), m));
    _mm512_mask_storeu_ps(x + i, k, e);
    sv = _mm512_mask_add_ps(sv, k, sv, e);
  }
  const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sv));
  for (int64_t i = 0; i < n; i += 16) {
    const __mmask16 k = mask(i);
    _mm512_mask_storeu_ps(x + i, k, _mm512_mul_ps(_mm512_maskz_loadu_ps(k, x + i), inv));
  }
}

}  // namespace qw::kernels::avx512
