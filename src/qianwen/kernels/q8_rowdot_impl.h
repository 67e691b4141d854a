#pragma once
// Row dots of block-quantized weights with 8-bit activations (gemm_q8.h's quantization) on
// 256-bit registers, for generation steps: each weight row is read once, straight from the
// file's blocks. The integer sums start from the prepared offset corrections (ActsView::c16)
// and are scaled with the prepared activation scales (d16), so nothing but float accumulators
// is carried from block to block.
//
// Included by the AVX2 translation unit, which supplies Dp, the unsigned-by-signed byte dot
// product into eight int32 lanes (VPMADDUBSW + VPMADDWD: no saturation, codes are below 64 or
// |q| <= 128 against |x| <= 127, so pair sums stay < 2^15); the AVX-512 VNNI unit has its own
// 512-bit kernels and takes Hsum from here. Everything sits in an anonymous namespace so that
// two compilations never merge.

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "qianwen/core/half_table.h"
#include "qianwen/kernels/gemm_q8.h"
#include "qianwen/kernels/quant/blocks.h"

namespace qw::kernels::q8 {
namespace {

using quant::BlockQ4_0;
using quant::BlockQ4_K;
using quant::BlockQ5_0;
using quant::BlockQ6_K;

inline float Hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}

inline float Half(uint16_t h) { return F16ToF32Table(h); }

// The 32 codes of a Q4_0 / Q5_0 block: low nibbles are values 0..15, high nibbles 16..31.
inline __m256i Nibbles(const uint8_t* qs) {
  const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), _mm256_set1_epi8(0x0F));
}

// 32 bits -> 32 bytes of 0x10 where the bit is set (Q5_0's fifth bits).
inline __m256i FifthBits(uint32_t qh) {
  const __m256i shuf = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101,
                                         0x0000000000000000);
  __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int32_t>(qh)), shuf);
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201));
  v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
  return _mm256_and_si256(v, _mm256_set1_epi8(0x10));
}

// acc + the int32 sums of one 32-value block, scaled by the weights' d and the activations'
// prepared d (a.d16, eight lanes per block).
inline __m256 ScaleAcc(__m256i isum, uint16_t d, const float* d16, __m256 acc) {
  const __m256 sv = _mm256_mul_ps(_mm256_set1_ps(Half(d)), _mm256_loadu_ps(d16));
  return _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), sv, acc);
}

// Sum of block(i, acc) over the k / 32 blocks of a row, alternating two accumulators.
template <class Block>
float SumBlocks32(int64_t k, Block block) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 2 <= k / 32; i += 2) {
    acc0 = block(i, acc0);
    acc1 = block(i + 1, acc1);
  }
  if (i < k / 32) acc0 = block(i, acc0);
  return Hsum(_mm256_add_ps(acc0, acc1));
}

// Q8_0: the sign moved onto the activations (VPSIGNB), so the unsigned-by-signed product
// multiplies |q| (<= 128) by +-x (|x| <= 127): pair sums stay below 2^15, no offset to remove.
template <class Dp>
float DotQ8_0(const void* w, const ActsView& a, int64_t k) {
  const auto* b = static_cast<const quant::BlockQ8_0*>(w);
  return SumBlocks32(k, [&](int64_t i, __m256 acc) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs));
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.q + 32 * i));
    return ScaleAcc(Dp::Dot(_mm256_sign_epi8(q, q), _mm256_sign_epi8(x, q)), b[i].d, a.d16 + 8 * i,
                    acc);
  });
}

// Q4_0 and Q5_0: codes u with value u - offset; the integer sums start from the prepared
// -offset * sum(x) (a.c16: lane 0 of each block's eight), so nothing is carried from block to
// block but the two float accumulators.
template <class Dp, bool kFive>
float DotQ4Q5_0(const void* w, const ActsView& a, int64_t k) {
  using B = std::conditional_t<kFive, BlockQ5_0, BlockQ4_0>;
  const auto* b = static_cast<const B*>(w);
  return SumBlocks32(k, [&](int64_t i, __m256 acc) {
    __m256i u = Nibbles(b[i].qs);
    if constexpr (kFive) {
      uint32_t qh;
      std::memcpy(&qh, b[i].qh, 4);
      u = _mm256_or_si256(u, FifthBits(qh));
    }
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.q + 32 * i));
    const __m256i isum = _mm256_add_epi32(
        Dp::Dot(u, xv), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.c16 + 8 * i)));
    return ScaleAcc(isum, b[i].d, a.d16 + 8 * i, acc);
  });
}

