#pragma once
// Generation-step row dots with 16-bit activations (q16.h) on AVX2: the weight codes widened
// to 16 bits inside each 128-bit lane (VPUNPCKLBW / VPUNPCKHBW; the activations are stored in
// that order), multiplied by VPMADDWD into exact int32 sums, one float32 FMA per block.

#include <cstdint>

#include "qianwen/kernels/q16.h"

namespace qw::kernels::avx2 {

// q16::Quantize, bit-identical (q aligned to 32 bytes).
void QuantizeQ16(const float* x, int64_t k, int16_t* q, int16_t* qn, float* dx, float* fq,
                 float* fq16);

float RowDotQ16_Q8_0(const void* w, const q16::Acts& a, int64_t k);
float RowDotQ16_Q4_0(const void* w, const q16::Acts& a, int64_t k);
float RowDotQ16_Q5_0(const void* w, const q16::Acts& a, int64_t k);
float RowDotQ16_Q4_K(const void* w, const q16::Acts& a, int64_t k);
float RowDotQ16_Q6_K(const void* w, const q16::Acts& a, int64_t k);

}  // namespace qw::kernels::avx2
