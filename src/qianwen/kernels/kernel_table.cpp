#include "qianwen/kernels/kernel_table.h"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "qianwen/core/aligned.h"
#include "qianwen/kernels/avx2/exp_avx2.h"
#include "qianwen/kernels/avx2/matmul_avx2.h"
#include "qianwen/kernels/avx2/quant_dot_avx2.h"
#include "qianwen/kernels/avx2/rowdot_q16_avx2.h"
#include "qianwen/kernels/avx2/rowdot_q8_avx2.h"
#include "qianwen/kernels/avx512/gemm_q8_avx512.h"
#include "qianwen/kernels/avx512/kernels_avx512.h"
#include "qianwen/kernels/dot.h"
#include "qianwen/kernels/gemm.h"
#include "qianwen/kernels/gemm_q8.h"
#include "qianwen/kernels/matmul_dequant.h"
#include "qianwen/kernels/ops.h"
#include "qianwen/kernels/q16.h"
#include "qianwen/kernels/ref/matmul_ref.h"

namespace qw::kernels {

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvx512:
      return "avx512";
  }
  return "?";
}

Isa DetectIsa() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("f16c");
  if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    return Isa::kAvx512;
  }
  if (avx2) return Isa::kAvx2;
#endif
  return Isa::kScalar;
}

bool HasAvx512Vnni() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  return DetectIsa() == Isa::kAvx512 && __builtin_cpu_supports("avx512vnni");
#else
  return false;
#endif
}

Result<Isa> ParseIsa(const std::string& name) {
  if (name == "scalar") return Isa::kScalar;
  if (name == "avx2") return Isa::kAvx2;
  if (name == "avx512") return Isa::kAvx512;
  return InvalidArgument("unknown ISA '" + name + "' (known: scalar, avx2, avx512)");
}

namespace {

// The panel layout each microkernel wants (gemm.h).
template <PanelFn Panel>
PanelFormat FormatOf() {
  return Panel == avx2::Panel ? PanelFormat::kRowMajor : PanelFormat::kTransposed;
}
// The packer of the panel kernel's table.
template <PanelFn Panel>
PackFn PackOf() {
  return Panel == avx512::Panel ? avx512::PackTransposed : PackTransposedRef;
}

// Few tokens (decode): `Small`, which streams each weight row once; many tokens (prompts): the
// blocked GEMM with the ISA's panel microkernel.
template <DType T, MatmulFn Small, PanelFn Panel>
void MatmulAuto(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                float* y, int64_t ldy) {
  if (n >= kMinGemmTokens) {
    Gemm(T, Panel, FormatOf<Panel>(), PackOf<Panel>(), x, n, k, w, r0, r1, y, ldy);
  } else {
    Small(x, n, k, w, r0, r1, y, ldy);
  }
}

// The same with 8-bit activations for prompts (gemm_q8.h).
template <DType T, MatmulFn Small, q8::QuantizeFn Quantize, q8::PanelFn Panel,
          q8::PackPanelFn Pack = q8::PackPanelRef>
void MatmulAutoQ8(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                  float* y, int64_t ldy) {
  if (n >= kMinGemmTokens) {
    q8::Gemm(T, Quantize, Panel, x, n, k, w, r0, r1, y, ldy, Pack);
  } else {
    Small(x, n, k, w, r0, r1, y, ldy);
  }
}

// The data cache line size the OS reports (64 where it reports none): the prefetch stride.
size_t CacheLineBytes() {
  const long line = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
  return line >= 16 && line <= 1024 ? static_cast<size_t>(line) : 64;
}

// Calls f(row_pointer, r) for rows [r0, r1) of a weight matrix, prefetching 8 KiB ahead, one
// prefetch per cache line: the hardware prefetcher stops at every 4 KiB page boundary, and
// prefetching keeps single-core streaming near the DRAM bandwidth (docs/PERFORMANCE.md; every
// other line measured 17 % slower). The stride is the line size read at run time: a build of
// this loop around a constant 64 (same instructions but for the add's operand) ran generation
// 10-20 % slower, a slow case whose cause is not known (docs/PERFORMANCE.md).
template <class F>
void StreamRows(const void* w, size_t row_bytes, int64_t r0, int64_t r1, F&& f) {
  static const size_t line = CacheLineBytes();
  const auto* base = static_cast<const uint8_t*>(w);
  constexpr size_t kAhead = 8192;
  const uint8_t* end = base + static_cast<size_t>(r1) * row_bytes;
  for (int64_t r = r0; r < r1; ++r) {
    const uint8_t* row = base + static_cast<size_t>(r) * row_bytes;
    for (size_t off = 0; off < row_bytes; off += line) {
      const uint8_t* p = row + kAhead + off;
      if (p < end) __builtin_prefetch(p, 0, 1);
    }
    f(row, r);
  }
}

// Few tokens, fused: each weight row is dequantized in registers and dotted with each token.
template <DType T, float (*RowDot)(const void*, const float*, int64_t)>
void MatmulRowDot(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                  float* y, int64_t ldy) {
  size_t row_bytes = 0;
  RowBytes(T, k, &row_bytes);
  StreamRows(w, row_bytes, r0, r1, [&](const uint8_t* row, int64_t r) {
    for (int64_t i = 0; i < n; ++i) y[i * ldy + r] = RowDot(row, x + i * k, k);
  });
}

// The same for dots that also take each token's sums of x per 32 values (xsum[k / 32]): the
// K-quants' mins contribute dmin * m * sum(x) per sub-block, and summing x once per token
// instead of once per row takes that work out of the row loop.
template <DType T, float (*RowDot)(const void*, const float*, const float*, int64_t)>
void MatmulRowDotSums(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                      float* y, int64_t ldy) {
  const int64_t ns = k / 32;
  AlignedVector<float> sums(static_cast<size_t>(n * ns));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t s = 0; s < ns; ++s) {
      const float* v = x + i * k + 32 * s;
      float part[8] = {};  // eight running sums: independent chains, and a vectorizable loop
      for (int j = 0; j < 32; ++j) part[j % 8] += v[j];
      sums[static_cast<size_t>(i * ns + s)] =
          ((part[0] + part[4]) + (part[1] + part[5])) + ((part[2] + part[6]) + (part[3] + part[7]));
    }
  }
  size_t row_bytes = 0;
  RowBytes(T, k, &row_bytes);
  StreamRows(w, row_bytes, r0, r1, [&](const uint8_t* row, int64_t r) {
    for (int64_t i = 0; i < n; ++i)
      y[i * ldy + r] = RowDot(row, x + i * k, sums.data() + i * ns, k);
  });
}