// Q4_K: 8 sub-blocks of 32 per super-block, value d * sc * u - dmin * m; the min term is
// dmin * m * d_x * sum(x) per sub-block (a.fc), one 8-wide FMA per super-block.
template <class Dp>
float DotQ4_K(const void* w, const ActsView& a, int64_t k) {
  const auto* b = static_cast<const BlockQ4_K*>(w);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), mins = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  auto widen8 = [](const uint8_t* v) {
    return _mm256_cvtepi32_ps(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v))));
  };
  for (int64_t i = 0; i < k / 256; ++i) {
    uint8_t sc[8], m[8];
    quant::ScalesMinsK4(b[i].scales, sc, m);
    alignas(32) float scd[8];
    _mm256_store_ps(scd, _mm256_mul_ps(widen8(sc), _mm256_set1_ps(Half(b[i].d))));
    mins = _mm256_fmadd_ps(_mm256_mul_ps(widen8(m), _mm256_set1_ps(Half(b[i].dmin))),
                           _mm256_loadu_ps(a.fc + 8 * i), mins);
    for (int c = 0; c < 4; ++c) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs + 32 * c));
      for (int h = 0; h < 2; ++h) {
        const int j = 2 * c + h;
        const int64_t sub = i * 8 + j;
        const __m256i u = _mm256_and_si256(h == 0 ? qv : _mm256_srli_epi16(qv, 4), m4);
        const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.q + 32 * sub));
        const __m256 sv = _mm256_mul_ps(_mm256_set1_ps(scd[j]), _mm256_loadu_ps(a.d16 + 8 * sub));
        if (h == 0) {
          acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Dp::Dot(u, xv)), sv, acc0);
        } else {
          acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Dp::Dot(u, xv)), sv, acc1);
        }
      }
    }
  }
  return Hsum(_mm256_add_ps(acc0, acc1)) - Hsum(mins);
}

// Q6_K: 16 sub-blocks of 16 per super-block, value d * sc * (u - 32); activations in the
// 16-value layout, the sums starting from the prepared -32 * sum(x) per sub-block (a.c16: four
// lanes per sub-block, the first holding it).
template <class Dp>
float DotQ6_K(const void* w, const ActsView& a, int64_t k) {
  const auto* b = static_cast<const BlockQ6_K*>(w);
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(0x03);
  for (int64_t i = 0; i < k / 256; ++i) {
    const float d = Half(b[i].d);
    for (int ch = 0; ch < 2; ++ch) {
      const uint8_t* ql = b[i].ql + 64 * ch;
      const uint8_t* qh = b[i].qh + 32 * ch;
      const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i hv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh));
      const __m256i lows[4] = {_mm256_and_si256(l0, m4), _mm256_and_si256(l1, m4),
                               _mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                               _mm256_and_si256(_mm256_srli_epi16(l1, 4), m4)};
      for (int p = 0; p < 4; ++p) {
        const __m256i hi = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hv, 2 * p), m2), 4);
        const __m256i u = _mm256_or_si256(lows[p], hi);
        const int64_t s0 = i * 16 + ch * 8 + 2 * p;  // the part's two 16-value sub-blocks
        const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.q + 16 * s0));
        const __m256i isum = _mm256_add_epi32(
            Dp::Dot(u, xv), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.c16 + 4 * s0)));
        const __m256 sc = _mm256_insertf128_ps(
            _mm256_castps128_ps256(_mm_set1_ps(static_cast<float>(b[i].scales[ch * 8 + 2 * p]))),
            _mm_set1_ps(static_cast<float>(b[i].scales[ch * 8 + 2 * p + 1])), 1);
        const __m256 sv =
            _mm256_mul_ps(_mm256_mul_ps(sc, _mm256_set1_ps(d)), _mm256_loadu_ps(a.d16 + 4 * s0));
        if (p % 2 == 0) {
          acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), sv, acc0);
        } else {
          acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), sv, acc1);
        }
      }
    }
  }
  return Hsum(_mm256_add_ps(acc0, acc1));
}

}  // namespace
}  // namespace qw::kernels::q8
