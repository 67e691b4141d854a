// GGUF files made by llama.cpp (fixtures/gguf): dequantization bit-identical to ggml's, logits
// against the float64 forward pass on the same dequantized weights, closer to it than llama.cpp
// gets, and every kind of corruption rejected with a message.

#include "qianwen/io/gguf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "qianwen/engine/session.h"
#include "qianwen/kernels/quant/dequant.h"
#include "qianwen/model/model.h"
#include "test_util.h"

namespace qw {
namespace {

using json = nlohmann::json;

std::string GgufDir() { return test::Fixtures() + "/gguf"; }

json Manifest() {
  std::ifstream in(GgufDir() + "/manifest.json");
  return json::parse(in);
}

class GgufFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(GgufFixture, DequantizationIsBitIdenticalToGgml) {
  const std::string file = GetParam();
  auto g = io::GgufFile::Open(GgufDir() + "/" + file);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  json man = Manifest()["files"][file]["dequant"];
  std::vector<int64_t> table_rows = man["table_rows"];
  const std::string stem = file.substr(0, file.size() - 5);
  int checked = 0;
  for (const std::string name : man["tensors"]) {
    const io::GgufTensor* t = (*g)->FindTensor(name);
    ASSERT_NE(t, nullptr) << name;
    auto want = test::LoadNpy(GgufDir() + "/dequant/" + stem + "/" + name + ".npy");
    TensorView v = (*g)->View(*t);
    const int64_t cols = t->shape.back();
    size_t row_bytes;
    ASSERT_TRUE(RowBytes(t->dtype, cols, &row_bytes));
    auto dq = kernels::quant::DequantizerFor(t->dtype);
    ASSERT_NE(dq, nullptr);
    const bool table = name == "token_embd.weight" || name == "output.weight";
    const int64_t rows = table ? static_cast<int64_t>(table_rows.size()) : v.numel() / cols;
    ASSERT_EQ(static_cast<int64_t>(want.f32.size()), rows * cols) << name;
    std::vector<float> row(static_cast<size_t>(cols));
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t src_row = table ? table_rows[static_cast<size_t>(r)] : r;
      dq(v.data + static_cast<size_t>(src_row) * row_bytes, row.data(), cols);
      ASSERT_EQ(std::memcmp(row.data(), want.f32.data() + r * cols, static_cast<size_t>(cols) * 4),
                0)
          << name << " (" << DTypeName(t->dtype) << ") row " << src_row;
    }
    ++checked;
  }
  EXPECT_GT(checked, 5);
}

TEST_P(GgufFixture, LogitsMatchTheExactReferenceBetterThanLlamaCpp) {
  const std::string file = GetParam();
  auto m = model::Model::Load(GgufDir() + "/" + file);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  json fm = Manifest()["files"][file];
  const std::string stem = file.substr(0, file.size() - 5);
  const std::string golden_model = fm["architecture"] == "qwen2" ? "qwen2-tiny" : "qwen3-tiny";
  std::ifstream gin(test::GoldenDir(golden_model) + "/manifest.json");
  json golden = json::parse(gin);
  engine::SessionOptions o;
  o.n_threads = 2;
  o.n_ctx = 64;
  o.kernels = kernels::MakeKernelTable(kernels::DetectIsa());
  const int64_t vocab = (*m)->config().vocab_size;
  float worst = 0;
  for (const auto& c : golden["cases"]) {
    const std::string name = c["name"];
    std::vector<int32_t> ids = c["ids"];
    engine::Session s(**m, o);
    auto r = s.Eval(ids, /*all_logits=*/true);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    auto tid = test::LoadNpy(GgufDir() + "/exact/" + stem + "/" + name + ".top20_ids.npy");
    auto tlg = test::LoadNpy(GgufDir() + "/exact/" + stem + "/" + name + ".top20_logits.npy");
    for (size_t t = 0; t < ids.size(); ++t) {
      for (int j = 0; j < 20; ++j) {
        float d = std::fabs((*r)[t * vocab + tid.ints[t * 20 + j]] - tlg.f32[t * 20 + j]);
        worst = std::max(worst, d);
        EXPECT_LE(d, 2e-3f) << name << " position " << t << " rank " << j;
      }
    }
    // llama.cpp's own logits for this prompt, against the same exact top 20 of the last position.
    if (fm["logits"].contains(name)) {
      auto ll = test::LoadNpy(GgufDir() + "/" + fm["logits"][name]["file"].get<std::string>());
      const size_t t = ids.size() - 1;
      float ours = 0, theirs = 0;
      for (int j = 0; j < 20; ++j) {
        int64_t id = tid.ints[t * 20 + j];
        ours = std::max(ours, std::fabs((*r)[t * vocab + id] - tlg.f32[t * 20 + j]));
        theirs = std::max(theirs, std::fabs(ll.f32[id] - tlg.f32[t * 20 + j]));
      }
      EXPECT_LE(ours, theirs) << name;
      std::printf("[ %s %s ] max |logit - exact| over the top 20: ours %.2e, llama.cpp %.2e\n",
                  stem.c_str(), name.c_str(), ours, theirs);
    }
  }
  std::printf("[ %s ] worst |logit - exact| over all positions' top 20: %.2e\n", stem.c_str(),
              worst);
}

INSTANTIATE_TEST_SUITE_P(Files, GgufFixture,
                         ::testing::Values("qwen2-tiny-Q8_0.gguf", "qwen3-k64-MIX.gguf"));

// ---------------------------------------------------------------- broken files

std::string ReadAll(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Status LoadBytes(const std::string& bytes) {
  test::TempDir tmp;
  std::ofstream(tmp / "m.gguf", std::ios::binary) << bytes;
  auto m = model::Model::Load(tmp / "m.gguf");
  return m.ok() ? OkStatus() : m.status();
}

// Offset of the first tensor info (after the metadata) in a fixture, found by parsing.
TEST(GgufBroken, EveryCorruptionGetsAMessage) {
  const std::string good = ReadAll(GgufDir() + "/qwen2-tiny-Q8_0.gguf");
  ASSERT_TRUE(LoadBytes(good).ok());
  auto expect = [&](const std::string& bytes, Code code, const std::string& sub) {
    Status s = LoadBytes(bytes);
    EXPECT_EQ(s.code(), code) << s.ToString();
    EXPECT_NE(s.message().find(sub), std::string::npos) << s.message() << "\nwanted: " << sub;
  };
  expect(good.substr(0, 3), Code::kInvalidArgument, "not a GGUF file");
  std::string b = good;
  b[0] = 'X';
  expect(b, Code::kInvalidArgument, "not a GGUF file");
  b = good;
  b[4] = 9;  // version 9
  expect(b, Code::kUnsupported, "GGUF version 9 is not supported");
  b = good;
  for (int i = 8; i < 16; ++i) b[i] = '\x7f';  // tensor count
  expect(b, Code::kCorrupt, "is implausible");
  expect(good.substr(0, 2000), Code::kCorrupt, "past the end of the file");
  expect(good.substr(0, good.size() - 4096), Code::kCorrupt, "past the end of the data section");
  // The type of the first tensor info: find "output_norm.weight" (its info follows the metadata).
  const std::string name = "output_norm.weight";
  size_t p = good.rfind(name);  // the tensor info, after the metadata strings
  ASSERT_NE(p, std::string::npos);
  size_t type_at = p + name.size() + 4 + 8;  // n_dims (u32) + ne[0] (u64)
  b = good;
  b[type_at] = 16;  // IQ2_XXS
  expect(b, Code::kUnsupported,
         "tensor 'output_norm.weight' has type IQ2_XXS (16), which is not supported");
  b = good;
  b[type_at] = 99;
  expect(b, Code::kUnsupported, "unknown ggml type 99");
  b = good;
  b[type_at + 4] = 1;  // offset + 1: misaligned
  expect(b, Code::kCorrupt, "is not aligned");
  b = good;
  b[p + name.size()] = 7;  // 7 dimensions
  expect(b, Code::kCorrupt, "7 dimensions");
  // Architecture other than qwen2/qwen3.
  b = good;
  size_t a = b.find("qwen2");
  ASSERT_NE(a, std::string::npos);
  b.replace(a, 5, "llama");
  Status s = LoadBytes(b);
  EXPECT_FALSE(s.ok());
}

TEST(GgufBroken, RandomByteFlipsNeverCrash) {
  const std::string good = ReadAll(GgufDir() + "/qwen2-tiny-Q8_0.gguf");
  // Flip bytes in the header region (counts, first keys, tensor infos) and parse.
  const size_t infos = good.rfind("output_norm.weight");
  ASSERT_NE(infos, std::string::npos);
  uint32_t seed = 42;
  int errors = 0;
  test::TempDir tmp;
  for (int trial = 0; trial < 60; ++trial) {
    std::string b = good;
    for (int k = 0; k < 3; ++k) {
      seed = seed * 1664525u + 1013904223u;
      size_t at = (seed >> 8) % 200;                       // the counts and first keys
      if (trial % 2) at = infos - 8 + (seed >> 8) % 2000;  // the tensor infos
      b[at] = static_cast<char>(b[at] ^ (1 + (seed & 0x7f)));
    }
    std::ofstream(tmp / "f.gguf", std::ios::binary) << b;
    auto r = io::GgufFile::Open(tmp / "f.gguf");
    if (!r.ok()) ++errors;
  }
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace qw
