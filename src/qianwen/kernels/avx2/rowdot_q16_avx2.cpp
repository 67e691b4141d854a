#include "qianwen/kernels/avx2/rowdot_q16_avx2.h"

#include <immintrin.h>

#include <cstring>

#include "qianwen/core/half_table.h"
#include "qianwen/kernels/avx2/simd_avx2.h"
#include "qianwen/kernels/quant/blocks.h"

namespace qw::kernels::avx2 {
namespace {

using namespace quant;

inline float H(uint16_t h) { return F16ToF32Table(h); }

// The int32 sums (8 lanes) of 32 16-bit codes times the block's 16-bit activations
// (q16::Position order: the unpacks' order), each code given as two bytes (natural order): its
// low byte in lo, its high byte in hi. Products of codes with |code| <= 1008 and |q| <= 32767
// summed in pairs stay far inside int32.
inline __m256i Dot32w(__m256i lo, __m256i hi, const int16_t* q) {
  const auto* x = reinterpret_cast<const __m256i*>(q);
  return _mm256_add_epi32(
      _mm256_madd_epi16(_mm256_unpacklo_epi8(lo, hi), _mm256_load_si256(x)),
      _mm256_madd_epi16(_mm256_unpackhi_epi8(lo, hi), _mm256_load_si256(x + 1)));
}

// The same for 32 unsigned byte codes u.
inline __m256i Dot32u(__m256i u, const int16_t* q) { return Dot32w(u, _mm256_setzero_si256(), q); }

// acc + isum * dx * d, with dx and the block's fp16 scale d broadcast straight from memory
// (the activations' scale and the conversion table): loads, not shuffle-port work.
inline __m256 ScaleAcc(__m256i isum, const float* dx, uint16_t d, __m256 acc) {
  return _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(isum), _mm256_broadcast_ss(dx)),
                         _mm256_broadcast_ss(&kF16ToF32Table[d]), acc);
}

// Calls block(i, h) for the nb 32-value blocks, two per step with h = 0 and 1 (each on its own
// accumulator, so the two FMA chains overlap); an odd last block with h = 0.
template <class F>
inline void BlockPairs(int64_t nb, F&& block) {
  int64_t i = 0;
  for (; i + 2 <= nb; i += 2) {
    block(i, 0);
    block(i + 1, 1);
  }
  if (i < nb) block(i, 0);
}

// The 32 nibble codes of a Q4_0 / Q5_0 block in natural order: the 16 bytes in both lanes, the
// upper lane shifted right by 4 (VPSRLVD: no lane-crossing shuffle).
inline __m256i Nibbles(const uint8_t* qs) {
  const __m256i q =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
  return _mm256_and_si256(_mm256_srlv_epi32(q, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4)),
                          _mm256_set1_epi8(0x0F));
}

// Q4_0: value d * (u - 8); the offset's share, d * 8 * dx * sum(q), from the prepared fq.
float DotQ4(const void* w, const q16::Acts& a, int64_t k) {
  const auto* b = static_cast<const BlockQ4_0*>(w);
  __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
  float corr[2] = {0.0f, 0.0f};
  auto block = [&](int64_t i, int h) {
    acc[h] = ScaleAcc(Dot32u(Nibbles(b[i].qs), a.q + 32 * i), a.dx + i, b[i].d, acc[h]);
    corr[h] += H(b[i].d) * a.fq[i];
  };
  BlockPairs(k / 32, block);
  return SimdAvx2::Sum(_mm256_add_ps(acc[0], acc[1])) - 8.0f * (corr[0] + corr[1]);
}

// The 32 nibble codes of a Q5_0 block times 16, in natural order: the low nibbles moved up
// (VPSLLVD by 4 in the lower lane), the high ones masked where they are.
inline __m256i Nibbles16(const uint8_t* qs) {
  const __m256i q =
      _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
  return _mm256_and_si256(_mm256_sllv_epi32(q, _mm256_setr_epi32(4, 4, 4, 4, 0, 0, 0, 0)),
                          _mm256_set1_epi8(static_cast<char>(0xF0)));
}

// Q5_0: value d * (u - 16), u = nibble + 16 * fifth bit. Each code enters its 16-bit lane as
// 16 * (u - 16) = 16 * nibble + 256 * (bit - 1): VPUNPCK puts 16 * nibble in the low byte and
// the fifth bit's compare mask (0xFF, i.e. -1, where the bit is clear) in the high byte, so the
// fifth bits cost a shuffle, an AND and a compare, and no offset correction is needed. Products
// stay far inside int32 (|16 * (u - 16)| <= 256); the 16 leaves as one exact scale. Scratch
// harness, rows in L2: 8.4-8.7 against 9.3-9.5 cycles per block for masking the codes signed
// in their bytes first (docs/PERFORMANCE.md), equal to skipping the fifth bits altogether.
float DotQ5(const void* w, const q16::Acts& a, int64_t k) {
  const auto* b = static_cast<const BlockQ5_0*>(w);
  const __m256i z = _mm256_setzero_si256();
  const __m256i spread = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2,
                                          2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  const __m256i sel = _mm256_set1_epi64x(0x8040201008040201LL);
  __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
  auto block = [&](int64_t i, int h) {
    int32_t bits;
    std::memcpy(&bits, b[i].qh, 4);
    const __m256i bit = _mm256_and_si256(_mm256_shuffle_epi8(_mm256_set1_epi32(bits), spread), sel);
    const __m256i clear = _mm256_cmpeq_epi8(bit, z);  // 0xFF where the fifth bit is 0
    acc[h] = ScaleAcc(Dot32w(Nibbles16(b[i].qs), clear, a.q + 32 * i), a.dx + i, b[i].d, acc[h]);
  };
  BlockPairs(k / 32, block);
  return SimdAvx2::Sum(_mm256_add_ps(acc[0], acc[1])) * (1.0f / 16.0f);
}

}  // namespace

