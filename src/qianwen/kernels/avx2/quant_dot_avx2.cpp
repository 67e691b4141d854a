#include "qianwen/kernels/avx2/quant_dot_avx2.h"

#include <immintrin.h>

#include <cstring>

#include "qianwen/core/half.h"
#include "qianwen/core/half_table.h"
#include "qianwen/kernels/avx2/simd_avx2.h"
#include "qianwen/kernels/quant/blocks.h"

namespace qw::kernels::avx2 {
namespace {

using namespace quant;

// Block scales through the table (half_table.h): no vector-port work per block.
inline float H(uint16_t h) { return F16ToF32Table(h); }

// 8 signed bytes at p -> 8 floats.
inline __m256 I8x8(const __m128i v) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(v)); }

// sum_j q[j] * x[j] for 32 signed bytes q (in a __m256i) and 32 floats x.
inline __m256 Dot32(__m256i q, const float* x, __m256 acc_scale, __m256 acc) {
  const __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
  __m256 s = _mm256_mul_ps(I8x8(lo), _mm256_loadu_ps(x));
  s = _mm256_fmadd_ps(I8x8(_mm_srli_si128(lo, 8)), _mm256_loadu_ps(x + 8), s);
  s = _mm256_fmadd_ps(I8x8(hi), _mm256_loadu_ps(x + 16), s);
  s = _mm256_fmadd_ps(I8x8(_mm_srli_si128(hi, 8)), _mm256_loadu_ps(x + 24), s);
  return _mm256_fmadd_ps(acc_scale, s, acc);
}

// 16 signed bytes (a __m128i) times 16 floats.
inline __m256 Dot16(__m128i q, const float* x) {
  __m256 s = _mm256_mul_ps(I8x8(q), _mm256_loadu_ps(x));
  return _mm256_fmadd_ps(I8x8(_mm_srli_si128(q, 8)), _mm256_loadu_ps(x + 8), s);
}

// Bytes 0x10 where bit j of 32-bit `bits` is set, for j = 0..31.
inline __m256i FifthBits(uint32_t bits) {
  const __m256i shuf = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2,
                                        2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), shuf);
  const __m256i sel = _mm256_set1_epi64x(0x8040201008040201LL);
  b = _mm256_cmpeq_epi8(_mm256_and_si256(b, sel), sel);
  return _mm256_and_si256(b, _mm256_set1_epi8(0x10));
}

}  // namespace

float DotQ8_0(const void* w, const float* x, int64_t k) {
  const auto* b = static_cast<const BlockQ8_0*>(w);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  const int64_t nb = k / kQK;
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    acc0 = Dot32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs)), x + i * kQK,
                 _mm256_set1_ps(H(b[i].d)), acc0);
    acc1 = Dot32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i + 1].qs)),
                 x + (i + 1) * kQK, _mm256_set1_ps(H(b[i + 1].d)), acc1);
  }
  for (; i < nb; ++i) {
    acc0 = Dot32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs)), x + i * kQK,
                 _mm256_set1_ps(H(b[i].d)), acc0);
  }
  return SimdAvx2::Sum(_mm256_add_ps(acc0, acc1));
}

float DotQ4_0(const void* w, const float* x, int64_t k) {
  const auto* b = static_cast<const BlockQ4_0*>(w);
  __m256 acc = _mm256_setzero_ps();
  const __m128i m4 = _mm_set1_epi8(0x0F), eight = _mm_set1_epi8(8);
  for (int64_t i = 0; i < k / kQK; ++i) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs));
    const __m128i lo = _mm_sub_epi8(_mm_and_si128(q, m4), eight);
    const __m128i hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(q, 4), m4), eight);
    __m256 s = _mm256_add_ps(Dot16(lo, x + i * kQK), Dot16(hi, x + i * kQK + 16));
    acc = _mm256_fmadd_ps(_mm256_set1_ps(H(b[i].d)), s, acc);
  }
  return SimdAvx2::Sum(acc);
}

float DotQ5_0(const void* w, const float* x, int64_t k) {
  const auto* b = static_cast<const BlockQ5_0*>(w);
  __m256 acc = _mm256_setzero_ps();
  const __m128i m4 = _mm_set1_epi8(0x0F), sixteen = _mm_set1_epi8(16);
  for (int64_t i = 0; i < k / kQK; ++i) {
    uint32_t qh;
    std::memcpy(&qh, b[i].qh, 4);
    const __m256i hb = FifthBits(qh);  // bytes 0..15: elements 0..15, 16..31: elements 16..31
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs));
    const __m128i lo =
        _mm_sub_epi8(_mm_or_si128(_mm_and_si128(q, m4), _mm256_castsi256_si128(hb)), sixteen);
    const __m128i hi = _mm_sub_epi8(
        _mm_or_si128(_mm_and_si128(_mm_srli_epi16(q, 4), m4), _mm256_extracti128_si256(hb, 1)),
        sixteen);
    __m256 s = _mm256_add_ps(Dot16(lo, x + i * kQK), Dot16(hi, x + i * kQK + 16));
    acc = _mm256_fmadd_ps(_mm256_set1_ps(H(b[i].d)), s, acc);
  }
  return SimdAvx2::Sum(acc);
}

