// Loading models: other weight dtypes (F32, F16 written here), sharded folders, YaRN configs,
// and the errors a broken model folder must produce.

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "model_folder.h"
#include "qianwen/engine/generate.h"
#include "qianwen/engine/session.h"
#include "qianwen/model/model.h"
#include "test_util.h"

namespace qw {
namespace {

using json = nlohmann::json;

json Manifest(const std::string& model) {
  std::ifstream in(test::GoldenDir(model) + "/manifest.json");
  return json::parse(in);
}

engine::SessionOptions Opts() {
  engine::SessionOptions o;
  o.n_threads = 2;
  o.n_ctx = 128;
  o.kernels = kernels::MakeKernelTable(kernels::DetectIsa());
  return o;
}

struct RunResult {
  std::vector<float> last_logits;
  std::vector<int32_t> greedy;
};

RunResult RunCase(const model::Model& m, const std::vector<int32_t>& ids) {
  RunResult r;
  engine::Session s(m, Opts());
  auto l = s.Eval(ids);
  EXPECT_TRUE(l.ok()) << l.status().ToString();
  if (!l.ok()) return r;
  r.last_logits.assign(*l, *l + m.config().vocab_size);
  engine::Session s2(m, Opts());
  sampling::SamplingParams p;
  p.greedy = true;
  sampling::Sampler sampler(p);
  auto st = engine::Generate(s2, ids, sampler, {16, {}}, [&](int32_t t) { r.greedy.push_back(t); });
  EXPECT_TRUE(st.ok());
  return r;
}

float MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

Status LoadStatus(const std::string& dir) {
  auto m = model::Model::Load(dir);
  return m.ok() ? OkStatus() : m.status();
}

#define EXPECT_ERROR(status, code_, substring)                         \
  do {                                                                 \
    Status s_ = (status);                                              \
    EXPECT_EQ(s_.code(), code_) << s_.ToString();                      \
    EXPECT_NE(s_.message().find(substring), std::string::npos)         \
        << "message: " << s_.message() << "\nwanted: " << (substring); \
  } while (0)

// Weights read into memory (--no-mmap) give the same logits as mapped ones, bit for bit, for a
// folder and for a GGUF file.
TEST(LoadModes, ReadWeightsEqualMappedWeights) {
  json c = Manifest("qwen3-tiny")["cases"][0];
  const auto ids = c["ids"].get<std::vector<int32_t>>();
  for (const std::string& path :
       {test::ModelDir("qwen3-tiny"), test::Fixtures() + "/gguf/qwen2-tiny-Q8_0.gguf"}) {
    SCOPED_TRACE(path);
    auto mapped = model::Model::Load(path);
    auto read = model::Model::Load(path, {FileLoad::Mode::kRead, 2});
    ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    RunResult a = RunCase(**mapped, ids), b = RunCase(**read, ids);
    EXPECT_EQ(a.last_logits, b.last_logits);
    EXPECT_EQ(a.greedy, b.greedy);
  }
}

class DtypeTest : public ::testing::TestWithParam<std::tuple<std::string, DType>> {};

TEST_P(DtypeTest, ConvertedWeightsGiveTheGoldenResults) {
  const auto& [name, dtype] = GetParam();
  test::TempDir tmp;
  std::vector<test::OwnedTensor> conv;
  for (const auto& t : test::ReadAllTensors(test::ModelDir(name) + "/model.safetensors"))
    conv.push_back(test::ConvertBf16(t, dtype));
  test::ModelWithTensors(name, tmp.path(), conv);
  auto m = model::Model::Load(tmp.path());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)->weights().embed.dtype, dtype);
  json man = Manifest(name);
  for (const auto& c : man["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    RunResult r = RunCase(**m, c["ids"].get<std::vector<int32_t>>());
    auto golden =
        test::LoadNpy(test::GoldenDir(name) + "/" + c["files"]["last_logits"].get<std::string>());
    // F32 holds the BF16 values exactly; F16 rounds weights below 2^-14 (its subnormals), which
    // moves logits by a few 1e-3 at most: the tolerance is 1e-4 x max|logit| (about 5e-3).
    float max_abs = 0;
    for (float v : golden.f32) max_abs = std::max(max_abs, std::fabs(v));
    float tol = dtype == DType::kF32 ? 2e-3f : 1e-4f * max_abs;
    EXPECT_LE(MaxAbsDiff(r.last_logits, golden.f32), tol);
    EXPECT_EQ(r.greedy, c["greedy"]["new_ids"].get<std::vector<int32_t>>());
  }
}

INSTANTIATE_TEST_SUITE_P(Models, DtypeTest,
                         ::testing::Combine(::testing::Values("qwen2-tiny", "qwen3-tiny"),
                                            ::testing::Values(DType::kF32, DType::kF16)));

TEST(ShardedModel, ShardsWithIndexGiveTheSameLogits) {
  test::TempDir tmp;
  auto all = test::ReadAllTensors(test::ModelDir("qwen3-tiny") + "/model.safetensors");
  std::vector<test::OwnedTensor> a, b;
  json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", json::object()}};
  for (size_t i = 0; i < all.size(); ++i) {
    bool first = i < all.size() / 2;
    (first ? a : b).push_back(all[i]);
    index["weight_map"][all[i].name] =
        first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  test::ModelWithTensors("qwen3-tiny", tmp.path(), {});
  std::filesystem::remove(tmp / "model.safetensors");
  test::WriteTensors(tmp / "model-00001-of-00002.safetensors", a);
  test::WriteTensors(tmp / "model-00002-of-00002.safetensors", b);
  std::ofstream(tmp / "model.safetensors.index.json") << index.dump();
  auto m = model::Model::Load(tmp.path());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  json man = Manifest("qwen3-tiny");
  const auto& c = man["cases"][2];
  RunResult r = RunCase(**m, c["ids"].get<std::vector<int32_t>>());
  auto golden = test::LoadNpy(test::GoldenDir("qwen3-tiny") + "/long.last_logits.npy");
  EXPECT_LE(MaxAbsDiff(r.last_logits, golden.f32), 2e-3f);

  // A missing shard names the shard and the index.
  std::filesystem::remove(tmp / "model-00002-of-00002.safetensors");
  EXPECT_ERROR(LoadStatus(tmp.path()), Code::kNotFound, "shard 'model-00002-of-00002.safetensors'");

  // A tensor listed under a shard that lacks it.
  test::WriteTensors(tmp / "model-00002-of-00002.safetensors", a);
  EXPECT_ERROR(
      LoadStatus(tmp.path()), Code::kCorrupt,
      "is listed under model-00002-of-00002.safetensors but that file does not contain it");

  // A malformed index.
  std::ofstream(tmp / "model.safetensors.index.json") << "{\"weight_map\": [1, 2]}";
  EXPECT_ERROR(LoadStatus(tmp.path()), Code::kCorrupt, "missing object 'weight_map'");
  std::ofstream(tmp / "model.safetensors.index.json") << "{\"weight_map\": ";
  EXPECT_ERROR(LoadStatus(tmp.path()), Code::kCorrupt,
               "model.safetensors.index.json: not valid JSON");
  std::ofstream(tmp / "model.safetensors.index.json")
      << R"({"weight_map": {"model.norm.weight": "../x.safetensors"}})";
  EXPECT_ERROR(LoadStatus(tmp.path()), Code::kCorrupt, "not a file name inside the folder");
}

TEST(YarnModel, MatchesTheYarnGoldens) {
  test::TempDir tmp;
  test::CopyModel("qwen3-tiny", tmp / "m", [](json& j) {
    std::ifstream in(test::GoldenDir("qwen3-tiny") + "/yarn.config.json");
    j = json::parse(in);
  });
  auto m = model::Model::Load(tmp / "m");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  json man = Manifest("qwen3-tiny");
  for (const auto& c : man["yarn"]["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    RunResult r = RunCase(**m, c["ids"].get<std::vector<int32_t>>());
    auto golden = test::LoadNpy(test::GoldenDir("qwen3-tiny") + "/" +
                                c["files"]["last_logits"].get<std::string>());
    EXPECT_LE(MaxAbsDiff(r.last_logits, golden.f32), 2e-3f);
    EXPECT_EQ(r.greedy, c["greedy"]["new_ids"].get<std::vector<int32_t>>());
  }
}

// ---------------------------------------------------------------- broken folders

TEST(BrokenModel, ConfigErrorsNameTheField) {
  test::TempDir tmp;
  int n = 0;
  auto with = [&](const std::function<void(json&)>& edit) {
    std::string dir = tmp / ("m" + std::to_string(n++));
    test::CopyModel("qwen2-tiny", dir, edit);
    return LoadStatus(dir);
  };
  EXPECT_ERROR(with([](json& j) { j["architectures"] = {"LlamaForCausalLM"}; }), Code::kUnsupported,
               "architecture 'LlamaForCausalLM' is not supported; supported: Qwen2ForCausalLM, "
               "Qwen3ForCausalLM");
  EXPECT_ERROR(with([](json& j) { j.erase("architectures"); }), Code::kUnsupported,
               "'architectures' is missing");
  EXPECT_ERROR(with([](json& j) { j.erase("hidden_size"); }), Code::kCorrupt,
               "required field 'hidden_size' is missing");
  EXPECT_ERROR(with([](json& j) { j["hidden_size"] = "64"; }), Code::kCorrupt,
               "'hidden_size' must be an integer");
  EXPECT_ERROR(with([](json& j) { j["num_key_value_heads"] = 3; }), Code::kCorrupt,
               "not a multiple of num_key_value_heads 3");
  EXPECT_ERROR(with([](json& j) { j["num_hidden_layers"] = -1; }), Code::kCorrupt,
               "'num_hidden_layers' is -1");
  EXPECT_ERROR(with([](json& j) { j["use_sliding_window"] = true; }), Code::kUnsupported,
               "use_sliding_window: true is not supported");
  EXPECT_ERROR(with([](json& j) {
                 j["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 2.0}};
               }),
               Code::kUnsupported, "rope_scaling type 'linear' is not supported");
  EXPECT_ERROR(with([](json& j) { j["rope_scaling"] = "yarn"; }), Code::kCorrupt,
               "'rope_scaling' must be an object or null");
  EXPECT_ERROR(with([](json& j) { j["hidden_act"] = "gelu"; }), Code::kUnsupported,
               "hidden_act 'gelu'");
  EXPECT_ERROR(with([](json& j) { j["model_type"] = "qwen3"; }), Code::kCorrupt,
               "model_type 'qwen3' does not match");

  std::string dir = tmp / "bad_json";
  test::CopyModel("qwen2-tiny", dir);
  std::filesystem::remove(dir + "/config.json");
  EXPECT_ERROR(LoadStatus(dir), Code::kNotFound, "config.json");
  std::ofstream(dir + "/config.json") << "{\"hidden_size\": 64,";
  EXPECT_ERROR(LoadStatus(dir), Code::kCorrupt, "config.json: not valid JSON");
  std::ofstream(dir + "/config.json") << "[1, 2]";
  EXPECT_ERROR(LoadStatus(dir), Code::kCorrupt, "config.json: not a JSON object");
  EXPECT_ERROR(LoadStatus(tmp / "does-not-exist"), Code::kNotFound, "no such model folder");
}

TEST(BrokenModel, TensorErrorsNameFileTensorExpectedAndFound) {
  test::TempDir tmp;
  auto base = test::ReadAllTensors(test::ModelDir("qwen3-tiny") + "/model.safetensors");
  int n = 0;
  auto with = [&](const std::function<void(std::vector<test::OwnedTensor>&)>& edit) {
    auto ts = base;
    edit(ts);
    std::string dir = tmp / ("m" + std::to_string(n++));
    test::ModelWithTensors("qwen3-tiny", dir, ts);
    return LoadStatus(dir);
  };
  auto find = [](std::vector<test::OwnedTensor>& ts,
                 const std::string& name) -> test::OwnedTensor& {
    for (auto& t : ts)
      if (t.name == name) return t;
    ADD_FAILURE() << name;
    return ts[0];
  };
  EXPECT_ERROR(
      with([&](auto& ts) {
        ts.erase(std::remove_if(ts.begin(), ts.end(),
                                [](auto& t) { return t.name == "lm_head.weight"; }),
                 ts.end());
      }),
      Code::kCorrupt,
      "model.safetensors: tensor 'lm_head.weight' is missing (expected shape [151936, 64])");
  EXPECT_ERROR(
      with([&](auto& ts) {
        auto& t = find(ts, "model.layers.1.self_attn.q_proj.weight");
        t.shape = {64, 128};
      }),
      Code::kCorrupt,
      "tensor 'model.layers.1.self_attn.q_proj.weight': expected shape [128, 64], found [64, 128]");
  EXPECT_ERROR(with([&](auto& ts) {
                 auto& t = find(ts, "model.layers.0.self_attn.k_norm.weight");
                 t.shape = {16, 2};
               }),
               Code::kCorrupt,
               "'model.layers.0.self_attn.k_norm.weight': expected shape [32], found [16, 2]");
  EXPECT_ERROR(with([&](auto& ts) {
                 auto& t = find(ts, "model.norm.weight");
                 t.dtype = DType::kI16;
               }),
               Code::kUnsupported,
               "tensor 'model.norm.weight': dtype I16 is not supported (F32, F16, BF16)");
}

}  // namespace
}  // namespace qw
