#pragma once
// AVX-512 (F, BW, VL, DQ) traits for the templates in kernels/simd_*.h. Include only from files
// compiled with -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -mf16c.

#include <immintrin.h>

#include <cstdint>
#include <type_traits>

namespace qw::kernels::avx512 {

struct SimdAvx512 {
  using V = __m512;
  static constexpr int64_t kLanes = 16;
  static V Zero() { return _mm512_setzero_ps(); }
  static V LoadF32(const float* p) { return _mm512_loadu_ps(p); }
  static V Add(V a, V b) { return _mm512_add_ps(a, b); }
  static V Fma(V a, V b, V acc) { return _mm512_fmadd_ps(a, b, acc); }
  static float Sum(V v) { return _mm512_reduce_add_ps(v); }
};

struct SimdAvx512F16 : SimdAvx512 {
  template <typename W>
  static V LoadW(const W* p) {
    if constexpr (std::is_same_v<W, float>) {
      return _mm512_loadu_ps(p);
    } else {
      return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    }
  }
};

struct SimdAvx512Bf16 : SimdAvx512 {
  template <typename W>
  static V LoadW(const W* p) {
    if constexpr (std::is_same_v<W, float>) {
      return _mm512_loadu_ps(p);
    } else {
      __m512i u = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
      return _mm512_castsi512_ps(_mm512_slli_epi32(u, 16));
    }
  }
};

}  // namespace qw::kernels::avx512
