#pragma once
// AVX2 + FMA + F16C traits for the templates in kernels/simd_*.h. Include only from files
// compiled with -mavx2 -mfma -mf16c.

#include <immintrin.h>

#include <cstdint>
#include <type_traits>

namespace qw::kernels::avx2 {

struct Bf16Tag {};

struct SimdAvx2 {
  using V = __m256;
  static constexpr int64_t kLanes = 8;
  static V Zero() { return _mm256_setzero_ps(); }
  static V LoadF32(const float* p) { return _mm256_loadu_ps(p); }
  static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  static V Fma(V a, V b, V acc) { return _mm256_fmadd_ps(a, b, acc); }
  static float Sum(V v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    lo = _mm_add_ps(lo, _mm_movehl_ps(lo, lo));
    lo = _mm_add_ss(lo, _mm_movehdup_ps(lo));
    return _mm_cvtss_f32(lo);
  }
  // W = float: plain load; W = uint16_t: see LoadF16 / LoadBf16 via the wrappers below.
  template <typename W>
  static V LoadW(const W* p);
};

template <>
inline __m256 SimdAvx2::LoadW<float>(const float* p) {
  return _mm256_loadu_ps(p);
}

// Two traits differing only in how 16-bit weights widen.
struct SimdAvx2F16 : SimdAvx2 {
  template <typename W>
  static V LoadW(const W* p) {
    if constexpr (std::is_same_v<W, float>) {
      return _mm256_loadu_ps(p);
    } else {
      return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    }
  }
};

struct SimdAvx2Bf16 : SimdAvx2 {
  template <typename W>
  static V LoadW(const W* p) {
    if constexpr (std::is_same_v<W, float>) {
      return _mm256_loadu_ps(p);
    } else {
      __m256i u = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
      return _mm256_castsi256_ps(_mm256_slli_epi32(u, 16));
    }
  }
};

}  // namespace qw::kernels::avx2
