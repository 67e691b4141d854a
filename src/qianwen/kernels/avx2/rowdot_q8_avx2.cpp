// The 8-bit-activation row dots (q8_rowdot_impl.h) on plain AVX2: VPMADDUBSW then VPMADDWD
// against ones.

#include "qianwen/kernels/avx2/rowdot_q8_avx2.h"

#include "qianwen/kernels/q8_rowdot_impl.h"

namespace qw::kernels::avx2 {
namespace {
struct DpAvx2 {
  static __m256i Dot(__m256i u, __m256i x) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), _mm256_set1_epi16(1));
  }
};
}  // namespace

float RowDotQ8_0(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ8_0<DpAvx2>(w, a, k);
}
float RowDotQ4_0(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ4Q5_0<DpAvx2, false>(w, a, k);
}
float RowDotQ5_0(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ4Q5_0<DpAvx2, true>(w, a, k);
}
float RowDotQ4_K(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ4_K<DpAvx2>(w, a, k);
}
float RowDotQ6_K(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ6_K<DpAvx2>(w, a, k);
}

}  // namespace qw::kernels::avx2
