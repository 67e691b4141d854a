#include "qianwen/kernels/kernel_table.h"

#include <cstdlib>

#include "qianwen/kernels/avx2/matmul_avx2.h"
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

MatmulFn KernelTable::MatmulFor(DType t) const {
  switch (t) {
    case DType::kF32:
      return matmul_f32;
    case DType::kF16:
      return matmul_f16;
    case DType::kBF16:
      return matmul_bf16;
    default:
      return nullptr;
  }
}

KernelTable MakeKernelTable(Isa cap) {
  Isa isa = static_cast<int>(cap) < static_cast<int>(DetectIsa()) ? cap : DetectIsa();
  KernelTable t;
  t.isa = Isa::kScalar;
  t.matmul_f32 = ref::MatmulF32;
  t.matmul_f16 = ref::MatmulF16;
  t.matmul_bf16 = ref::MatmulBf16;
#if defined(__x86_64__)
  if (isa >= Isa::kAvx2) {
    t.isa = Isa::kAvx2;
    t.matmul_f32 = avx2::MatmulF32;
    t.matmul_f16 = avx2::MatmulF16;
    t.matmul_bf16 = avx2::MatmulBf16;
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
