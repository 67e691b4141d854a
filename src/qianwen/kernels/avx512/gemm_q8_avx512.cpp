#include "qianwen/kernels/avx512/gemm_q8_avx512.h"

#include <immintrin.h>

#include <cstring>

namespace qw::kernels::avx512 {

void QuantizeQ8(const float* x, int64_t ldx, int64_t n, int64_t k, const q8::Layout& l, int8_t* q,
                float* d, int32_t* ic, float* fc) {
  const __m512 lo = _mm512_set1_ps(-127.0f), hi = _mm512_set1_ps(127.0f);
  const int64_t nsub = k / l.sub;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t b = 0; b < k / 32; ++b) {
      const float* xb = x + i * ldx + b * 32;
      const __m512 x0 = _mm512_loadu_ps(xb), x1 = _mm512_loadu_ps(xb + 16);
      const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(x0), _mm512_abs_ps(x1)));
      const float db = amax / 127.0f;
      const __m512 id = _mm512_set1_ps(db != 0.0f ? 1.0f / db : 0.0f);
      // The same products and clamps as QuantizeRef; conversion rounds to nearest even.
      const __m512i i0 =
          _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(x0, id), lo), hi));
      const __m512i i1 =
          _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(x1, id), lo), hi));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q + i * k + b * 32), _mm512_cvtsepi32_epi8(i0));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q + i * k + b * 32 + 16),
                       _mm512_cvtsepi32_epi8(i1));
      if (l.sub == 32) {
        const int32_t sum = _mm512_reduce_add_epi32(_mm512_add_epi32(i0, i1));
        const int64_t c = i * nsub + b;
        d[c] = db;
        ic[c] = l.offset * sum;
        fc[c] = db * static_cast<float>(sum);
      } else {
        const int32_t sums[2] = {_mm512_reduce_add_epi32(i0), _mm512_reduce_add_epi32(i1)};
        for (int p = 0; p < 2; ++p) {
          const int64_t c = i * nsub + 2 * b + p;
          d[c] = db;
          ic[c] = l.offset * sums[p];
          fc[c] = db * static_cast<float>(sums[p]);
        }
      }
    }
  }
}

namespace {

// T tokens x 48 rows: for every 4 values of a sub-block, three registers of weight codes
// (16 rows x 4 bytes each) meet a broadcast of 4 activation bytes per token in VPDPBUSD; at the
// end of the sub-block the int32 sums are corrected by the offset (or the min term is added),
// converted and scaled into float32 accumulators.
template <int T, int kSub, bool kMin>
void Tile(const q8::ActsView& a, const uint8_t* panel, int64_t nsub, int64_t rows, float* y,
          int64_t ldy, bool accumulate) {
  constexpr int64_t gb = q8::GroupBytes(kSub), sb = q8::SubBytes(kSub);
  __m512 acc[3][T];
  for (int g = 0; g < 3; ++g)
    for (int t = 0; t < T; ++t) acc[g][t] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nsub; ++b) {
    const uint8_t* pb = panel + b * sb;
    const int8_t* qb = a.q + b * kSub;
    __m512i ia[3][T];
    for (int g = 0; g < 3; ++g)
      for (int t = 0; t < T; ++t) ia[g][t] = _mm512_setzero_si512();
    for (int j = 0; j < kSub / 4; ++j) {
      const __m512i w0 = _mm512_load_si512(pb + j * 64);
      const __m512i w1 = _mm512_load_si512(pb + gb + j * 64);
      const __m512i w2 = _mm512_load_si512(pb + 2 * gb + j * 64);
      for (int t = 0; t < T; ++t) {
        int32_t x4;
        std::memcpy(&x4, qb + t * a.ldq + 4 * j, 4);
        const __m512i xv = _mm512_set1_epi32(x4);
        ia[0][t] = _mm512_dpbusd_epi32(ia[0][t], w0, xv);
        ia[1][t] = _mm512_dpbusd_epi32(ia[1][t], w1, xv);
        ia[2][t] = _mm512_dpbusd_epi32(ia[2][t], w2, xv);
      }
    }
    for (int g = 0; g < 3; ++g) {
      const auto* sv = reinterpret_cast<const float*>(pb + g * gb + kSub * q8::kGroupRows);
      const __m512 s = _mm512_load_ps(sv);
      for (int t = 0; t < T; ++t) {
        const int64_t c = t * a.ldc + b;
        __m512i v = ia[g][t];
        if constexpr (!kMin) v = _mm512_sub_epi32(v, _mm512_set1_epi32(a.ic[c]));
        const __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(v), _mm512_set1_ps(a.d[c]));
        acc[g][t] = _mm512_fmadd_ps(f, s, acc[g][t]);
        if constexpr (kMin) {
          acc[g][t] = _mm512_fmadd_ps(_mm512_load_ps(sv + 16), _mm512_set1_ps(a.fc[c]), acc[g][t]);
        }
      }
    }
  }
  for (int g = 0; g < 3; ++g) {
    const int64_t left = rows - 16 * g;
    if (left <= 0) break;
    const __mmask16 m =
        left >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << left) - 1);
    for (int t = 0; t < T; ++t) {
      float* o = y + t * ldy + 16 * g;
      __m512 v = acc[g][t];
      if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, o));
      _mm512_mask_storeu_ps(o, m, v);
    }
  }
}

template <int kSub, bool kMin>
void Panel(const q8::ActsView& a, int64_t n, const uint8_t* panel, int64_t nsub, int64_t rows,
           float* y, int64_t ldy, bool accumulate) {
  constexpr int T = 4;
  int64_t i = 0;
  auto at = [&](int64_t i0) {
    return q8::ActsView{
        a.q + i0 * a.ldq, a.d + i0 * a.ldc, a.ic + i0 * a.ldc, a.fc + i0 * a.ldc, a.ldq, a.ldc};
  };
  for (; i + T <= n; i += T)
    Tile<T, kSub, kMin>(at(i), panel, nsub, rows, y + i * ldy, ldy, accumulate);
  switch (n - i) {
    case 3:
      return Tile<3, kSub, kMin>(at(i), panel, nsub, rows, y + i * ldy, ldy, accumulate);
    case 2:
      return Tile<2, kSub, kMin>(at(i), panel, nsub, rows, y + i * ldy, ldy, accumulate);
    case 1:
      return Tile<1, kSub, kMin>(at(i), panel, nsub, rows, y + i * ldy, ldy, accumulate);
    default:
      return;
  }
}

}  // namespace

void PanelQ8(const q8::Layout& l, const q8::ActsView& a, int64_t n, const uint8_t* panel,
             int64_t nsub, int64_t rows, float* y, int64_t ldy, bool accumulate) {
  if (l.sub == 32) {
    if (l.has_min) return Panel<32, true>(a, n, panel, nsub, rows, y, ldy, accumulate);
    return Panel<32, false>(a, n, panel, nsub, rows, y, ldy, accumulate);
  }
  if (l.has_min) return Panel<16, true>(a, n, panel, nsub, rows, y, ldy, accumulate);
  return Panel<16, false>(a, n, panel, nsub, rows, y, ldy, accumulate);
}

}  // namespace qw::kernels::avx512
