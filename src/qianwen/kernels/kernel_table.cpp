#include "qianwen/kernels/kernel_table.h"

#include <cstdlib>

#include "qianwen/kernels/avx2/matmul_avx2.h"
#include "qianwen/kernels/dot.h"
#include "qianwen/kernels/matmul_dequant.h"
#include "qianwen/kernels/ref/matmul_ref.h"

namespace qw::kernels {

const char* IsaName(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
  }
  return "?";
}

Isa DetectIsa() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("f16c")) {
    return Isa::kAvx2;
  }
#endif
  return Isa::kScalar;
}

Result<Isa> ParseIsa(const std::string& name) {
  if (name == "scalar") return Isa::kScalar;
  if (name == "avx2") return Isa::kAvx2;
  return InvalidArgument("unknown ISA '" + name + "' (known: scalar, avx2)");
}

namespace {

template <float (*Dot)(const float*, const float*, int64_t)>
void FillQuant(KernelTable* t) {
  auto set = [&](DType d, MatmulFn f) { t->matmul[static_cast<int>(d)] = f; };
  set(DType::kQ4_0, MatmulDequant<DType::kQ4_0, Dot>);
  set(DType::kQ4_1, MatmulDequant<DType::kQ4_1, Dot>);
  set(DType::kQ5_0, MatmulDequant<DType::kQ5_0, Dot>);
  set(DType::kQ5_1, MatmulDequant<DType::kQ5_1, Dot>);
  set(DType::kQ8_0, MatmulDequant<DType::kQ8_0, Dot>);
  set(DType::kQ2_K, MatmulDequant<DType::kQ2_K, Dot>);
  set(DType::kQ3_K, MatmulDequant<DType::kQ3_K, Dot>);
  set(DType::kQ4_K, MatmulDequant<DType::kQ4_K, Dot>);
  set(DType::kQ5_K, MatmulDequant<DType::kQ5_K, Dot>);
  set(DType::kQ6_K, MatmulDequant<DType::kQ6_K, Dot>);
}

}  // namespace

KernelTable MakeKernelTable(Isa cap) {
  Isa isa = static_cast<int>(cap) < static_cast<int>(DetectIsa()) ? cap : DetectIsa();
  KernelTable t;
  auto set = [&](DType d, MatmulFn f) { t.matmul[static_cast<int>(d)] = f; };
  t.isa = Isa::kScalar;
  set(DType::kF32, ref::MatmulF32);
  set(DType::kF16, ref::MatmulF16);
  set(DType::kBF16, ref::MatmulBf16);
  FillQuant<DotRef>(&t);
#if defined(__x86_64__)
  if (isa >= Isa::kAvx2) {
    t.isa = Isa::kAvx2;
    set(DType::kF32, avx2::MatmulF32);
    set(DType::kF16, avx2::MatmulF16);
    set(DType::kBF16, avx2::MatmulBf16);
    FillQuant<avx2::Dot>(&t);
  }
#endif
  return t;
}

Result<KernelTable> MakeKernelTableFromEnv() {
  Isa cap = Isa::kAvx2;
  if (const char* env = std::getenv("QW_ISA"); env != nullptr && *env != '\0') {
    auto parsed = ParseIsa(env);
    if (!parsed.ok()) return parsed.status().WithContext("QW_ISA");
    cap = *parsed;
  }
  return MakeKernelTable(cap);
}

}  // namespace qw::kernels
