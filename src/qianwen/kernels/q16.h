#pragma once
// Generation-step row dots with 16-bit activations, for block-quantized weights on CPUs whose
// float32 dequantize-and-FMA dots cannot keep up with memory (AVX2 without AVX-512, e.g. Zen 3
// at 2.5-3 GHz: the float32 Q5_0 dot reads 4.5-6 GB/s per core, measured, against ~11 GB/s of
// DRAM per core). Each token's activations are quantized once per product to int16 with one
// float scale per 32 values; the dots multiply 16-bit weight codes by them with VPMADDWD into
// exact int32 sums, scaled per block in float32.
//
// Accuracy: a value's error is at most half a step of its block, max|x| / 65534 (about
// 1.5e-5 of the block's largest value): 256 times finer than llama.cpp's 8-bit activations,
// far below the weights' own 4-8-bit quantization. The exact float32 path stays available
// (MakeKernelTable's float32_decode; the CLI's --f32-decode).

#include <cstdint>

#include "qianwen/core/dtype.h"

namespace qw::kernels::q16 {

// Positions of a block's 32 values in q: the middle two groups of eight are swapped
// (0..7, 16..23, 8..15, 24..31), the order in which VPUNPCKLBW / VPUNPCKHBW widen 32 bytes held
// in natural order to two registers of 16-bit codes.
constexpr int Position(int j) {
  return (j >= 8 && j < 16) ? j + 8 : (j >= 16 && j < 24) ? j - 8 : j;
}

// One token's quantized activations, k values (a multiple of 32): q[k] in Position order and
// qn[k] in natural order (both 32-byte aligned; the kernels take whichever their weights'
// widening gives), per 32-value block b: dx[b] (the scale), fq[b] = dx[b] * sum of the block's
// q; per 16 values s: fq16[s] = dx * the sum of those 16 q (Q6_K's sub-blocks).
struct Acts {
  const int16_t* q;
  const int16_t* qn;
  const float* dx;
  const float* fq;
  const float* fq16;
};

// Quantizes k values of x: dx = max|x| / 32767, q = round-to-nearest-even(x / dx) (0 where the
// block is all zero). Buffers: q[k], qn[k], dx[k / 32], fq[k / 32], fq16[k / 16].
void Quantize(const float* x, int64_t k, int16_t* q, int16_t* qn, float* dx, float* fq,
              float* fq16);
using QuantizeFn = void (*)(const float* x, int64_t k, int16_t* q, int16_t* qn, float* dx,
                            float* fq, float* fq16);

// The dot of one weight row (k values of the type's blocks) with one token's activations.
using RowDotFn = float (*)(const void* w, const Acts& a, int64_t k);

// Scalar reference: the row dequantized (quant::DequantizerFor) times the dequantized
// activations dx * q, summed in double. Any block type the dequantizers know.
float RowDotRef(DType t, const void* w, const Acts& a, int64_t k);

}  // namespace qw::kernels::q16
