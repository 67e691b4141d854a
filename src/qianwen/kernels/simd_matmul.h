#pragma once
// The SIMD matrix product, written once over a traits type S (see avx2/simd_avx2.h) and
// instantiated per ISA in that ISA's folder under its own compiler flags.
//
// S provides: V (register of S::kLanes f32), Zero(), LoadF32(const float*),
// LoadW<W>(const W*) (kLanes stored weights widened to f32), Fma(a, b, acc), Sum(V).
// Weights are read once per tile of four tokens, so prefill reuses each converted weight
// register four times; a lone token (decode) uses four independent accumulators to hide FMA
// latency. Tails (k not a multiple of kLanes) are done in scalar.

#include <cstdint>

namespace qw::kernels {

template <typename S, typename W, float (*Conv)(W)>
void SimdMatmul(const float* x, int64_t n, int64_t k, const void* wv, int64_t r0, int64_t r1,
                float* y, int64_t ldy) {
  using V = typename S::V;
  constexpr int64_t L = S::kLanes;
  const W* w = static_cast<const W*>(wv);
  const int64_t kv = k - k % L;
  const size_t row_bytes = static_cast<size_t>(k) * sizeof(W);
  const uint8_t* end = reinterpret_cast<const uint8_t*>(w + r1 * k);
  for (int64_t r = r0; r < r1; ++r) {
    const W* row = w + r * k;
    // Prefetch 4 KiB ahead: the hardware prefetcher stops at page boundaries of the mapping.
    for (size_t off = 0; off < row_bytes; off += 64) {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(row) + 4096 + off;
      if (p < end) __builtin_prefetch(p, 0, 1);
    }
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
      const float* x0 = x + i * k;
      const float* x1 = x0 + k;
      const float* x2 = x1 + k;
      const float* x3 = x2 + k;
      V a0 = S::Zero(), a1 = S::Zero(), a2 = S::Zero(), a3 = S::Zero();
      for (int64_t j = 0; j < kv; j += L) {
        V wj = S::template LoadW<W>(row + j);
        a0 = S::Fma(S::LoadF32(x0 + j), wj, a0);
        a1 = S::Fma(S::LoadF32(x1 + j), wj, a1);
        a2 = S::Fma(S::LoadF32(x2 + j), wj, a2);
        a3 = S::Fma(S::LoadF32(x3 + j), wj, a3);
      }
      float s[4] = {S::Sum(a0), S::Sum(a1), S::Sum(a2), S::Sum(a3)};
      for (int64_t j = kv; j < k; ++j) {
        float wj = Conv(row[j]);
        s[0] += x0[j] * wj;
        s[1] += x1[j] * wj;
        s[2] += x2[j] * wj;
        s[3] += x3[j] * wj;
      }
      for (int t = 0; t < 4; ++t) y[(i + t) * ldy + r] = s[t];
    }
    for (; i < n; ++i) {
      const float* xi = x + i * k;
      V a0 = S::Zero(), a1 = S::Zero(), a2 = S::Zero(), a3 = S::Zero();
      int64_t j = 0;
      for (; j + 4 * L <= kv; j += 4 * L) {
        a0 = S::Fma(S::LoadF32(xi + j), S::template LoadW<W>(row + j), a0);
        a1 = S::Fma(S::LoadF32(xi + j + L), S::template LoadW<W>(row + j + L), a1);
        a2 = S::Fma(S::LoadF32(xi + j + 2 * L), S::template LoadW<W>(row + j + 2 * L), a2);
        a3 = S::Fma(S::LoadF32(xi + j + 3 * L), S::template LoadW<W>(row + j + 3 * L), a3);
      }
      for (; j < kv; j += L) a0 = S::Fma(S::LoadF32(xi + j), S::template LoadW<W>(row + j), a0);
      float s = S::Sum(S::Add(S::Add(a0, a1), S::Add(a2, a3)));
      for (; j < k; ++j) s += xi[j] * Conv(row[j]);
      y[i * ldy + r] = s;
    }
  }
}

}  // namespace qw::kernels
