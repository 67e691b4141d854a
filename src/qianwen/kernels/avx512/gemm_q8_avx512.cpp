#include "qianwen/kernels/avx512/gemm_q8_avx512.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "qianwen/core/half_table.h"

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

namespace {

// One 16-row group of a panel for one 32-value block of Q8_0 / Q4_0 / Q5_0: every quad of codes
// is a 16-lane gather (one dword of each row: the quad layout VNNI multiplies, with no
// transpose), the scales a gather of the half bits and one of the table (exact, like Unpack).
template <DType T>
void PackGroup32(const uint8_t* blk, __m512i rows_off, __mmask16 live, uint8_t* gp) {
  const __m512i zero = _mm512_setzero_si512();
  auto gather = [&](int off) {
    return _mm512_mask_i32gather_epi32(zero, live, rows_off, blk + off, 1);
  };
  const __m512i half_bits = _mm512_and_si512(gather(0), _mm512_set1_epi32(0xFFFF));
  const __m512 sc =
      _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, half_bits, kF16ToF32Table.data(), 4);
  _mm512_store_ps(gp + 32 * 16, sc);
  _mm512_store_ps(gp + 32 * 16 + 64, _mm512_setzero_ps());
  if constexpr (T == DType::kQ8_0) {
    for (int j = 0; j < 8; ++j) {
      const __m512i v =
          _mm512_xor_si512(gather(2 + 4 * j), _mm512_set1_epi8(static_cast<char>(0x80)));
      _mm512_store_si512(gp + 64 * j, _mm512_maskz_mov_epi32(live, v));
    }
  } else {
    constexpr int kQs = T == DType::kQ5_0 ? 6 : 2;
    const __m512i m4 = _mm512_set1_epi8(0x0F);
    __m512i qh = zero;
    // Bytes 0x10 where bit i of a 4-bit index is set, for i = 0..3 (fifth bits of 4 values).
    const __m512i spread =
        _mm512_set_epi32(0x10101010, 0x10101000, 0x10100010, 0x10100000, 0x10001010, 0x10001000,
                         0x10000010, 0x10000000, 0x00101010, 0x00101000, 0x00100010, 0x00100000,
                         0x00001010, 0x00001000, 0x00000010, 0x00000000);
    if constexpr (T == DType::kQ5_0) qh = gather(2);
    for (int j = 0; j < 4; ++j) {
      const __m512i v = gather(kQs + 4 * j);
      __m512i lo = _mm512_and_si512(v, m4);
      __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
      if constexpr (T == DType::kQ5_0) {
        const __m512i f = _mm512_set1_epi32(0xF);
        lo = _mm512_or_si512(lo, _mm512_permutexvar_epi32(
                                     _mm512_and_si512(_mm512_srli_epi32(qh, 4 * j), f), spread));
        hi = _mm512_or_si512(
            hi, _mm512_permutexvar_epi32(_mm512_and_si512(_mm512_srli_epi32(qh, 16 + 4 * j), f),
                                         spread));
      }
      _mm512_store_si512(gp + 64 * j, lo);
      _mm512_store_si512(gp + 64 * (j + 4), hi);
    }
  }
}

}  // namespace

void PackPanelQ8(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                 uint8_t* pan) {
  if ((t != DType::kQ8_0 && t != DType::kQ4_0 && t != DType::kQ5_0) ||
      row_bytes * q8::kGroupRows > (size_t{1} << 30)) {
    q8::PackPanelRef(t, src, row_bytes, rows, kc, pan);
    return;
  }
  const int64_t sb = q8::SubBytes(32), gb = q8::GroupBytes(32);
  const size_t bb = DTypeBlockBytes(t);
  const __m512i lane_off =
      _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                         _mm512_set1_epi32(static_cast<int32_t>(row_bytes)));
  for (int64_t g = 0; g < q8::kPanelRows / q8::kGroupRows; ++g) {
    const int64_t live_rows = std::clamp<int64_t>(rows - g * q8::kGroupRows, 0, q8::kGroupRows);
    const auto live = static_cast<__mmask16>((1u << live_rows) - 1u);
    const uint8_t* grp = src + static_cast<size_t>(g * q8::kGroupRows) * row_bytes;
    for (int64_t b = 0; b < kc / 32; ++b) {
      const uint8_t* blk = grp + static_cast<size_t>(b) * bb;
      uint8_t* gp = pan + b * sb + g * gb;
      switch (t) {
        case DType::kQ8_0:
          PackGroup32<DType::kQ8_0>(blk, lane_off, live, gp);
          break;
        case DType::kQ4_0:
          PackGroup32<DType::kQ4_0>(blk, lane_off, live, gp);
          break;
        default:
          PackGroup32<DType::kQ5_0>(blk, lane_off, live, gp);
          break;
      }
    }
  }
}

}  // namespace qw::kernels::avx512