void QuantizeQ16(const float* x, int64_t k, int16_t* q, int16_t* qn, float* dx, float* fq,
                 float* fq16) {
  // q16::Quantize's operations eight lanes at a time (bit-identical: the same max, quotient,
  // product and clamps; the conversion rounds to nearest even as nearbyint does by default).
  const __m256 lo = _mm256_set1_ps(-32767.0f), hi = _mm256_set1_ps(32767.0f);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  auto hsum = [](__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    return _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1)));
  };
  for (int64_t b = 0; b < k / 32; ++b) {
    const float* xb = x + 32 * b;
    __m256 v[4], m = _mm256_setzero_ps();
    for (int p = 0; p < 4; ++p) {
      v[p] = _mm256_loadu_ps(xb + 8 * p);
      m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[p]));
    }
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float d = _mm_cvtss_f32(m4) / 32767.0f;
    const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
    __m256i iv[4];
    for (int p = 0; p < 4; ++p)
      iv[p] = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(v[p], id), lo), hi));
    // packs interleaves 128-bit lanes: (0..7, 16..23) and (8..15, 24..31) after the permute,
    // which is q16::Position's order.
    auto* out = reinterpret_cast<__m256i*>(q + 32 * b);
    _mm256_store_si256(out, _mm256_permute4x64_epi64(_mm256_packs_epi32(iv[0], iv[2]), 0xD8));
    _mm256_store_si256(out + 1, _mm256_permute4x64_epi64(_mm256_packs_epi32(iv[1], iv[3]), 0xD8));
    auto* nat = reinterpret_cast<__m256i*>(qn + 32 * b);
    _mm256_store_si256(nat, _mm256_permute4x64_epi64(_mm256_packs_epi32(iv[0], iv[1]), 0xD8));
    _mm256_store_si256(nat + 1, _mm256_permute4x64_epi64(_mm256_packs_epi32(iv[2], iv[3]), 0xD8));
    const int32_t s0 = hsum(_mm256_add_epi32(iv[0], iv[1])),
                  s1 = hsum(_mm256_add_epi32(iv[2], iv[3]));
    dx[b] = d;
    fq[b] = d * static_cast<float>(s0 + s1);
    fq16[2 * b] = d * static_cast<float>(s0);
    fq16[2 * b + 1] = d * static_cast<float>(s1);
  }
}

float RowDotQ16_Q8_0(const void* w, const q16::Acts& a, int64_t k) {
  // Signed codes widened by VPMOVSXBW straight from the block (natural order; measured 15 %
  // faster than unpacking each byte next to itself and shifting it down).
  const auto* b = static_cast<const BlockQ8_0*>(w);
  __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
  auto block = [&](int64_t i, int h) {
    const __m256i lo =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs)));
    const __m256i hi =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b[i].qs + 16)));
    const auto* x = reinterpret_cast<const __m256i*>(a.qn + 32 * i);
    const __m256i s = _mm256_add_epi32(_mm256_madd_epi16(lo, _mm256_load_si256(x)),
                                       _mm256_madd_epi16(hi, _mm256_load_si256(x + 1)));
    acc[h] = ScaleAcc(s, a.dx + i, b[i].d, acc[h]);
  };
  BlockPairs(k / 32, block);
  return SimdAvx2::Sum(_mm256_add_ps(acc[0], acc[1]));
}

float RowDotQ16_Q4_0(const void* w, const q16::Acts& a, int64_t k) { return DotQ4(w, a, k); }
float RowDotQ16_Q5_0(const void* w, const q16::Acts& a, int64_t k) { return DotQ5(w, a, k); }

