#pragma once
// AVX-512 VNNI kernels of the 8-bit-activation prompt product (gemm_q8.h): same contracts as
// q8::QuantizeRef and q8::PanelRef. Only for CPUs with AVX512_VNNI (kernel_table.cpp checks).

#include <cstdint>

#include "qianwen/kernels/gemm_q8.h"

namespace qw::kernels::avx512 {

void QuantizeQ8(const float* x, int64_t ldx, int64_t n, int64_t k, const q8::Layout& l, int8_t* q,
                float* d, int32_t* ic, float* fc);
// Row dots for generation steps (q8::RowDotFn), VPDPBUSD. Q8_0, Q4_0 and Q5_0 need the
// prepared lanes (ActsView::c16, d16).
float RowDotQ8_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ4_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ5_0(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ4_K(const void* w, const q8::ActsView& a, int64_t k);
float RowDotQ6_K(const void* w, const q8::ActsView& a, int64_t k);
// q8::PackPanelFn with 16-lane gathers for Q8_0, Q4_0 and Q5_0 (the reference for the others).
void PackPanelQ8(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                 uint8_t* pan);
void PanelQ8(const q8::Layout& l, const q8::ActsView& a, int64_t n, const uint8_t* panel,
             int64_t nsub, int64_t rows, float* y, int64_t ldy, bool accumulate);

}  // namespace qw::kernels::avx512
