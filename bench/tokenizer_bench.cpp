// Tokenizer encode speed on the corpus of fixtures/tokenizer/baselines/tokenizer-speed.md:
// every tokens.jsonl text followed by "\n" (82,862 bytes) and repeated 241 times (19.97 MB),
// encoded as one string on one thread, added tokens parsed. Run from the repository root:
//   build/bin/tokenizer_bench --benchmark_repetitions=3

#include <benchmark/benchmark.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "qianwen/tokenizer/tokenizer.h"
#include "qianwen/tokenizer/tokenizer_json.h"

namespace {

std::string Fixtures() { return std::string(QW_SOURCE_DIR) + "/../shared/fixtures"; }

std::string Corpus() {
  std::ifstream in(Fixtures() + "/tokenizer/tokens.jsonl");
  std::string line, joined;
  // Each text followed by "\n": 82,862 bytes, the baseline's size (its 7,004,424 tokens for 241
  // copies are 29,064 per copy, which this corpus gives too).
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    joined += nlohmann::json::parse(line)["text"].get<std::string>();
    joined += "\n";
  }
  std::string all;
  all.reserve(joined.size() * 241);
  for (int i = 0; i < 241; ++i) all += joined;
  return all;
}

void BM_EncodeCorpus(benchmark::State& state) {
  auto spec = qw::tokenizer::ReadTokenizerJson(Fixtures() + "/tokenizer/qwen3/tokenizer.json");
  if (!spec.ok()) {
    state.SkipWithError(spec.status().ToString().c_str());
    return;
  }
  auto tok = qw::tokenizer::Tokenizer::FromSpec(std::move(*spec));
  const std::string corpus = Corpus();
  size_t tokens = 0;
  for (auto _ : state) {
    // A fresh tokenizer's cache would be cold; keep the same one, as a server would.
    auto ids = (*tok)->Encode(corpus);
    tokens = ids->size();
    benchmark::DoNotOptimize(ids);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(corpus.size()));
  state.counters["tokens"] = static_cast<double>(tokens);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(corpus.size()) * 1e-6,
                                              benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EncodeCorpus)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
