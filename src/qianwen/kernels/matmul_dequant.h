#pragma once
// Matrix product for block-quantized weights: each weight row is dequantized once (bit-exact,
// quant/dequant.h) into a scratch row, then dotted with every token's float32 activations.
// Activations stay float32, so accuracy is that of the dequantized weights (llama.cpp instead
// rounds activations to 8 bits). `Dot` is the ISA's f32 dot product.

#include <cstdint>
#include <vector>

#include "qianwen/core/dtype.h"
#include "qianwen/kernels/quant/dequant.h"

namespace qw::kernels {

template <DType T, float (*Dot)(const float*, const float*, int64_t)>
void MatmulDequant(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                   float* y, int64_t ldy) {
  const quant::DequantFn dq = quant::DequantizerFor(T);
  const size_t row_bytes = static_cast<size_t>(k) / DTypeBlockElements(T) * DTypeBlockBytes(T);
  std::vector<float> row(static_cast<size_t>(k));
  const auto* base = static_cast<const uint8_t*>(w);
  for (int64_t r = r0; r < r1; ++r) {
    dq(base + static_cast<size_t>(r) * row_bytes, row.data(), k);
    for (int64_t i = 0; i < n; ++i) y[i * ldy + r] = Dot(x + i * k, row.data(), k);
  }
}

}  // namespace qw::kernels
