// The 8-bit-activation row dots (q8_rowdot_impl.h) with AVX-512 VNNI's VPDPBUSD on 256-bit
// registers.

#include "qianwen/kernels/avx512/gemm_q8_avx512.h"
#include "qianwen/kernels/q8_rowdot_impl.h"

namespace qw::kernels::avx512 {
namespace {
struct DpVnni {
  static __m256i Dot(__m256i u, __m256i x) {
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, x);
  }
};
}  // namespace

float RowDotQ4_0(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ4Q5_0<DpVnni, false>(w, a, k);
}
float RowDotQ5_0(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ4Q5_0<DpVnni, true>(w, a, k);
}
float RowDotQ4_K(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ4_K<DpVnni>(w, a, k);
}
float RowDotQ6_K(const void* w, const q8::ActsView& a, int64_t k) {
  return q8::DotQ6_K<DpVnni>(w, a, k);
}

}  // namespace qw::kernels::avx512