float DotQ4_K(const void* w, const float* x, const float* xsum, int64_t k) {
  // As the AVX-512 version: the block's eight scales d * sc made once (stack, broadcast loads),
  // the mins one 8-wide FMA against the token's sums of x per 32 (xsum); each 8 bytes widened
  // once from memory give 8 low-nibble and 8 high-nibble values (sub-blocks 2j and 2j + 1).
  const auto* b = static_cast<const BlockQ4_K*>(w);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), mins = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi32(0x0F);
  auto u8x8 = [](const uint8_t* v) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v)));
  };
  for (int64_t i = 0; i < k / kQKK; ++i) {
    uint8_t sc[8], m[8];
    ScalesMinsK4(b[i].scales, sc, m);
    alignas(32) float scd[8];
    _mm256_store_ps(scd, _mm256_mul_ps(_mm256_cvtepi32_ps(u8x8(sc)), _mm256_set1_ps(H(b[i].d))));
    mins = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(u8x8(m)), _mm256_set1_ps(H(b[i].dmin))),
                           _mm256_loadu_ps(xsum + 8 * i), mins);
    for (int j = 0; j < 4; ++j) {
      const uint8_t* q = b[i].qs + 32 * j;
      const float* xj = x + i * kQKK + 64 * j;
      __m256i r = u8x8(q);
      __m256 s1 = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(r, m4)), _mm256_loadu_ps(xj));
      __m256 s2 =
          _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(r, 4)), _mm256_loadu_ps(xj + 32));
      for (int t = 1; t < 4; ++t) {
        r = u8x8(q + 8 * t);
        s1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_and_si256(r, m4)),
                             _mm256_loadu_ps(xj + 8 * t), s1);
        s2 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(r, 4)),
                             _mm256_loadu_ps(xj + 32 + 8 * t), s2);
      }
      acc0 = _mm256_fmadd_ps(_mm256_set1_ps(scd[2 * j]), s1, acc0);
      acc1 = _mm256_fmadd_ps(_mm256_set1_ps(scd[2 * j + 1]), s2, acc1);
    }
  }
  return SimdAvx2::Sum(_mm256_add_ps(acc0, acc1)) - SimdAvx2::Sum(mins);
}

float DotQ6_K(const void* w, const float* x, int64_t k) {
  const auto* b = static_cast<const BlockQ6_K*>(w);
  __m256 acc = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3), off = _mm256_set1_epi8(32);
  alignas(32) float scd[16];  // the block's sixteen d * sc: broadcast loads, no shuffle port
  for (int64_t i = 0; i < k / kQKK; ++i) {
    const __m256 dv = _mm256_set1_ps(H(b[i].d));
    for (int h = 0; h < 2; ++h) {
      const __m128i s8 = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(b[i].scales + 8 * h));
      _mm256_store_ps(scd + 8 * h, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(s8)), dv));
    }
    const uint8_t* ql = b[i].ql;
    const uint8_t* qh = b[i].qh;
    const float* sc = scd;
    const float* xb = x + i * kQKK;
    for (int half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, xb += 128) {
      const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh));
      const __m256i q[4] = {
          _mm256_sub_epi8(_mm256_or_si256(_mm256_and_si256(l0, m4),
                                          _mm256_slli_epi16(_mm256_and_si256(h, m3), 4)),
                          off),
          _mm256_sub_epi8(
              _mm256_or_si256(_mm256_and_si256(l1, m4),
                              _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 2), m3), 4)),
              off),
          _mm256_sub_epi8(
              _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                              _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 4), m3), 4)),
              off),
          _mm256_sub_epi8(
              _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                              _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 6), m3), 4)),
              off),
      };
      for (int g = 0; g < 4; ++g) {  // q[g] covers elements 32g .. 32g+31, scales sc[2g], sc[2g+1]
        const float* xg = xb + 32 * g;
        acc = _mm256_fmadd_ps(_mm256_set1_ps(sc[2 * g]), Dot16(_mm256_castsi256_si128(q[g]), xg),
                              acc);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(sc[2 * g + 1]),
                              Dot16(_mm256_extracti128_si256(q[g], 1), xg + 16), acc);
      }
    }
  }
  return SimdAvx2::Sum(acc);
}

}  // namespace qw::kernels::avx2
