// Memory read bandwidth, the ceiling of generation speed: generation reads every weight once
// per token, so tokens/s x bytes per token over this figure is the fraction of the
// bandwidth bound (issue 4's 85 % target; docs/PERFORMANCE.md).
//
//   build/bin/bandwidth_bench --benchmark_repetitions=3
//
// Each thread streams its own slice of a 4 GiB buffer (well past the 480 MiB L3 this VM reports) with eight
// independent accumulators; bytes/s is the sum over threads.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr size_t kBytes = size_t{4} << 30;

const std::vector<uint64_t>& Buffer() {
  static const std::vector<uint64_t> buf = [] {
    std::vector<uint64_t> b(kBytes / 8);
    for (size_t i = 0; i < b.size(); ++i) b[i] = i * 0x9E3779B97F4A7C15ull;
    return b;
  }();
  return buf;
}

void BM_Read(benchmark::State& state) {
  const auto& buf = Buffer();
  const size_t per = buf.size() / static_cast<size_t>(state.threads());
  const uint64_t* p = buf.data() + per * static_cast<size_t>(state.thread_index());
  for (auto _ : state) {
    uint64_t a[8] = {};
    for (size_t i = 0; i + 8 <= per; i += 8)
      for (int j = 0; j < 8; ++j) a[j] ^= p[i + j];
    uint64_t s = 0;
    for (uint64_t v : a) s ^= v;
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(per * 8));
}
BENCHMARK(BM_Read)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
