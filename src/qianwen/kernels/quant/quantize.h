#pragma once
// Quantizers producing ggml's block layouts with llama.cpp's reference algorithms (the ones
// llama-quantize uses without an importance matrix), so our files hold the same bytes for the
// same float input and are read by llama.cpp unchanged. Also F32 -> F16/BF16/F32.

#include <cstdint>

#include "qianwen/core/dtype.h"
#include "qianwen/core/status.h"

namespace qw::kernels::quant {

// Types QuantizeRow can produce.
bool CanQuantizeTo(DType t);
// x: n floats (n a multiple of t's block); out: RowBytes(t, n) bytes.
void QuantizeRow(DType t, const float* x, void* out, int64_t n);

}  // namespace qw::kernels::quant
