// Transposed float32 panels for the AVX-512 GEMM (gemm.h): 16 rows x 16 values at a time are
// loaded (widened from F16/BF16 on the way, or from rows dequantized into tmp) and transposed
// in registers. The scalar scatter it replaces took 12 % of a BF16 prompt.

#include <immintrin.h>

#include <cstring>

#include "qianwen/kernels/gemm.h"
#include "qianwen/kernels/quant/blocks.h"
#include "qianwen/kernels/quant/dequant.h"

namespace qw::kernels::avx512 {
namespace {

// r[i] holds values j0..j0+15 of row i; writes column c (16 rows) to dst + c * kRb.
inline void Transpose16(const __m512 r[16], float* dst) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // u[q][c]: rows 4q..4q+3 of columns c, c+4, c+8, c+12 (one per 128-bit lane).
  __m512 u[4][4];
  for (int q = 0; q < 4; ++q) {
    u[q][0] = _mm512_shuffle_ps(t[4 * q], t[4 * q + 2], 0x44);
    u[q][1] = _mm512_shuffle_ps(t[4 * q], t[4 * q + 2], 0xEE);
    u[q][2] = _mm512_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0x44);
    u[q][3] = _mm512_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0xEE);
  }
  for (int c = 0; c < 4; ++c) {
    const __m512 p = _mm512_shuffle_f32x4(u[0][c], u[1][c], 0x44);
    const __m512 q = _mm512_shuffle_f32x4(u[2][c], u[3][c], 0x44);
    const __m512 p2 = _mm512_shuffle_f32x4(u[0][c], u[1][c], 0xEE);
    const __m512 q2 = _mm512_shuffle_f32x4(u[2][c], u[3][c], 0xEE);
    _mm512_storeu_ps(dst + (c + 0) * kRb, _mm512_shuffle_f32x4(p, q, 0x88));
    _mm512_storeu_ps(dst + (c + 4) * kRb, _mm512_shuffle_f32x4(p, q, 0xDD));
    _mm512_storeu_ps(dst + (c + 8) * kRb, _mm512_shuffle_f32x4(p2, q2, 0x88));
    _mm512_storeu_ps(dst + (c + 12) * kRb, _mm512_shuffle_f32x4(p2, q2, 0xDD));
  }
}

