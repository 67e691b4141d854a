// The forward pass against the float64 goldens of transformers' Qwen2/Qwen3 (fixtures/golden):
// last-position logits, top-20 at every position, hidden states after every layer, greedy
// continuations with the KV cache, and the left-padded batch rows run alone.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "qianwen/engine/generate.h"
#include "qianwen/engine/session.h"
#include "qianwen/model/model.h"
#include "test_util.h"

namespace qw {
namespace {

using json = nlohmann::json;

// fixtures/golden/README.md: logits within 2e-3 absolute (about 4e-5 of the largest logits),
// hidden states within 5e-4. The bar, 1e-4 x max|logit|, is looser.
constexpr float kLogitTol = 2e-3f;
constexpr float kHiddenTol = 5e-4f;

json Manifest(const std::string& model) {
  std::ifstream in(test::GoldenDir(model) + "/manifest.json");
  return json::parse(in);
}

std::vector<int32_t> Ids(const json& j) { return j.get<std::vector<int32_t>>(); }

struct GoldenModels {
  std::string name;
};

class GoldenTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto m = model::Model::Load(test::ModelDir(GetParam()));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    model_ = std::move(*m);
    manifest_ = Manifest(GetParam());
    opts_.n_threads = 2;
    opts_.n_ctx = 128;
    opts_.kernels = kernels::MakeKernelTable(kernels::DetectIsa());
  }
  std::string Golden(const std::string& file) { return test::GoldenDir(GetParam()) + "/" + file; }

  std::unique_ptr<model::Model> model_;
  json manifest_;
  engine::SessionOptions opts_;
};

class Recorder : public model::ForwardObserver {
 public:
  void OnHidden(int64_t index, const float* h, int64_t n, int64_t hidden) override {
    if (static_cast<int64_t>(states.size()) <= index) states.resize(static_cast<size_t>(index) + 1);
    states[static_cast<size_t>(index)].assign(h, h + n * hidden);
  }
  std::vector<std::vector<float>> states;
};

