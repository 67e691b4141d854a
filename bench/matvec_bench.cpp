// One thread's generation-step matrix-vector product per weight type, in bytes of weights per
// second: `Resident` runs over rows that stay in L2 (the kernel's arithmetic rate), `Streamed`
// over 256 MiB (the rate from memory). A kernel whose resident rate is not well above the
// per-core share of the memory bandwidth (bandwidth_bench) bounds generation by its arithmetic.
//
//   build/bin/matvec_bench [--benchmark_filter=Q8_0]    (QW_ISA=avx2 for the AVX2 kernels)
//
// Activations: /f32 float32, /q16 16-bit (q16.h; AVX2 tables only, elsewhere as /f32), /int8.
//
// Rows are llama-quantize's blocks of random normal floats; k is Qwen2.5-0.5B's 896 for the
// 32-value block types and 4864 (its FFN width) for the 256-value K types.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "qianwen/core/dtype.h"
#include "qianwen/kernels/kernel_table.h"
#include "qianwen/kernels/quant/quantize.h"

namespace {

using qw::DType;

struct Matrix {
  std::vector<uint8_t> bytes;
  int64_t rows = 0, k = 0;
};

Matrix MakeMatrix(DType t, int64_t k, size_t target_bytes) {
  size_t row_bytes = 0;
  qw::RowBytes(t, k, &row_bytes);
  Matrix m;
  m.k = k;
  m.rows = static_cast<int64_t>(target_bytes / row_bytes);
  m.bytes.resize(static_cast<size_t>(m.rows) * row_bytes);
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 0.02f);
  std::vector<float> row(static_cast<size_t>(k));
  // Quantize a few distinct rows and repeat them: quantizing 256 MiB would dominate start-up.
  constexpr int64_t kDistinct = 64;
  for (int64_t r = 0; r < std::min(m.rows, kDistinct); ++r) {
    for (float& v : row) v = nd(rng);
    qw::kernels::quant::QuantizeRow(t, row.data(), m.bytes.data() + r * row_bytes, k);
  }
  for (int64_t r = kDistinct; r < m.rows; ++r)
    std::copy_n(m.bytes.data() + (r % kDistinct) * row_bytes, row_bytes,
                m.bytes.data() + r * row_bytes);
  return m;
}

enum class Acts { kF32, kQ16, kInt8 };

void Run(benchmark::State& state, DType t, Acts acts, size_t bytes) {
  const int64_t k = qw::DTypeBlockElements(t) == 256 ? 4864 : 896;
  const Matrix m = MakeMatrix(t, k, bytes);
  // QW_ISA=avx2 measures AVX2.
  auto table = qw::kernels::MakeKernelTableFromEnv(acts == Acts::kInt8, acts == Acts::kF32);
  if (!table.ok()) {
    state.SkipWithError(table.status().message().c_str());
    return;
  }
  const qw::kernels::KernelTable kt = *table;
  const qw::kernels::MatmulFn fn = kt.MatmulFor(t);
  std::vector<float> x(static_cast<size_t>(k)), y(static_cast<size_t>(m.rows));
  std::mt19937 rng(3);
  std::normal_distribution<float> nd;
  for (float& v : x) v = nd(rng);
  for (auto _ : state) {
    fn(x.data(), 1, k, m.bytes.data(), 0, m.rows, y.data(), m.rows);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(m.bytes.size()));
  state.SetLabel(std::string(qw::kernels::IsaName(kt.isa)) + (kt.int8_activations ? "+int8" : "") +
                 (kt.int16_decode ? "+q16" : ""));
}

constexpr size_t kResident = size_t{1} << 20, kStreamed = size_t{256} << 20;

void Register() {
  for (DType t :
       {DType::kBF16, DType::kQ8_0, DType::kQ4_0, DType::kQ5_0, DType::kQ4_K, DType::kQ6_K}) {
    for (Acts acts : {Acts::kF32, Acts::kQ16, Acts::kInt8}) {
      if (acts != Acts::kF32 && t == DType::kBF16) continue;
      const std::string name = std::string(qw::DTypeName(t)) + (acts == Acts::kInt8  ? "/int8"
                                                                : acts == Acts::kQ16 ? "/q16"
                                                                                     : "/f32");
      benchmark::RegisterBenchmark((name + "/Resident").c_str(), Run, t, acts, kResident)
          ->Unit(benchmark::kMicrosecond)
          ->Threads(1)
          ->Threads(2)
          ->UseRealTime();
      benchmark::RegisterBenchmark((name + "/Streamed").c_str(), Run, t, acts, kStreamed)
          ->Unit(benchmark::kMillisecond)
          ->Threads(1)
          ->Threads(2)
          ->UseRealTime();
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  Register();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
