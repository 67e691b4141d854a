// The 8-bit-activation row dots for generation steps with AVX-512 VNNI's VPDPBUSD, 64 values
// per instruction: two 32-value blocks for Q8_0, Q4_0 and Q5_0, two sub-blocks for Q4_K, four for
// Q6_K. The integer sums start from the prepared offset corrections (ActsView::c16) and the
// scales come from the prepared activation scales (d16), so per 64 values the float work is one
// conversion, one scale product and one FMA (the 256-bit template had carried a scalar
// correction chain per block, about 4 cycles each).

#include <immintrin.h>

#include <cstring>

#include "qianwen/core/half_table.h"
#include "qianwen/kernels/avx512/gemm_q8_avx512.h"
#include "qianwen/kernels/q8_rowdot_impl.h"

namespace qw::kernels::avx512 {
namespace {

using quant::BlockQ4_0;
using quant::BlockQ5_0;
using quant::BlockQ8_0;

// acc + (int32 sums of blocks i, i + 1) * (the weights' d of each) * (the activations' d).
inline __m512 Scale(__m512i isum, uint16_t da, uint16_t db, const float* d16, __m512 acc) {
  const __m512 dw = _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(F16ToF32Table(da)),
                                         _mm512_set1_ps(F16ToF32Table(db)));
  return _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_mul_ps(dw, _mm512_loadu_ps(d16)), acc);
}

// The codes of the 16-byte Q4_0 / Q5_0 nibble arrays of blocks a and b, in value order: bytes
// [a & 15, a >> 4, b & 15, b >> 4] (16 each).
inline __m512i Nibbles2(const uint8_t* a, const uint8_t* b) {
  const __m256i ra =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a)));
  const __m256i rb =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b)));
  __m512i v = _mm512_inserti64x4(_mm512_castsi256_si512(ra), rb, 1);
  v = _mm512_mask_srli_epi16(v, 0xFF00FF00u, v, 4);
  return _mm512_and_si512(v, _mm512_set1_epi8(0x0F));
}

// Rows of 32-value blocks, two per step; the last block of an odd count pairs with itself and
// zero activations (masked load), so nothing past the row or the activations is read.
template <class B, class Codes>
float PairDot(const B* b, const q8::ActsView& a, int64_t k, Codes codes) {
  const int64_t nb = k / 32;
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  auto pair = [&](int64_t i, const B& second, __mmask64 xmask, __m512 acc) {
    const __m512i x = _mm512_maskz_loadu_epi8(xmask, a.q + 32 * i);
    const __m512i isum =
        _mm512_dpbusd_epi32(_mm512_loadu_si512(a.c16 + 8 * i), codes(b[i], second), x);
    return Scale(isum, b[i].d, second.d, a.d16 + 8 * i, acc);
  };
  int64_t i = 0;
  for (; i + 4 <= nb; i += 4) {
    acc0 = pair(i, b[i + 1], ~__mmask64{0}, acc0);
    acc1 = pair(i + 2, b[i + 3], ~__mmask64{0}, acc1);
  }
  if (i + 2 <= nb) {
    acc0 = pair(i, b[i + 1], ~__mmask64{0}, acc0);
    i += 2;
  }
  if (i < nb) acc1 = pair(i, b[i], 0xFFFFFFFFull, acc1);
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

}  // namespace

float RowDotQ8_0(const void* w, const q8::ActsView& a, int64_t k) {
  // Codes u = q + 128 (the sign bit flipped); c16 removes 128 * sum(x).
  return PairDot(
      static_cast<const BlockQ8_0*>(w), a, k, [](const BlockQ8_0& x, const BlockQ8_0& y) {
        const __m512i v = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs))),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y.qs)), 1);
        return _mm512_xor_si512(v, _mm512_set1_epi8(static_cast<char>(0x80)));
      });
}

float RowDotQ4_0(const void* w, const q8::ActsView& a, int64_t k) {
  return PairDot(static_cast<const BlockQ4_0*>(w), a, k,
                 [](const BlockQ4_0& x, const BlockQ4_0& y) { return Nibbles2(x.qs, y.qs); });
}

float RowDotQ5_0(const void* w, const q8::ActsView& a, int64_t k) {
  return PairDot(
      static_cast<const BlockQ5_0*>(w), a, k, [](const BlockQ5_0& x, const BlockQ5_0& y) {
        uint32_t hx, hy;
        std::memcpy(&hx, x.qh, 4);
        std::memcpy(&hy, y.qh, 4);
        // Bit j of qh is the fifth bit of value j: the byte order of Nibbles2.
        const __mmask64 fifth = static_cast<__mmask64>(hx) | static_cast<__mmask64>(hy) << 32;
        const __m512i u = Nibbles2(x.qs, y.qs);
        return _mm512_mask_add_epi8(u, fifth, u, _mm512_set1_epi8(0x10));
      });
}