float RowDotQ16_Q4_K(const void* w, const q16::Acts& a, int64_t k) {
  // Value d * sc * u - dmin * m per 32-value sub-block j; the mins' share is
  // dmin * m * dx * sum(q) = dmin * m * fq, one 8-wide FMA per super-block. The eight
  // d * sc * dx are made in one register and read back as broadcasts (no scalar chains).
  const auto* b = static_cast<const BlockQ4_K*>(w);
  __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
  __m256 mins = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F);
  // The high nibbles are taken where they sit (16 * u, one shift fewer per 64 values); their
  // blocks' scales carry the 1 / 16.
  const __m256 odd16 = _mm256_setr_ps(1.0f, 0.0625f, 1.0f, 0.0625f, 1.0f, 0.0625f, 1.0f, 0.0625f);
  auto u8x8 = [](const uint8_t* v) {
    return _mm256_cvtepi32_ps(
        _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(v))));
  };
  alignas(32) float sdx[8];
  for (int64_t i = 0; i < k / 256; ++i) {
    uint8_t sc[8], m[8];
    ScalesMinsK4(b[i].scales, sc, m);
    const int64_t b0 = 8 * i;  // the super-block's first 32-value block
    _mm256_store_ps(sdx, _mm256_mul_ps(_mm256_mul_ps(u8x8(sc), _mm256_set1_ps(H(b[i].d))),
                                       _mm256_mul_ps(_mm256_loadu_ps(a.dx + b0), odd16)));
    mins = _mm256_fmadd_ps(_mm256_mul_ps(u8x8(m), _mm256_set1_ps(H(b[i].dmin))),
                           _mm256_loadu_ps(a.fq + b0), mins);
    for (int c = 0; c < 4; ++c) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs + 32 * c));
      const __m256i u[2] = {_mm256_and_si256(qv, m4), _mm256_andnot_si256(m4, qv)};
      for (int h = 0; h < 2; ++h) {
        const int64_t bj = b0 + 2 * c + h;
        acc[h] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Dot32u(u[h], a.q + 32 * bj)),
                                 _mm256_broadcast_ss(sdx + 2 * c + h), acc[h]);
      }
    }
  }
  return SimdAvx2::Sum(_mm256_add_ps(acc[0], acc[1])) - SimdAvx2::Sum(mins);
}

float RowDotQ16_Q6_K(const void* w, const q16::Acts& a, int64_t k) {
  // Value d * sc * (u - 32) per 16-value sub-block. Each code enters its 16-bit lane as 16 * u:
  // VPUNPCK puts 16 * (low four bits) in the low byte (the high nibbles masked where they sit)
  // and the top two bits in the high byte (two operations fewer per 32 values than or-ing them
  // into one byte first); the 1 / 16 goes into the scales. A 32-value block's int32 lanes 0-3 sum
  // its first 16 values and lanes 4-7 its last 16 (the unpack order), so one scale register holds
  // both sub-blocks' scales (made per super-block into a small array, with dx and the 1 / 16). The
  // offset's share, d * sc * 32 * fq16, is two 8-wide FMAs per super-block.
  const auto* b = static_cast<const BlockQ6_K*>(w);
  __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
  __m256 corr = _mm256_setzero_ps();
  const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
  alignas(32) float sv[8][8];  // per 32-value block: d * sc of its two sub-blocks (x4) * dx
  for (int64_t i = 0; i < k / 256; ++i) {
    const __m256 d = _mm256_set1_ps(H(b[i].d));
    for (int h = 0; h < 2; ++h) {
      const __m256 scd = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(
                                           reinterpret_cast<const __m128i*>(b[i].scales + 8 * h)))),
                                       d);
      corr = _mm256_fmadd_ps(scd, _mm256_loadu_ps(a.fq16 + 16 * i + 8 * h), corr);
      const __m256 scd16 = _mm256_mul_ps(scd, _mm256_set1_ps(0.0625f));  // the codes are 16 * u
      for (int g = 0; g < 4; ++g) {  // blocks 4h + g: sub-blocks 8h + 2g and 8h + 2g + 1
        const __m256 pair =
            _mm256_permutevar8x32_ps(scd16, _mm256_setr_epi32(2 * g, 2 * g, 2 * g, 2 * g, 2 * g + 1,
                                                              2 * g + 1, 2 * g + 1, 2 * g + 1));
        _mm256_store_ps(sv[4 * h + g],
                        _mm256_mul_ps(pair, _mm256_broadcast_ss(a.dx + 8 * i + 4 * h + g)));
      }
    }
    for (int half = 0; half < 2; ++half) {
      const uint8_t* ql = b[i].ql + 64 * half;
      const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
      const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
      const __m256i hv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qh + 32 * half));
      const __m256i lows[4] = {_mm256_andnot_si256(m4, _mm256_slli_epi16(l0, 4)),
                               _mm256_andnot_si256(m4, _mm256_slli_epi16(l1, 4)),
                               _mm256_andnot_si256(m4, l0), _mm256_andnot_si256(m4, l1)};
      for (int g = 0; g < 4; ++g) {  // values 32g .. 32g + 31 of the half
        const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(hv, 2 * g), m3);
        const int64_t bj = 8 * i + 4 * half + g;
        acc[g & 1] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(Dot32w(lows[g], hi, a.q + 32 * bj)),
                                     _mm256_load_ps(sv[4 * half + g]), acc[g & 1]);
      }
    }
  }
  return SimdAvx2::Sum(_mm256_add_ps(acc[0], acc[1])) - 32.0f * SimdAvx2::Sum(corr);
}

}  // namespace qw::kernels::avx2
