// AVX-512 (F, BW, VL) dot products of block-quantized rows with float32 activations: half the
// instructions of the AVX2 versions (16 lanes; the fifth bits of Q5_0 go through a mask register).

#include <immintrin.h>

#include <cstring>

#include "qianwen/core/half_table.h"
#include "qianwen/kernels/avx2/simd_avx2.h"
#include "qianwen/kernels/avx512/kernels_avx512.h"
#include "qianwen/kernels/quant/blocks.h"

namespace qw::kernels::avx512 {
namespace {

using namespace quant;

// Block scales through the table (half_table.h): no vector-port work per block.
inline float H(uint16_t h) { return F16ToF32Table(h); }

// 16 signed bytes -> 16 floats.
inline __m512 I8x16(__m128i v) { return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(v)); }

// 8 unsigned bytes -> 8 floats.
inline __m256 U8x8(const uint8_t* v) {
  return _mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v))));
}

// sum q[j] * x[j] over 32 signed bytes held in a __m256i.
inline __m512 Dot32(__m256i q, const float* x) {
  const __m512 s = _mm512_mul_ps(I8x16(_mm256_castsi256_si128(q)), _mm512_loadu_ps(x));
  return _mm512_fmadd_ps(I8x16(_mm256_extracti128_si256(q, 1)), _mm512_loadu_ps(x + 16), s);
}

}  // namespace

float DotQ8_0(const void* w, const float* x, int64_t k) {
  const auto* b = static_cast<const BlockQ8_0*>(w);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  const int64_t nb = k / kQK;
  // The bytes are widened straight from memory (no extract), and each block's dot is scaled
  // by its d once.
  auto dot = [&](int64_t i) {
    const __m512 lo = I8x16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs)));
    const __m512 hi = I8x16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs + 16)));
    return _mm512_fmadd_ps(hi, _mm512_loadu_ps(x + i * kQK + 16),
                           _mm512_mul_ps(lo, _mm512_loadu_ps(x + i * kQK)));
  };
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    acc0 = _mm512_fmadd_ps(_mm512_set1_ps(H(b[i].d)), dot(i), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_set1_ps(H(b[i + 1].d)), dot(i + 1), acc1);
  }
  for (; i < nb; ++i) acc0 = _mm512_fmadd_ps(_mm512_set1_ps(H(b[i].d)), dot(i), acc0);
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

float DotQ5_0(const void* w, const float* x, int64_t k) {
  const auto* b = static_cast<const BlockQ5_0*>(w);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  const __m512i m4 = _mm512_set1_epi32(0x0F), sixteen = _mm512_set1_epi32(16);
  // value = (nibble | fifth bit << 4) - 16 = the nibble where the fifth bit is set, else the
  // nibble - 16: one masked subtraction per 16 values, bytes widened once from memory.
  auto block = [&](int64_t i) {
    uint32_t qh;
    std::memcpy(&qh, b[i].qh, 4);
    const __m512i raw =
        _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs)));
    const __m512i nlo = _mm512_and_si512(raw, m4), nhi = _mm512_srli_epi32(raw, 4);
    const __m512i vlo = _mm512_mask_sub_epi32(nlo, static_cast<__mmask16>(~qh), nlo, sixteen);
    const __m512i vhi =
        _mm512_mask_sub_epi32(nhi, static_cast<__mmask16>(~(qh >> 16)), nhi, sixteen);
    const __m512 s = _mm512_mul_ps(_mm512_cvtepi32_ps(vlo), _mm512_loadu_ps(x + i * kQK));
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(vhi), _mm512_loadu_ps(x + i * kQK + 16), s);
  };
  const int64_t nb = k / kQK;
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    acc0 = _mm512_fmadd_ps(_mm512_set1_ps(H(b[i].d)), block(i), acc0);
    acc1 = _mm512_fmadd_ps(_mm512_set1_ps(H(b[i + 1].d)), block(i + 1), acc1);
  }
  if (i < nb) acc0 = _mm512_fmadd_ps(_mm512_set1_ps(H(b[i].d)), block(i), acc0);
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