// Few tokens with 8-bit activations: the tokens are quantized once (the type's layout), then
// each weight row is read once and dotted with integer instructions.
template <DType T, q8::RowDotFn RowDot, q8::QuantizeFn Quantize>
void MatmulRowDotQ8(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                    float* y, int64_t ldy) {
  const q8::Layout l = q8::LayoutOf(T);
  const int64_t nsub = k / l.sub;
  AlignedVector<int8_t> q(static_cast<size_t>(n * k));
  std::vector<float> d(static_cast<size_t>(n * nsub)), fc(d.size());
  std::vector<int32_t> ic(d.size());
  Quantize(x, k, n, k, l, q.data(), d.data(), ic.data(), fc.data());
  // The 512-bit kernels' lanes (cheap: O(k) per token).
  const int64_t nl = 16 * ((k + 63) / 64);
  AlignedVector<int32_t> c16(static_cast<size_t>(n * nl));
  AlignedVector<float> d16(c16.size());
  for (int64_t i = 0; i < n; ++i)
    q8::PrepareLanes(ic.data() + i * nsub, d.data() + i * nsub, k, l.sub, c16.data() + i * nl,
                     d16.data() + i * nl);
  size_t row_bytes = 0;
  RowBytes(T, k, &row_bytes);
  StreamRows(w, row_bytes, r0, r1, [&](const uint8_t* row, int64_t r) {
    for (int64_t i = 0; i < n; ++i) {
      const q8::ActsView a{q.data() + i * k,
                           d.data() + i * nsub,
                           ic.data() + i * nsub,
                           fc.data() + i * nsub,
                           k,
                           nsub,
                           c16.data() + i * nl,
                           d16.data() + i * nl};
      y[i * ldy + r] = RowDot(row, a, k);
    }
  });
}

// Few tokens with 16-bit activations (q16.h): each token quantized once, then each weight row
// read once and dotted with VPMADDWD.
template <DType T, q16::RowDotFn RowDot, q16::QuantizeFn Quantize>
void MatmulRowDotQ16(const float* x, int64_t n, int64_t k, const void* w, int64_t r0, int64_t r1,
                     float* y, int64_t ldy) {
  const int64_t nb = k / 32;
  AlignedVector<int16_t> q(static_cast<size_t>(n * k)), qn(q.size());
  AlignedVector<float> dx(static_cast<size_t>(n * nb)), fq(dx.size()), fq16(2 * dx.size());
  for (int64_t i = 0; i < n; ++i)
    Quantize(x + i * k, k, q.data() + i * k, qn.data() + i * k, dx.data() + i * nb,
             fq.data() + i * nb, fq16.data() + 2 * i * nb);
  size_t row_bytes = 0;
  RowBytes(T, k, &row_bytes);
  StreamRows(w, row_bytes, r0, r1, [&](const uint8_t* row, int64_t r) {
    for (int64_t i = 0; i < n; ++i) {
      const q16::Acts a{q.data() + i * k, qn.data() + i * k, dx.data() + i * nb, fq.data() + i * nb,
                        fq16.data() + 2 * i * nb};
      y[i * ldy + r] = RowDot(row, a, k);
    }
  });
}

