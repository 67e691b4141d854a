#pragma once
// Row dots of block-quantized weights with 8-bit activations, AVX2 (VPMADDUBSW + VPMADDWD);
// contract as q8::RowDotFn (gemm_q8.h).

#include <cstdint>

#include "qianwen/kernels/gemm_q8.h"

namespace qw::kernels::avx2 {

float RowDotQ8_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ4_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ5_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ4_K(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ6_K(const void* w, const q8::ActsView& a, int64_t k);

}  // namespace qw::kernels::avx2
