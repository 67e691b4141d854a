#include "qianwen/kernels/dot.h"

namespace qw::kernels {

float DotRef(const float* a, const float* b, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace qw::kernels
