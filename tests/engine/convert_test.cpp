// GGUF files we write: byte-identical to llama.cpp's where the algorithm is the same (Q8_0 of
// qwen2-tiny: every tensor and every metadata key and value), llama.cpp's per-tensor type
// choices for the mixes, and the converted models giving the golden results.

#include "qianwen/engine/convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "qianwen/engine/generate.h"
#include "qianwen/engine/kld.h"
#include "qianwen/engine/session.h"
#include "qianwen/io/gguf.h"
#include "qianwen/model/model.h"
#include "test_util.h"

namespace qw::engine {
namespace {

using json = nlohmann::json;

SessionOptions Opts() {
  SessionOptions o;
  o.n_threads = 2;
  o.n_ctx = 64;
  o.kernels = kernels::MakeKernelTable(kernels::DetectIsa());
  return o;
}

std::vector<std::vector<int32_t>> GoldenPrompts(const std::string& model) {
  std::ifstream in(test::GoldenDir(model) + "/manifest.json");
  json m = json::parse(in);
  std::vector<std::vector<int32_t>> out;
  for (const auto& c : m["cases"]) out.push_back(c["ids"].get<std::vector<int32_t>>());
  return out;
}

TEST(Convert, Q8_0OfQwen2TinyEqualsLlamaCppsFileTensorForTensor) {
  test::TempDir tmp;
  ASSERT_TRUE(WriteGguf(test::ModelDir("qwen2-tiny"), tmp / "q.gguf", "q8_0", 2).ok());
  auto ours = io::GgufFile::Open(tmp / "q.gguf");
  auto theirs = io::GgufFile::Open(test::Fixtures() + "/gguf/qwen2-tiny-Q8_0.gguf");
  ASSERT_TRUE(ours.ok() && theirs.ok());
  ASSERT_EQ((*ours)->tensors().size(), (*theirs)->tensors().size());
  for (const auto& t : (*theirs)->tensors()) {
    const io::GgufTensor* u = (*ours)->FindTensor(t.name);
    ASSERT_NE(u, nullptr) << t.name;
    EXPECT_EQ(u->dtype, t.dtype) << t.name;
    EXPECT_EQ(u->shape, t.shape) << t.name;
    TensorView a = (*ours)->View(*u), b = (*theirs)->View(t);
    ASSERT_EQ(a.nbytes, b.nbytes) << t.name;
    EXPECT_EQ(std::memcmp(a.data, b.data, a.nbytes), 0) << t.name << " differs";
  }
  // Every metadata key and value llama.cpp wrote, we write too (tokens, merges, types included).
  for (const auto& [k, v] : (*theirs)->metadata()) {
    const io::GgufValue* w = (*ours)->Find(k);
    ASSERT_NE(w, nullptr) << k;
    EXPECT_EQ(static_cast<int>(w->type), static_cast<int>(v.type)) << k;
    EXPECT_EQ(w->s, v.s) << k;
    EXPECT_EQ(w->i, v.i) << k;
    EXPECT_EQ(w->f, v.f) << k;
    EXPECT_EQ(w->strs, v.strs) << k;
    EXPECT_EQ(w->ints, v.ints) << k;
  }
  EXPECT_EQ((*ours)->metadata().size(), (*theirs)->metadata().size());
}

TEST(Convert, FloatConversionsGiveTheGoldenResults) {
  test::TempDir tmp;
  auto golden = GoldenPrompts("qwen3-tiny");
  std::ifstream in(test::GoldenDir("qwen3-tiny") + "/manifest.json");
  json man = json::parse(in);
  for (const char* type : {"f32", "bf16", "f16"}) {
    SCOPED_TRACE(type);
    const std::string out = tmp / (std::string(type) + ".gguf");
    ASSERT_TRUE(WriteGguf(test::ModelDir("qwen3-tiny"), out, type, 2).ok());
    auto m = model::Model::Load(out);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    for (const auto& c : man["cases"]) {
      Session s(**m, Opts());
      auto r = s.Eval(c["ids"].get<std::vector<int32_t>>());
      ASSERT_TRUE(r.ok());
      auto want = test::LoadNpy(test::GoldenDir("qwen3-tiny") + "/" +
                                c["files"]["last_logits"].get<std::string>());
      float d = 0;
      for (size_t i = 0; i < want.f32.size(); ++i)
        d = std::max(d, std::fabs((*r)[i] - want.f32[i]));
      EXPECT_LE(d, std::string(type) == "f16" ? 5e-3f : 2e-3f) << c["name"];
      Session g(**m, Opts());
      sampling::SamplingParams p;
      p.greedy = true;
      sampling::Sampler sampler(p);
      std::vector<int32_t> ids;
      ASSERT_TRUE(
          Generate(g, c["ids"].get<std::vector<int32_t>>(), sampler, {16, {}}, [&](int32_t t) {
            ids.push_back(t);
          }).ok());
      EXPECT_EQ(ids, c["greedy"]["new_ids"].get<std::vector<int32_t>>()) << c["name"];
    }
  }
}

TEST(Convert, Q4KMMixFollowsLlamaCppsTypeChoices) {
  // quant-accuracy.md: llama.cpp's qwen3-tiny Q4_K_M has F32 13, Q5_0 20, Q8_0 3 (tables: output
  // Q8_0, token_embd Q5_0): rows of 64 send Q4_K to Q5_0 and Q6_K to Q8_0.
  test::TempDir tmp;
  ASSERT_TRUE(WriteGguf(test::ModelDir("qwen3-tiny"), tmp / "m.gguf", "q4_k_m", 2).ok());
  auto g = io::GgufFile::Open(tmp / "m.gguf");
  ASSERT_TRUE(g.ok());
  std::map<std::string, int> count;
  for (const auto& t : (*g)->tensors()) count[std::string(DTypeName(t.dtype))]++;
  EXPECT_EQ(count["F32"], 13);
  EXPECT_EQ(count["Q5_0"], 20);
  EXPECT_EQ(count["Q8_0"], 3);
  EXPECT_EQ((*g)->FindTensor("output.weight")->dtype, DType::kQ8_0);
  EXPECT_EQ((*g)->FindTensor("token_embd.weight")->dtype, DType::kQ5_0);
  EXPECT_EQ((*g)->FindTensor("blk.2.attn_v.weight")->dtype, DType::kQ8_0);  // use_more_bits layer
  EXPECT_EQ(*(*g)->GetInt("general.file_type"), 15);
}

TEST(Convert, QuantizedFilesRunWithinTheirExpectedAccuracy) {
  // KL divergence against the BF16 original over the 104 golden prompt positions. Bounds: a
  // little above what we measured (docs/PERFORMANCE.md), far below what a broken quantizer gives.
  test::TempDir tmp;
  struct Case {
    const char* type;
    double max_kld;
    double min_top1;
  };
  auto ref = model::Model::Load(test::ModelDir("qwen3-tiny"));
  ASSERT_TRUE(ref.ok());
  for (Case c : {Case{"q8_0", 0.02, 0.9}, Case{"q6_k", 0.02, 0.9}, Case{"q4_k_m", 0.7, 0.65},
                 Case{"q4_0", 2.6, 0.38}}) {
    SCOPED_TRACE(c.type);
    ASSERT_TRUE(WriteGguf(test::ModelDir("qwen3-tiny"), tmp / "m.gguf", c.type, 2).ok());
    auto m = model::Model::Load(tmp / "m.gguf");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    auto st = CompareModels(**m, **ref, GoldenPrompts("qwen3-tiny"), Opts());
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->positions, 104);
    EXPECT_LE(st->mean, c.max_kld);
    EXPECT_GE(st->top1_agree, c.min_top1);
  }
  // Re-quantizing a GGUF (llama.cpp's mixed file) works too.
  ASSERT_TRUE(
      WriteGguf(test::Fixtures() + "/gguf/qwen3-k64-MIX.gguf", tmp / "k.gguf", "q8_0", 2).ok());
  auto k = model::Model::Load(tmp / "k.gguf");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ((*k)->gguf()->GetString("tokenizer.ggml.pre").value(), "qwen2");
}

TEST(Convert, BadArgumentsAreErrors) {
  test::TempDir tmp;
  Status s = WriteGguf(test::ModelDir("qwen3-tiny"), tmp / "x.gguf", "q3_k_xl", 2);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_NE(s.message().find("type 'q3_k_xl' is not one of"), std::string::npos);
  s = WriteGguf(tmp / "nothing", tmp / "x.gguf", "q8_0", 2);
  EXPECT_EQ(s.code(), Code::kNotFound);
  s = WriteGguf(test::ModelDir("qwen3-tiny"), "/nonexistent/dir/x.gguf", "q8_0", 2);
  EXPECT_EQ(s.code(), Code::kIoError);
}

}  // namespace
}  // namespace qw::engine
