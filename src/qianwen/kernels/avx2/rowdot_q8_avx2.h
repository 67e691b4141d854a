#pragma once
// Row dots of block-quantized weights with 8-bit activations, AVX2 (VPMADDUBSW + VPMADDWD);
// contract as q8::RowDotFn (gemm_q8.h), and the prompt panel.

#include <cstdint>

#include "qianwen/kernels/gemm_q8.h"

namespace qw::kernels::avx2 {

float RowDotQ8_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ4_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ5_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ4_K(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ6_K(const void* w, const q8::ActsView& a, int64_t k);
// q8::QuantizeFn, bit-identical to q8::QuantizeRef.
void QuantizeQ8(const float* x, int64_t ldx, int64_t n, int64_t k, const q8::Layout& l, int8_t* q,
                float* d, int32_t* ic, float* fc);
// The prompt panel (q8::PanelFn, VPMADDUBSW + VPMADDWD; gemm_q8_avx2.cpp): exact for codes up
// to 64, so Q8_0 panels go to q8::PanelRef.
void PanelQ8(const q8::Layout& l, const q8::ActsView& a, int64_t n, const uint8_t* panel,
             int64_t nsub, int64_t rows, float* y, int64_t ldy, bool accumulate);

}  // namespace qw::kernels::avx2
