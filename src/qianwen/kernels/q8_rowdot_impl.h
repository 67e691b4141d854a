#pragma once
// Row dot products of block-quantized weights with 8-bit activations (gemm_q8.h's quantization),
// for generation steps: each weight row is read once, straight from the file's blocks.
//
// Included by one ISA translation unit each (AVX2, AVX-512 VNNI), which supplies Dp, the
// unsigned-by-signed byte dot product into eight int32 lanes: VPDPBUSD there, VPMADDUBSW +
// VPMADDWD here (no saturation: codes are below 64 and |x| <= 127, so pair sums stay < 2^15).
// Everything sits in an anonymous namespace so that the two compilations never merge.

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

// Q4_0 and Q5_0: codes u with value u - offset; the offset term is offset * sum(x) per block
// (a.ic), subtracted once per block in float.
template <class Dp, bool kFive>
float DotQ4Q5_0(const void* w, const ActsView& a, int64_t k) {
  using B = std::conditional_t<kFive, BlockQ5_0, BlockQ4_0>;
  const auto* b = static_cast<const B*>(w);
  __m256 acc = _mm256_setzero_ps();
  float corr = 0.0f;
  for (int64_t i = 0; i < k / 32; ++i) {
    __m256i u = Nibbles(b[i].qs);
    if constexpr (kFive) {
      uint32_t qh;
      std::memcpy(&qh, b[i].qh, 4);
      u = _mm256_or_si256(u, FifthBits(qh));
    }
    const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.q + 32 * i));
    const float s = Half(b[i].d) * a.d[i];
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Dp::Dot(u, xv)), _mm256_set1_ps(s), acc);
    corr += s * static_cast<float>(a.ic[i]);
  }
  return Hsum(acc) - corr;
}

// Q4_K: 8 sub-blocks of 32 per super-block, value d * sc * u - dmin * m; the min term is
// dmin * m * d_x * sum(x) per sub-block (a.fc).
template <class Dp>
float DotQ4_K(const void* w, const ActsView& a, int64_t k) {
  const auto* b = static_cast<const BlockQ4_K*>(w);
  __m256 acc = _mm256_setzero_ps();
  float mins = 0.0f;
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  for (int64_t i = 0; i < k / 256; ++i) {
    const float d = Half(b[i].d), dmin = Half(b[i].dmin);
    for (int c = 0; c < 4; ++c) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs + 32 * c));
      for (int h = 0; h < 2; ++h) {
        const int j = 2 * c + h;
        const int64_t sub = i * 8 + j;
        uint8_t sc, m;
        quant::ScaleMinK4(j, b[i].scales, &sc, &m);
        const __m256i u = _mm256_and_si256(h == 0 ? qv : _mm256_srli_epi16(qv, 4), m4);
        const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a.q + 32 * sub));
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Dp::Dot(u, xv)),
                              _mm256_set1_ps(d * static_cast<float>(sc) * a.d[sub]), acc);
        mins += dmin * static_cast<float>(m) * a.fc[sub];
      }
    }
  }
  return Hsum(acc) - mins;
}

// Q6_K: 16 sub-blocks of 16 per super-block, value d * sc * (u - 32); activations in the
// 16-value layout (a.d, a.ic per 16).
template <class Dp>
float DotQ6_K(const void* w, const ActsView& a, int64_t k) {
  const auto* b = static_cast<const BlockQ6_K*>(w);
  __m256 acc = _mm256_setzero_ps();
  float corr = 0.0f;
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
        const float f0 = d * static_cast<float>(b[i].scales[ch * 8 + 2 * p]) * a.d[s0];
        const float f1 = d * static_cast<float>(b[i].scales[ch * 8 + 2 * p + 1]) * a.d[s0 + 1];
        const __m256 sv =
            _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_set1_ps(f0)), _mm_set1_ps(f1), 1);
        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Dp::Dot(u, xv)), sv, acc);
        corr += f0 * static_cast<float>(a.ic[s0]) + f1 * static_cast<float>(a.ic[s0 + 1]);
      }
    }
  }
  return Hsum(acc) - corr;
}

}  // namespace
}  // namespace qw::kernels::q8
