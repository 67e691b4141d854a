#pragma once
// Scalar dequantization of ggml block types, bit-identical to ggml's to_float (the same float
// operations in the same order, no FMA contraction), plus F16/BF16/F32 widening.

#include <cstdint>

#include "qianwen/core/dtype.h"

namespace qw::kernels::quant {

using DequantFn = void (*)(const void* src, float* dst, int64_t n);

// The dequantizer of a type (n must be a multiple of its block), nullptr for unsupported types.
DequantFn DequantizerFor(DType t);

}  // namespace qw::kernels::quant
