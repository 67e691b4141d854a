// The 8-bit-activation prompt panel for AVX2 without VNNI (q8::PanelFn, gemm_q8.h): VPMADDUBSW
// multiplies the unsigned weight codes by the signed activation bytes and adds pairs into
// int16, the products of two quads are added in int16, and VPMADDWD by ones widens them to
// int32. That is exact while 4 * code * 127 < 32768, i.e. for codes up to 64: every block type
// but Q8_0 (codes up to 255), which goes to the reference here and keeps its float32 GEMM in
// the kernel table.

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "qianwen/kernels/avx2/rowdot_q8_avx2.h"

namespace qw::kernels::avx2 {
namespace {

// T tokens x the panel's rows, one 16-row group at a time (two registers of 8 int32 sums per
// token); per sub-block the sums are corrected by the offset (or the min term added), converted
// and scaled into float32 accumulators, as the reference does.
template <int T, int kSub, bool kMin>
void Tile(const q8::ActsView& a, const uint8_t* panel, int64_t nsub, int64_t rows, float* y,
          int64_t ldy, bool accumulate) {
  constexpr int64_t gb = q8::GroupBytes(kSub), sb = q8::SubBytes(kSub);
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t g = 0; g < q8::kPanelRows / q8::kGroupRows; ++g) {
    const int64_t left = rows - q8::kGroupRows * g;
    if (left <= 0) break;
    __m256 acc[2][T];
    for (int h = 0; h < 2; ++h)
      for (int t = 0; t < T; ++t) acc[h][t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nsub; ++b) {
      const uint8_t* pb = panel + b * sb + g * gb;
      const int8_t* qb = a.q + b * kSub;
      __m256i ia[2][T];
      for (int h = 0; h < 2; ++h)
        for (int t = 0; t < T; ++t) ia[h][t] = _mm256_setzero_si256();
      for (int j = 0; j < kSub / 4; j += 2) {
        __m256i x0[T], x1[T];
        for (int t = 0; t < T; ++t) {
          int32_t v[2];
          std::memcpy(v, qb + t * a.ldq + 4 * j, 8);
          x0[t] = _mm256_set1_epi32(v[0]);
          x1[t] = _mm256_set1_epi32(v[1]);
        }
        for (int h = 0; h < 2; ++h) {  // rows 8h .. 8h + 7 of the group
          const __m256i w0 =
              _mm256_load_si256(reinterpret_cast<const __m256i*>(pb + j * 64 + 32 * h));
          const __m256i w1 =
              _mm256_load_si256(reinterpret_cast<const __m256i*>(pb + (j + 1) * 64 + 32 * h));
          for (int t = 0; t < T; ++t) {
            const __m256i p =
                _mm256_add_epi16(_mm256_maddubs_epi16(w0, x0[t]), _mm256_maddubs_epi16(w1, x1[t]));
            ia[h][t] = _mm256_add_epi32(ia[h][t], _mm256_madd_epi16(p, ones));
          }
        }
      }
      const auto* sv = reinterpret_cast<const float*>(pb + kSub * q8::kGroupRows);
      for (int h = 0; h < 2; ++h) {
        const __m256 s = _mm256_load_ps(sv + 8 * h);
        for (int t = 0; t < T; ++t) {
          const int64_t c = t * a.ldc + b;
          __m256i v = ia[h][t];
          if constexpr (!kMin) v = _mm256_sub_epi32(v, _mm256_set1_epi32(a.ic[c]));
          const __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(v), _mm256_set1_ps(a.d[c]));
          acc[h][t] = _mm256_fmadd_ps(f, s, acc[h][t]);
          if constexpr (kMin) {
            acc[h][t] = _mm256_fmadd_ps(_mm256_load_ps(sv + 16 + 8 * h), _mm256_set1_ps(a.fc[c]),
                                        acc[h][t]);
          }
        }
      }
    }
    for (int h = 0; h < 2; ++h) {
      const int64_t live = std::min<int64_t>(8, left - 8 * h);
      if (live <= 0) break;
      for (int t = 0; t < T; ++t) {
        float* o = y + t * ldy + q8::kGroupRows * g + 8 * h;
        if (live == 8) {
          __m256 v = acc[h][t];
          if (accumulate) v = _mm256_add_ps(v, _mm256_loadu_ps(o));
          _mm256_storeu_ps(o, v);
        } else {
          alignas(32) float tmp[8];
          _mm256_store_ps(tmp, acc[h][t]);
          for (int64_t r = 0; r < live; ++r) o[r] = accumulate ? o[r] + tmp[r] : tmp[r];
        }
      }
    }
  }
}