float DotQ4_K(const void* w, const float* x, const float* xsum, int64_t k) {
  // Per block, the eight sub-block scales d * sc are made once (one 8-wide product, kept on the
  // stack so each is a broadcast load) and the mins term is one 8-wide FMA against the token's
  // sums of x (xsum, per 32 values): per 64 values, two widenings, four conversions, four
  // products and two scale FMAs. (The version that decoded each (scale, min) pair in scalar
  // code and summed x per row ran 1.7x slower.)
  const auto* b = static_cast<const BlockQ4_K*>(w);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  __m256 mins = _mm256_setzero_ps();
  const __m512i m4 = _mm512_set1_epi32(0x0F);
  for (int64_t i = 0; i < k / kQKK; ++i) {
    uint8_t sc[8], m[8];
    ScalesMinsK4(b[i].scales, sc, m);
    alignas(32) float scd[8];
    _mm256_store_ps(scd, _mm256_mul_ps(U8x8(sc), _mm256_set1_ps(H(b[i].d))));
    mins = _mm256_fmadd_ps(_mm256_mul_ps(U8x8(m), _mm256_set1_ps(H(b[i].dmin))),
                           _mm256_loadu_ps(xsum + 8 * i), mins);
    for (int j = 0; j < 4; ++j) {
      // Each 16 bytes widened once: low nibbles are sub-block 2j, high nibbles 2j + 1.
      const uint8_t* q = b[i].qs + 32 * j;
      const __m512i r0 = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q)));
      const __m512i r1 =
          _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16)));
      const float* xj = x + i * kQKK + 64 * j;
      const __m512 s1 = _mm512_fmadd_ps(
          _mm512_cvtepi32_ps(_mm512_and_si512(r1, m4)), _mm512_loadu_ps(xj + 16),
          _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_and_si512(r0, m4)), _mm512_loadu_ps(xj)));
      const __m512 s2 = _mm512_fmadd_ps(
          _mm512_cvtepi32_ps(_mm512_srli_epi32(r1, 4)), _mm512_loadu_ps(xj + 48),
          _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(r0, 4)), _mm512_loadu_ps(xj + 32)));
      acc0 = _mm512_fmadd_ps(_mm512_set1_ps(scd[2 * j]), s1, acc0);
      acc1 = _mm512_fmadd_ps(_mm512_set1_ps(scd[2 * j + 1]), s2, acc1);
    }
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) - avx2::SimdAvx2::Sum(mins);
}

float DotQ6_K(const void* w, const float* x, int64_t k) {
  // The 6-bit codes of 64 values are put together in one 512-bit register (low nibbles, two high
  // bits moved to bits 4-5, minus 32: signed bytes), stored to the stack and widened from there
  // sixteen at a time: sign extension from memory is one shuffle-port operation where an
  // extract-then-widen from a register would be two. The sixteen scales d * sc are made once per
  // block; each 16 values are scaled, then FMA'd with x. (AVX2 version: 1.37x the time in L1.)
  const auto* b = static_cast<const BlockQ6_K*>(w);
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  const __m512i m4 = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
  const __m512i off = _mm512_set1_epi8(32);
  // Values 64q .. 64q + 63 take their high bits from qh[32 * (q / 2)...] shifted right by
  // 0 / 2 (q even) or 4 / 6 (q odd) in the two 256-bit halves.
  const __m512i shift_even = _mm512_set_epi64(2, 2, 2, 2, 0, 0, 0, 0);
  const __m512i shift_odd = _mm512_set_epi64(6, 6, 6, 6, 4, 4, 4, 4);
  alignas(64) int8_t v[64];
  alignas(64) float scd[16];
  // Values 16g .. 16g + 15 of the stored 64, times their scale s, times x.
  auto group = [&](int g, float s, const float* xg, __m512 acc) {
    const __m512 q = _mm512_cvtepi32_ps(
        _mm512_cvtepi8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(v + 16 * g))));
    return _mm512_fmadd_ps(_mm512_mul_ps(q, _mm512_set1_ps(s)), _mm512_loadu_ps(xg), acc);
  };
  for (int64_t i = 0; i < k / kQKK; ++i) {
    const __m512i sc8 =
        _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].scales)));
    _mm512_store_ps(scd, _mm512_mul_ps(_mm512_cvtepi32_ps(sc8), _mm512_set1_ps(H(b[i].d))));
    for (int ch = 0; ch < 2; ++ch) {
      const __m512i l = _mm512_loadu_si512(b[i].ql + 64 * ch);
      const __m512i h = _mm512_broadcast_i64x4(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qh + 32 * ch)));
      for (int half = 0; half < 2; ++half) {
        const __m512i lo = _mm512_and_si512(half == 0 ? l : _mm512_srli_epi16(l, 4), m4);
        const __m512i hi = _mm512_and_si512(
            _mm512_slli_epi16(_mm512_srlv_epi64(h, half == 0 ? shift_even : shift_odd), 4), m30);
        _mm512_store_si512(v, _mm512_sub_epi8(_mm512_or_si512(lo, hi), off));
        const int q = 2 * ch + half;  // values 64q .. 64q + 63: scales 4q .. 4q + 3
        const float* xq = x + i * kQKK + 64 * q;
        const float* sq = scd + 4 * q;
        acc0 = group(0, sq[0], xq, acc0);
        acc1 = group(1, sq[1], xq + 16, acc1);
        acc0 = group(2, sq[2], xq + 32, acc0);
        acc1 = group(3, sq[3], xq + 48, acc1);
      }
    }
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
}

}  // namespace qw::kernels::avx512