float RowDotQ4_K(const void* w, const q8::ActsView& a, int64_t k) {
  // Per 64 values (two sub-blocks: one 32-byte load of nibbles) one VPDPBUSD; the sub-blocks'
  // scales d * sc come from one permute of the block's eight, times the activations' d (d16);
  // the mins, dmin * m * d_x * sum(x), are one 8-wide FMA per block against a.fc.
  const auto* b = static_cast<const quant::BlockQ4_K*>(w);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m256 mins = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  const __m512i pick[4] = {_mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0),
                           _mm512_set_epi32(3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2),
                           _mm512_set_epi32(5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 4),
                           _mm512_set_epi32(7, 7, 7, 7, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6)};
  for (int64_t i = 0; i < k / 256; ++i) {
    uint8_t sc[8], m[8];
    quant::ScalesMinsK4(b[i].scales, sc, m);
    auto widen8 = [](const uint8_t* v) {
      return _mm256_cvtepi32_ps(
          _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v))));
    };
    const __m512 scd =
        _mm512_castps256_ps512(_mm256_mul_ps(widen8(sc), _mm256_set1_ps(F16ToF32Table(b[i].d))));
    mins = _mm256_fmadd_ps(_mm256_mul_ps(widen8(m), _mm256_set1_ps(F16ToF32Table(b[i].dmin))),
                           _mm256_loadu_ps(a.fc + 8 * i), mins);
    for (int c = 0; c < 4; ++c) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs + 32 * c));
      const __m512i u = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_and_si256(qv, m4)),
                                           _mm256_and_si256(_mm256_srli_epi16(qv, 4), m4), 1);
      const __m512i x = _mm512_loadu_si512(a.q + 256 * i + 64 * c);
      const __m512i isum = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u, x);
      const __m512 sv = _mm512_mul_ps(_mm512_permutexvar_ps(pick[c], scd),
                                      _mm512_loadu_ps(a.d16 + 64 * i + 16 * c));
      if (c % 2 == 0) {
        acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), sv, acc0);
      } else {
        acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), sv, acc1);
      }
    }
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) - q8::Hsum(mins);
}
float RowDotQ6_K(const void* w, const q8::ActsView& a, int64_t k) {
  // Per 64 values (four 16-value sub-blocks) one VPDPBUSD over codes u = low nibble | two high
  // bits << 4, starting from the offset corrections (32 * sum(x) per sub-block, c16); the
  // scales d * sc by one permute of the block's sixteen, times the activations' d (d16).
  const auto* b = static_cast<const quant::BlockQ6_K*>(w);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
  // Values 64q .. 64q + 63 take their high bits from qh[32 * (q / 2)...] shifted right by
  // 0 / 2 (q even) or 4 / 6 (q odd) in the two 256-bit halves.
  const __m512i shift_even = _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0);
  const __m512i shift_odd = _mm512_set_epi64(6, 6, 6, 6, 4, 4, 4, 4);
  __m512i pick[4];
  for (int q = 0; q < 4; ++q) {
    alignas(64) int32_t idx[16];
    for (int e = 0; e < 16; ++e) idx[e] = 4 * q + e / 4;
    pick[q] = _mm512_load_si512(idx);
  }
  for (int64_t i = 0; i < k / 256; ++i) {
    const __m512 scd = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(
                                         reinterpret_cast<const __m128i*>(b[i].scales)))),
                                     _mm512_set1_ps(F16ToF32Table(b[i].d)));
    for (int ch = 0; ch < 2; ++ch) {
      const __m512i l = _mm512_loadu_si512(b[i].ql + 64 * ch);
      const __m512i h = _mm512_broadcast_i64x4(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qh + 32 * ch)));
      for (int half = 0; half < 2; ++half) {
        const int q = 2 * ch + half;
        const __m512i lo = _mm512_and_si512(half == 0 ? l : _mm512_srli_epi16(l, 4), m4);
        const __m512i hi = _mm512_and_si512(
            _mm512_slli_epi16(_mm512_srlv_epi64(h, half == 0 ? shift_even : shift_odd), 4), m30);
        const int64_t g = 4 * i + q;  // the 64-value group
        const __m512i isum =
            _mm512_dpbusd_epi32(_mm512_loadu_si512(a.c16 + 16 * g), _mm512_or_si512(lo, hi),
                                _mm512_loadu_si512(a.q + 64 * g));
        const __m512 sv =
            _mm512_mul_ps(_mm512_permutexvar_ps(pick[q], scd), _mm512_loadu_ps(a.d16 + 16 * g));
        if (half == 0) {
          acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), sv, acc0);
        } else {
          acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), sv, acc1);
        }
      }
    }
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

}  // namespace qw::kernels::avx512
