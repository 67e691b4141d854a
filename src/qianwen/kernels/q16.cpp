#include "qianwen/kernels/q16.h"

#include <cmath>
#include <vector>

#include "qianwen/kernels/quant/dequant.h"

namespace qw::kernels::q16 {

void Quantize(const float* x, int64_t k, int16_t* q, int16_t* qn, float* dx, float* fq,
              float* fq16) {
  for (int64_t b = 0; b < k / 32; ++b) {
    const float* xb = x + 32 * b;
    float amax = 0.0f;
    for (int j = 0; j < 32; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    const float d = amax / 32767.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    int32_t sum[2] = {0, 0};
    for (int j = 0; j < 32; ++j) {
      const float v = std::fmin(std::fmax(std::nearbyint(xb[j] * id), -32767.0f), 32767.0f);
      const auto iv = static_cast<int16_t>(v);
      q[32 * b + Position(j)] = iv;
      qn[32 * b + j] = iv;
      sum[j / 16] += iv;
    }
    dx[b] = d;
    fq[b] = d * static_cast<float>(sum[0] + sum[1]);
    fq16[2 * b] = d * static_cast<float>(sum[0]);
    fq16[2 * b + 1] = d * static_cast<float>(sum[1]);
  }
}

float RowDotRef(DType t, const void* w, const Acts& a, int64_t k) {
  std::vector<float> row(static_cast<size_t>(k));
  quant::DequantizerFor(t)(w, row.data(), k);
  double s = 0;
  for (int64_t j = 0; j < k; ++j) {
    const int64_t b = j / 32;
    const double x =
        static_cast<double>(a.dx[b]) * a.q[32 * b + Position(static_cast<int>(j % 32))];
    s += x * row[static_cast<size_t>(j)];
  }
  return static_cast<float>(s);
}

}  // namespace qw::kernels::q16