template <int kSub, bool kMin>
void Panel(const q8::ActsView& a, int64_t n, const uint8_t* panel, int64_t nsub, int64_t rows,
           float* y, int64_t ldy, bool accumulate) {
  constexpr int T = 2;
  auto at = [&](int64_t i0) {
    return q8::ActsView{
        a.q + i0 * a.ldq, a.d + i0 * a.ldc, a.ic + i0 * a.ldc, a.fc + i0 * a.ldc, a.ldq, a.ldc};
  };
  int64_t i = 0;
  for (; i + T <= n; i += T)
    Tile<T, kSub, kMin>(at(i), panel, nsub, rows, y + i * ldy, ldy, accumulate);
  for (; i < n; ++i) Tile<1, kSub, kMin>(at(i), panel, nsub, rows, y + i * ldy, ldy, accumulate);
}

}  // namespace

void QuantizeQ8(const float* x, int64_t ldx, int64_t n, int64_t k, const q8::Layout& l, int8_t* q,
                float* d, int32_t* ic, float* fc) {
  // QuantizeRef's operations eight lanes at a time (the scalar one was a fifth of an AVX2 int8
  // prompt): the same max, quotient, product and clamps; the conversion rounds to nearest even.
  const __m256 lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const int64_t nsub = k / l.sub;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t b = 0; b < k / 32; ++b) {
      const float* xb = x + i * ldx + b * 32;
      __m256 v[4], m = _mm256_setzero_ps();
      for (int p = 0; p < 4; ++p) {
        v[p] = _mm256_loadu_ps(xb + 8 * p);
        m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[p]));
      }
      __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
      m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
      m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
      const float db = _mm_cvtss_f32(m4) / 127.0f;
      const __m256 id = _mm256_set1_ps(db != 0.0f ? 1.0f / db : 0.0f);
      __m256i iv[4];
      for (int p = 0; p < 4; ++p)
        iv[p] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(v[p], id), lo), hi));
      // int32 -> int8 in value order (the packs interleave 128-bit lanes; the permute undoes it).
      const __m256i w01 = _mm256_packs_epi32(iv[0], iv[1]), w23 = _mm256_packs_epi32(iv[2], iv[3]);
      const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(w01, w23),
                                                        _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + i * k + b * 32), bytes);
      const int per = 32 / l.sub;
      for (int p = 0; p < per; ++p) {
        __m256i s = l.sub == 32 ? _mm256_add_epi32(_mm256_add_epi32(iv[0], iv[1]),
                                                   _mm256_add_epi32(iv[2], iv[3]))
                                : _mm256_add_epi32(iv[2 * p], iv[2 * p + 1]);
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
        const int32_t sum = _mm_cvtsi128_si32(s4);
        const int64_t c = i * nsub + b * per + p;
        d[c] = db;
        ic[c] = l.offset * sum;
        fc[c] = db * static_cast<float>(sum);
      }
    }
  }
}

void PanelQ8(const q8::Layout& l, const q8::ActsView& a, int64_t n, const uint8_t* panel,
             int64_t nsub, int64_t rows, float* y, int64_t ldy, bool accumulate) {
  if (l.offset > 64) {  // Q8_0: codes up to 255 would saturate VPMADDUBSW's int16 pairs
    q8::PanelRef(l, a, n, panel, nsub, rows, y, ldy, accumulate);
    return;
  }
  if (l.sub == 32) {
    if (l.has_min) return Panel<32, true>(a, n, panel, nsub, rows, y, ldy, accumulate);
    return Panel<32, false>(a, n, panel, nsub, rows, y, ldy, accumulate);
  }
  if (l.has_min) return Panel<16, true>(a, n, panel, nsub, rows, y, ldy, accumulate);
  return Panel<16, false>(a, n, panel, nsub, rows, y, ldy, accumulate);
}

}  // namespace qw::kernels::avx2
