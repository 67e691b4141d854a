#include "qianwen/kernels/ops.h"

#include <cmath>
#include <cstring>

#include "qianwen/core/half.h"
#include "qianwen/kernels/quant/dequant.h"

namespace qw::kernels {

void ToF32(const void* src, DType type, int64_t n, float* dst) {
  quant::DequantFn f = quant::DequantizerFor(type);
  if (f == nullptr) {
    for (int64_t i = 0; i < n; ++i) dst[i] = 0.0f;  // callers validate types first
    return;
  }
  f(src, dst, n);
}

static float LoadAsF32(const void* p, DType t, int64_t i) {
  switch (t) {
    case DType::kF32:
      return static_cast<const float*>(p)[i];
    case DType::kF16:
      return F16ToF32(static_cast<const uint16_t*>(p)[i]);
    case DType::kBF16:
      return Bf16ToF32(static_cast<const uint16_t*>(p)[i]);
    default:
      return 0.0f;
  }
}

void RmsNorm(const float* x, const void* weight, DType wtype, int64_t n, float eps, float* out) {
  // transformers computes the variance in float32: mean of squares, then rsqrt(var + eps). The
  // sum is in double (it removes the order dependence), as eight running sums: one chain of
  // dependent double adds per row cost 2-4 % of a Qwen3 prompt (whose q/k norms run per head).
  double part[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) part[j] += static_cast<double>(x[i + j]) * x[i + j];
  double ss =
      ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
  for (; i < n; ++i) ss += static_cast<double>(x[i]) * x[i];
  float inv = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(n) + eps));
  if (wtype == DType::kF32) {  // GGUF norms
    const auto* w = static_cast<const float*>(weight);
    for (int64_t j = 0; j < n; ++j) out[j] = w[j] * (x[j] * inv);
  } else {
    for (int64_t j = 0; j < n; ++j) out[j] = LoadAsF32(weight, wtype, j) * (x[j] * inv);
  }
}

void RopeRotateHalf(float* x, int64_t d, const float* cos, const float* sin) {
  int64_t half = d / 2;
  for (int64_t j = 0; j < half; ++j) {
    float a = x[j], b = x[j + half];
    x[j] = a * cos[j] - b * sin[j];
    x[j + half] = b * cos[j] + a * sin[j];
  }
}

void Softmax(float* x, int64_t n) {
  float mx = x[0];
  for (int64_t i = 1; i < n; ++i) mx = std::fmax(mx, x[i]);
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  float inv = 1.0f / sum;
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void SiluMul(float* gate, const float* up, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float g = gate[i];
    gate[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void Add(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}

}  // namespace qw::kernels