// Generation steps with 16-bit activations on AVX2 (prompts keep the float32 GEMM): on an
// AVX2-only CPU the float32 dots of these types are bound by their arithmetic, not by memory.
void FillInt16DecodeAvx2(KernelTable* t) {
  auto set = [&](DType d, MatmulFn f) { t->matmul[static_cast<int>(d)] = f; };
  constexpr q16::QuantizeFn kQ = avx2::QuantizeQ16;
  set(DType::kQ8_0,
      MatmulAuto<DType::kQ8_0, MatmulRowDotQ16<DType::kQ8_0, avx2::RowDotQ16_Q8_0, kQ>,
                 avx2::Panel>);
  set(DType::kQ4_0,
      MatmulAuto<DType::kQ4_0, MatmulRowDotQ16<DType::kQ4_0, avx2::RowDotQ16_Q4_0, kQ>,
                 avx2::Panel>);
  set(DType::kQ5_0,
      MatmulAuto<DType::kQ5_0, MatmulRowDotQ16<DType::kQ5_0, avx2::RowDotQ16_Q5_0, kQ>,
                 avx2::Panel>);
  set(DType::kQ4_K,
      MatmulAuto<DType::kQ4_K, MatmulRowDotQ16<DType::kQ4_K, avx2::RowDotQ16_Q4_K, kQ>,
                 avx2::Panel>);
  set(DType::kQ6_K,
      MatmulAuto<DType::kQ6_K, MatmulRowDotQ16<DType::kQ6_K, avx2::RowDotQ16_Q6_K, kQ>,
                 avx2::Panel>);
  t->int16_decode = true;
}

// The AVX2 fused row dots (AVX-512 machines run them too), with the ISA's prompt panel.
template <PanelFn Panel>
void FillFusedAvx2(KernelTable* t) {
  auto set = [&](DType d, MatmulFn f) { t->matmul[static_cast<int>(d)] = f; };
  set(DType::kQ8_0, MatmulAuto<DType::kQ8_0, MatmulRowDot<DType::kQ8_0, avx2::DotQ8_0>, Panel>);
  set(DType::kQ4_0, MatmulAuto<DType::kQ4_0, MatmulRowDot<DType::kQ4_0, avx2::DotQ4_0>, Panel>);
  set(DType::kQ5_0, MatmulAuto<DType::kQ5_0, MatmulRowDot<DType::kQ5_0, avx2::DotQ5_0>, Panel>);
  set(DType::kQ4_K, MatmulAuto<DType::kQ4_K, MatmulRowDotSums<DType::kQ4_K, avx2::DotQ4_K>, Panel>);
  set(DType::kQ6_K, MatmulAuto<DType::kQ6_K, MatmulRowDot<DType::kQ6_K, avx2::DotQ6_K>, Panel>);
}

template <float (*Dot)(const float*, const float*, int64_t), PanelFn Panel>
void FillQuant(KernelTable* t) {
  auto set = [&](DType d, MatmulFn f) { t->matmul[static_cast<int>(d)] = f; };
  set(DType::kQ4_0, MatmulAuto<DType::kQ4_0, MatmulDequant<DType::kQ4_0, Dot>, Panel>);
  set(DType::kQ4_1, MatmulAuto<DType::kQ4_1, MatmulDequant<DType::kQ4_1, Dot>, Panel>);
  set(DType::kQ5_0, MatmulAuto<DType::kQ5_0, MatmulDequant<DType::kQ5_0, Dot>, Panel>);
  set(DType::kQ5_1, MatmulAuto<DType::kQ5_1, MatmulDequant<DType::kQ5_1, Dot>, Panel>);
  set(DType::kQ8_0, MatmulAuto<DType::kQ8_0, MatmulDequant<DType::kQ8_0, Dot>, Panel>);
  set(DType::kQ2_K, MatmulAuto<DType::kQ2_K, MatmulDequant<DType::kQ2_K, Dot>, Panel>);
  set(DType::kQ3_K, MatmulAuto<DType::kQ3_K, MatmulDequant<DType::kQ3_K, Dot>, Panel>);
  set(DType::kQ4_K, MatmulAuto<DType::kQ4_K, MatmulDequant<DType::kQ4_K, Dot>, Panel>);
  set(DType::kQ5_K, MatmulAuto<DType::kQ5_K, MatmulDequant<DType::kQ5_K, Dot>, Panel>);
  set(DType::kQ6_K, MatmulAuto<DType::kQ6_K, MatmulDequant<DType::kQ6_K, Dot>, Panel>);
}