// 16 values of a row from j (a multiple of 16), widened or dequantized to float32 with the
// same operations as the scalar dequantizers (q * d; Q4_K's d1 * q - m1 rounded twice, this
// file being compiled without FMA contraction; Q6_K's (d * sc) * q), so bit for bit the same.
inline __m512 Load16(DType t, const uint8_t* row, int64_t j) {
  switch (t) {
    case DType::kF32:
      return _mm512_loadu_ps(reinterpret_cast<const float*>(row) + j);
    case DType::kF16:
      return _mm512_cvtph_ps(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * static_cast<size_t>(j))));
    case DType::kBF16: {  // the top half of a float32
      const __m256i h =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(row + 2 * static_cast<size_t>(j)));
      return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
    case DType::kQ8_0: {
      const auto* b = reinterpret_cast<const quant::BlockQ8_0*>(row) + j / 32;
      const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b->qs + j % 32));
      return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q)),
                           _mm512_set1_ps(_cvtsh_ss(b->d)));
    }
    case DType::kQ4_0:
    case DType::kQ5_0: {  // low nibbles: values 0..15 of the block, high nibbles 16..31
      const bool five = t == DType::kQ5_0;
      const uint8_t* blk = row + static_cast<size_t>(j / 32) * (five ? 22 : 18);
      uint16_t d;
      std::memcpy(&d, blk, 2);
      const uint8_t* qs = blk + (five ? 6 : 2);
      __m512i v = _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(qs)));
      v = (j % 32 == 0) ? _mm512_and_si512(v, _mm512_set1_epi32(0x0F)) : _mm512_srli_epi32(v, 4);
      int off = 8;
      if (five) {  // fifth bits: bit i of qh belongs to value i
        uint32_t qh;
        std::memcpy(&qh, blk + 2, 4);
        const auto m = static_cast<__mmask16>(qh >> (j % 32));
        v = _mm512_mask_or_epi32(v, m, v, _mm512_set1_epi32(0x10));
        off = 16;
      }
      v = _mm512_sub_epi32(v, _mm512_set1_epi32(off));
      return _mm512_mul_ps(_mm512_cvtepi32_ps(v), _mm512_set1_ps(_cvtsh_ss(d)));
    }
    case DType::kQ4_K: {  // per 64 values: 32 low nibbles (sub-block 2c), 32 high (2c + 1)
      const auto* b = reinterpret_cast<const quant::BlockQ4_K*>(row) + j / 256;
      const int64_t o = j % 256, c = o / 64, p = o % 64;
      uint8_t sc, m;
      quant::ScaleMinK4(static_cast<int>(2 * c + p / 32), b->scales, &sc, &m);
      const float d1 = _cvtsh_ss(b->d) * sc, m1 = _cvtsh_ss(b->dmin) * m;
      const __m512i v = _mm512_cvtepu8_epi32(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(b->qs + 32 * c + p % 32)));
      const __m512i q =
          p < 32 ? _mm512_and_si512(v, _mm512_set1_epi32(0x0F)) : _mm512_srli_epi32(v, 4);
      return _mm512_sub_ps(_mm512_mul_ps(_mm512_set1_ps(d1), _mm512_cvtepi32_ps(q)),
                           _mm512_set1_ps(m1));
    }
    case DType::kQ6_K: {  // per 128 values: four quarters of 32, low nibbles then high
      const auto* b = reinterpret_cast<const quant::BlockQ6_K*>(row) + j / 256;
      const int64_t o = j % 256, h = o / 128, w = o % 128, qq = w / 32, l0 = w % 32;
      const __m512i l = _mm512_cvtepu8_epi32(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(b->ql + 64 * h + 32 * (qq % 2) + l0)));
      const __m512i hb = _mm512_cvtepu8_epi32(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(b->qh + 32 * h + l0)));
      const __m512i lo =
          qq < 2 ? _mm512_and_si512(l, _mm512_set1_epi32(0x0F)) : _mm512_srli_epi32(l, 4);
      const __m512i hi =
          _mm512_slli_epi32(_mm512_and_si512(_mm512_srli_epi32(hb, static_cast<unsigned>(2 * qq)),
                                             _mm512_set1_epi32(3)),
                            4);
      const __m512i q = _mm512_sub_epi32(_mm512_or_si512(lo, hi), _mm512_set1_epi32(32));
      const float ds = _cvtsh_ss(b->d) * static_cast<float>(b->scales[8 * h + w / 16]);
      return _mm512_mul_ps(_mm512_set1_ps(ds), _mm512_cvtepi32_ps(q));
    }
    default:
      return _mm512_setzero_ps();  // not reached: Direct() is false
  }
}

// Whether Load16 reads the type straight from its blocks.
inline bool Direct(DType t) {
  return t == DType::kF32 || t == DType::kF16 || t == DType::kBF16 || t == DType::kQ8_0 ||
         t == DType::kQ4_0 || t == DType::kQ5_0 || t == DType::kQ4_K || t == DType::kQ6_K;
}

}  // namespace

void PackTransposed(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                    float* tmp, float* p) {
  const bool direct = Direct(t);
  if (!direct) {  // dequantize the rows first (row-major in tmp)
    const quant::DequantFn dq = quant::DequantizerFor(t);
    for (int64_t r = 0; r < rows; ++r)
      dq(src + static_cast<size_t>(r) * row_bytes, tmp + r * kc, kc);
  }
  const int64_t full = kc / 16 * 16;
  for (int64_t g = 0; g < kRb / 16; ++g) {
    for (int64_t j = 0; j < full; j += 16) {
      __m512 r[16];
      for (int i = 0; i < 16; ++i) {
        const int64_t row = g * 16 + i;
        if (row >= rows) {
          r[i] = _mm512_setzero_ps();
        } else if (direct) {
          r[i] = Load16(t, src + static_cast<size_t>(row) * row_bytes, j);
        } else {
          r[i] = _mm512_loadu_ps(tmp + row * kc + j);
        }
      }
      Transpose16(r, p + j * kRb + g * 16);
    }
  }
  if (full < kc) {  // the last kc % 16 values, one at a time
    for (int64_t r = 0; r < kRb; ++r) {
      float vals[16] = {};
      if (r < rows) {
        if (direct) {  // float types only: block types have kc % 32 == 0
          const quant::DequantFn dq = quant::DequantizerFor(t);
          const size_t esz = t == DType::kF32 ? 4 : 2;
          dq(src + static_cast<size_t>(r) * row_bytes + static_cast<size_t>(full) * esz, vals,
             kc - full);
        } else {
          for (int64_t j = full; j < kc; ++j) vals[j - full] = tmp[r * kc + j];
        }
      }
      for (int64_t j = full; j < kc; ++j) p[j * kRb + r] = vals[j - full];
    }
  }
}

}  // namespace qw::kernels::avx512