float MaxAbsDiff(const float* a, const float* b, size_t n) {
  float m = 0;
  for (size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

TEST_P(GoldenTest, LastLogitsHiddenStatesAndTop20) {
  const int64_t vocab = model_->config().vocab_size;
  float worst_rel = 0;
  for (const auto& c : manifest_["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    std::vector<int32_t> ids = Ids(c["ids"]);
    const size_t T = ids.size();
    engine::Session s(*model_, opts_);
    Recorder rec;
    auto r = s.Eval(ids, /*all_logits=*/true, &rec);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const float* all = *r;

    // Last position logits.
    auto last = test::LoadNpy(Golden(c["files"]["last_logits"]));
    ASSERT_EQ(last.f32.size(), static_cast<size_t>(vocab));
    float max_abs = 0;
    for (float v : last.f32) max_abs = std::max(max_abs, std::fabs(v));
    float diff = MaxAbsDiff(all + (T - 1) * vocab, last.f32.data(), vocab);
    EXPECT_LE(diff, kLogitTol);
    EXPECT_LE(diff, 1e-4f * max_abs);
    worst_rel = std::max(worst_rel, diff / max_abs);

    // Hidden states [L+2, T, hidden].
    auto hs = test::LoadNpy(Golden(c["files"]["hidden_states"]));
    const int64_t L = model_->config().num_layers, H = model_->config().hidden_size;
    ASSERT_EQ(hs.shape, (std::vector<int64_t>{L + 2, static_cast<int64_t>(T), H}));
    ASSERT_EQ(rec.states.size(), static_cast<size_t>(L + 2));
    for (int64_t l = 0; l < L + 2; ++l) {
      EXPECT_LE(MaxAbsDiff(rec.states[l].data(), hs.f32.data() + l * T * H, T * H), kHiddenTol)
          << "hidden state " << l;
    }

    // Top-20 ids and logits at every position; neighbours closer than the tolerance may swap.
    auto tid = test::LoadNpy(Golden(c["files"]["top20_ids"]));
    auto tlg = test::LoadNpy(Golden(c["files"]["top20_logits"]));
    for (size_t t = 0; t < T; ++t) {
      const float* row = all + t * vocab;
      for (int j = 0; j < 20; ++j) {
        int64_t gid = tid.ints[t * 20 + j];
        float glog = tlg.f32[t * 20 + j];
        EXPECT_NEAR(row[gid], glog, kLogitTol) << "position " << t << " rank " << j;
        // Our rank of gid must match j unless a neighbour is within tolerance.
        int64_t rank = 0;
        for (int64_t v = 0; v < vocab; ++v)
          if (row[v] > row[gid] || (row[v] == row[gid] && v < gid)) ++rank;
        if (rank != j) {
          float other = tlg.f32[t * 20 + std::min<int64_t>(rank, 19)];
          EXPECT_LE(std::fabs(other - glog), kLogitTol)
              << "position " << t << ": id " << gid << " ranked " << rank << ", golden " << j;
        }
      }
    }
  }
  std::printf("[ %s ] worst last-logit error / max|logit| = %.3g\n", GetParam().c_str(), worst_rel);
}

TEST_P(GoldenTest, GreedyContinuationsWithKvCache) {
  const int64_t vocab = model_->config().vocab_size;
  for (const auto& c : manifest_["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    engine::Session s(*model_, opts_);
    sampling::SamplingParams p;
    p.greedy = true;
    sampling::Sampler sampler(p);
    std::vector<int32_t> out;
    auto st =
        engine::Generate(s, Ids(c["ids"]), sampler, {16, {}}, [&](int32_t t) { out.push_back(t); });
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    EXPECT_EQ(out, Ids(c["greedy"]["new_ids"]));

    // The logits of every decode step against the golden's top-20 (what a cached engine sees).
    auto gid = test::LoadNpy(Golden(c["files"]["greedy_top20_ids"]));
    auto glg = test::LoadNpy(Golden(c["files"]["greedy_top20_logits"]));
    engine::Session s2(*model_, opts_);
    std::vector<int32_t> feed = Ids(c["ids"]);
    for (int step = 0; step < 16; ++step) {
      auto r = s2.Eval(feed);
      ASSERT_TRUE(r.ok());
      for (int j = 0; j < 20; ++j) {
        EXPECT_NEAR((*r)[gid.ints[step * 20 + j]], glg.f32[step * 20 + j], kLogitTol)
            << "step " << step << " rank " << j;
      }
      feed = {out[static_cast<size_t>(step)]};
    }
    (void)vocab;
  }
}

// Prompts run through the blocked attention (4+ tokens) and decode batches through the per-key
// path (1-3 tokens): a prompt of 150 tokens (three 64-row blocks) in one pass, in chunks of 3
// and in chunks of 37 (blocked attention over a cached prefix) gives the same logits; the
// golden prompts split after 5 tokens give the golden logits.
TEST_P(GoldenTest, PromptsInChunksMatchOnePass) {
  for (const auto& c : manifest_["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const std::vector<int32_t> ids = Ids(c["ids"]);
    if (ids.size() < 6) continue;
    engine::Session s(*model_, opts_);
    ASSERT_TRUE(s.Eval(std::vector<int32_t>(ids.begin(), ids.begin() + 5)).ok());
    auto r = s.Eval(std::vector<int32_t>(ids.begin() + 5, ids.end()));
    ASSERT_TRUE(r.ok());
    auto last = test::LoadNpy(Golden(c["files"]["last_logits"]));
    EXPECT_LE(MaxAbsDiff(*r, last.f32.data(), last.f32.size()), kLogitTol);
  }
  std::vector<int32_t> long_ids;
  for (const auto& c : manifest_["cases"])
    for (int32_t t : Ids(c["ids"])) long_ids.push_back(t);
  while (long_ids.size() < 150) long_ids.insert(long_ids.end(), long_ids.begin(), long_ids.end());
  long_ids.resize(150);
  opts_.n_ctx = 256;
  auto run = [&](size_t chunk) {
    engine::Session s(*model_, opts_);
    std::vector<float> out;
    for (size_t i = 0; i < long_ids.size(); i += chunk) {
      const size_t e = std::min(long_ids.size(), i + chunk);
      auto r = s.Eval(std::vector<int32_t>(long_ids.begin() + static_cast<std::ptrdiff_t>(i),
                                           long_ids.begin() + static_cast<std::ptrdiff_t>(e)));
      EXPECT_TRUE(r.ok());
      if (r.ok() && e == long_ids.size()) out.assign(*r, *r + model_->config().vocab_size);
    }
    return out;
  };
  const std::vector<float> one = run(150), threes = run(3), mixed = run(37);
  opts_.n_ubatch = 64;  // one Eval of 150 tokens runs as passes of 64, 64 and 22
  const std::vector<float> passes = run(150);
  ASSERT_EQ(one.size(), threes.size());
  ASSERT_EQ(one.size(), mixed.size());
  ASSERT_EQ(one.size(), passes.size());
  float scale = 0;
  for (float v : threes) scale = std::max(scale, std::fabs(v));
  EXPECT_LE(MaxAbsDiff(one.data(), threes.data(), one.size()), 1e-4f * scale);
  EXPECT_LE(MaxAbsDiff(mixed.data(), threes.data(), one.size()), 1e-4f * scale);
  EXPECT_LE(MaxAbsDiff(passes.data(), threes.data(), one.size()), 1e-4f * scale);

  // Every token's logits through passes equal those of one pass.
  auto all = [&](int64_t ubatch) {
    opts_.n_ubatch = ubatch;
    engine::Session s(*model_, opts_);
    auto r = s.Eval(long_ids, /*all_logits=*/true);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::vector<float>(*r, *r + long_ids.size() * model_->config().vocab_size)
                  : std::vector<float>{};
  };
  const std::vector<float> whole = all(0), split = all(64);
  ASSERT_EQ(whole.size(), split.size());
  ASSERT_FALSE(whole.empty());
  EXPECT_LE(MaxAbsDiff(whole.data(), split.data(), whole.size()), 1e-4f * scale);
}

TEST_P(GoldenTest, RepetitionPenaltyContinuations) {
  for (const auto& c : manifest_["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    engine::Session s(*model_, opts_);
    sampling::SamplingParams p;
    p.greedy = true;
    p.repetition_penalty = 1.05f;
    sampling::Sampler sampler(p);
    std::vector<int32_t> out;
    auto st =
        engine::Generate(s, Ids(c["ids"]), sampler, {16, {}}, [&](int32_t t) { out.push_back(t); });
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(out, Ids(c["greedy_repetition_penalty_1.05"]["new_ids"]));
  }
}

TEST_P(GoldenTest, LeftPaddedBatchRowsEqualSoloRuns) {
  const json& b = manifest_["batch"];
  const int64_t vocab = model_->config().vocab_size;
  auto last = test::LoadNpy(Golden("batch.last_logits.npy"));
  auto ids = b["input_ids"];
  auto mask = b["attention_mask"];
  for (size_t row = 0; row < ids.size(); ++row) {
    std::vector<int32_t> solo;
    for (size_t t = 0; t < ids[row].size(); ++t)
      if (mask[row][t].get<int>() == 1) solo.push_back(ids[row][t].get<int32_t>());
    engine::Session s(*model_, opts_);
    auto r = s.Eval(solo);
    ASSERT_TRUE(r.ok());
    EXPECT_LE(MaxAbsDiff(*r, last.f32.data() + row * vocab, vocab), kLogitTol) << "row " << row;
    sampling::SamplingParams p;
    p.greedy = true;
    sampling::Sampler sampler(p);
    std::vector<int32_t> out;
    engine::Session s2(*model_, opts_);
    ASSERT_TRUE(
        engine::Generate(s2, solo, sampler, {16, {}}, [&](int32_t t) { out.push_back(t); }).ok());
    EXPECT_EQ(out, Ids(b["greedy"]["new_ids"][row])) << "row " << row;
  }
}

TEST_P(GoldenTest, EveryKernelPathGivesTheGoldenLogits) {
  // Every ISA this CPU has (the others are skipped, and named): decode and prompt paths.
  for (auto isa : {kernels::Isa::kScalar, kernels::Isa::kAvx2, kernels::Isa::kAvx512}) {
    if (static_cast<int>(kernels::DetectIsa()) < static_cast<int>(isa)) {
      std::printf("[ skipped ] %s: this CPU lacks it\n", kernels::IsaName(isa));
      continue;
    }
    SCOPED_TRACE(kernels::IsaName(isa));
    opts_.kernels = kernels::MakeKernelTable(isa);
    ASSERT_EQ(opts_.kernels.isa, isa);
    for (const auto& c : manifest_["cases"]) {
      engine::Session s(*model_, opts_);
      auto r = s.Eval(Ids(c["ids"]));
      ASSERT_TRUE(r.ok());
      auto last = test::LoadNpy(Golden(c["files"]["last_logits"]));
      EXPECT_LE(MaxAbsDiff(*r, last.f32.data(), last.f32.size()), kLogitTol) << c["name"];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Models, GoldenTest, ::testing::Values("qwen2-tiny", "qwen3-tiny"));

}  // namespace
}  // namespace qw