// 8-bit activations on AVX2: generation steps with VPMADDUBSW row dots (Q8_0's signed codes
// with the sign moved onto the activations) and prompts through the VPMADDUBSW panel, except
// Q8_0's (codes up to 255 would saturate its int16 pairs: the float32 GEMM stays).
void FillInt8Avx2(KernelTable* t) {
  auto set = [&](DType d, MatmulFn f) { t->matmul[static_cast<int>(d)] = f; };
  constexpr q8::QuantizeFn kQ = avx2::QuantizeQ8;
  constexpr q8::PanelFn kP = avx2::PanelQ8;
  set(DType::kQ8_0,
      MatmulAuto<DType::kQ8_0, MatmulRowDotQ8<DType::kQ8_0, avx2::RowDotQ8_0, kQ>, avx2::Panel>);
  set(DType::kQ4_0,
      MatmulAutoQ8<DType::kQ4_0, MatmulRowDotQ8<DType::kQ4_0, avx2::RowDotQ4_0, kQ>, kQ, kP>);
  set(DType::kQ5_0,
      MatmulAutoQ8<DType::kQ5_0, MatmulRowDotQ8<DType::kQ5_0, avx2::RowDotQ5_0, kQ>, kQ, kP>);
  set(DType::kQ4_K,
      MatmulAutoQ8<DType::kQ4_K, MatmulRowDotQ8<DType::kQ4_K, avx2::RowDotQ4_K, kQ>, kQ, kP>);
  set(DType::kQ6_K,
      MatmulAutoQ8<DType::kQ6_K, MatmulRowDotQ8<DType::kQ6_K, avx2::RowDotQ6_K, kQ>, kQ, kP>);
  t->int8_activations = true;
}

// 8-bit activations with AVX-512 VNNI: VPDPBUSD row dots for generation steps and the VNNI
// prompt GEMM for every block type.
void FillInt8Avx512(KernelTable* t) {
  auto set = [&](DType d, MatmulFn f) { t->matmul[static_cast<int>(d)] = f; };
  constexpr q8::QuantizeFn kQ = avx512::QuantizeQ8;
  constexpr q8::PanelFn kP = avx512::PanelQ8;
  constexpr q8::PackPanelFn kPk = avx512::PackPanelQ8;
  set(DType::kQ8_0, MatmulAutoQ8<DType::kQ8_0, MatmulRowDotQ8<DType::kQ8_0, avx512::RowDotQ8_0, kQ>,
                                 kQ, kP, kPk>);
  set(DType::kQ5_0, MatmulAutoQ8<DType::kQ5_0, MatmulRowDotQ8<DType::kQ5_0, avx512::RowDotQ5_0, kQ>,
                                 kQ, kP, kPk>);
  set(DType::kQ4_0, MatmulAutoQ8<DType::kQ4_0, MatmulRowDotQ8<DType::kQ4_0, avx512::RowDotQ4_0, kQ>,
                                 kQ, kP, kPk>);
  set(DType::kQ4_K,
      MatmulAutoQ8<DType::kQ4_K, MatmulRowDotQ8<DType::kQ4_K, avx512::RowDotQ4_K, kQ>, kQ, kP>);
  set(DType::kQ6_K,
      MatmulAutoQ8<DType::kQ6_K, MatmulRowDotQ8<DType::kQ6_K, avx512::RowDotQ6_K, kQ>, kQ, kP>);
  set(DType::kQ4_1, MatmulAutoQ8<DType::kQ4_1, MatmulDequant<DType::kQ4_1, avx512::Dot>, kQ, kP>);
  set(DType::kQ5_1, MatmulAutoQ8<DType::kQ5_1, MatmulDequant<DType::kQ5_1, avx512::Dot>, kQ, kP>);
  set(DType::kQ2_K, MatmulAutoQ8<DType::kQ2_K, MatmulDequant<DType::kQ2_K, avx512::Dot>, kQ, kP>);
  set(DType::kQ3_K, MatmulAutoQ8<DType::kQ3_K, MatmulDequant<DType::kQ3_K, avx512::Dot>, kQ, kP>);
  set(DType::kQ5_K, MatmulAutoQ8<DType::kQ5_K, MatmulDequant<DType::kQ5_K, avx512::Dot>, kQ, kP>);
  t->int8_activations = true;
}

}  // namespace

KernelTable MakeKernelTable(Isa cap, bool int8_activations, bool float32_decode) {
  Isa isa = static_cast<int>(cap) < static_cast<int>(DetectIsa()) ? cap : DetectIsa();
  KernelTable t;
  auto set = [&](DType d, MatmulFn f) { t.matmul[static_cast<int>(d)] = f; };
  t.isa = Isa::kScalar;
  set(DType::kF32, MatmulAuto<DType::kF32, ref::MatmulF32, PanelRef>);
  set(DType::kF16, MatmulAuto<DType::kF16, ref::MatmulF16, PanelRef>);
  set(DType::kBF16, MatmulAuto<DType::kBF16, ref::MatmulBf16, PanelRef>);
  FillQuant<DotRef, PanelRef>(&t);
  t.dot = DotRef;
  t.axpy = AxpyRef;
  t.silu_mul = SiluMul;
  t.softmax = Softmax;
#if defined(__x86_64__)
  if (isa >= Isa::kAvx2) {
    t.isa = Isa::kAvx2;
    t.prompt_panels = FormatOf<avx2::Panel>();
    set(DType::kF32, MatmulAuto<DType::kF32, avx2::MatmulF32, avx2::Panel>);
    set(DType::kF16, MatmulAuto<DType::kF16, avx2::MatmulF16, avx2::Panel>);
    set(DType::kBF16, MatmulAuto<DType::kBF16, avx2::MatmulBf16, avx2::Panel>);
    FillQuant<avx2::Dot, avx2::Panel>(&t);
    FillFusedAvx2<avx2::Panel>(&t);
    t.dot = avx2::Dot;
    t.axpy = avx2::Axpy;
    t.silu_mul = avx2::SiluMul;
    t.softmax = avx2::Softmax;
    if (int8_activations) {
      FillInt8Avx2(&t);
    } else if (!float32_decode) {
      FillInt16DecodeAvx2(&t);
    }
  }
  if (isa >= Isa::kAvx512) {
    t.isa = Isa::kAvx512;
    t.prompt_panels = FormatOf<avx512::Panel>();
    t.int16_decode = false;  // the AVX-512 float32 dots below replace the AVX2 int16 ones
    set(DType::kF32, MatmulAuto<DType::kF32, avx512::MatmulF32, avx512::Panel>);
    set(DType::kF16, MatmulAuto<DType::kF16, avx512::MatmulF16, avx512::Panel>);
    set(DType::kBF16, MatmulAuto<DType::kBF16, avx512::MatmulBf16, avx512::Panel>);
    FillQuant<avx512::Dot, avx512::Panel>(&t);
    FillFusedAvx2<avx512::Panel>(&t);
    set(DType::kQ8_0,
        MatmulAuto<DType::kQ8_0, MatmulRowDot<DType::kQ8_0, avx512::DotQ8_0>, avx512::Panel>);
    set(DType::kQ5_0,
        MatmulAuto<DType::kQ5_0, MatmulRowDot<DType::kQ5_0, avx512::DotQ5_0>, avx512::Panel>);
    set(DType::kQ4_K,
        MatmulAuto<DType::kQ4_K, MatmulRowDotSums<DType::kQ4_K, avx512::DotQ4_K>, avx512::Panel>);
    set(DType::kQ6_K,
        MatmulAuto<DType::kQ6_K, MatmulRowDot<DType::kQ6_K, avx512::DotQ6_K>, avx512::Panel>);
    t.dot = avx512::Dot;
    t.axpy = avx512::Axpy;
    t.silu_mul = avx512::SiluMul;
    t.softmax = avx512::Softmax;
    if (int8_activations) {
      // Without VNNI the AVX2 integer kernels (row dots and prompt panel); with it, VPDPBUSD.
      if (HasAvx512Vnni()) {
        FillInt8Avx512(&t);
      } else {
        FillInt8Avx2(&t);
      }
    }
  }
#endif
  return t;
}

Result<KernelTable> MakeKernelTableFromEnv(bool int8_activations, bool float32_decode) {
  Isa cap = Isa::kAvx512;
  if (const char* env = std::getenv("QW_ISA"); env != nullptr && *env != '\0') {
    auto parsed = ParseIsa(env);
    if (!parsed.ok()) return parsed.status().WithContext("QW_ISA");
    cap = *parsed;
  }
  return MakeKernelTable(cap, int8_activations, float32_decode);
}

}  // namespace qw::kernels
