#pragma once
// Builds model folders for tests: a copy of a fixture model with an edited config.json, or with
// its weights rewritten (other dtypes, a tensor removed or reshaped, sharded).

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "qianwen/core/half.h"
#include "qianwen/io/safetensors.h"
#include "test_util.h"

namespace qw::test {

// Copies config.json (through `edit`) and links every other file of fixture model `name`.
inline void CopyModel(const std::string& name, const std::string& dst,
                      const std::function<void(nlohmann::json&)>& edit = nullptr) {
  namespace fs = std::filesystem;
  fs::create_directories(dst);
  for (const auto& e : fs::directory_iterator(ModelDir(name))) {
    std::string fn = e.path().filename().string();
    if (fn == "config.json") {
      std::ifstream in(e.path());
      nlohmann::json j = nlohmann::json::parse(in);
      if (edit) edit(j);
      std::ofstream(dst + "/config.json") << j.dump(2);
    } else {
      fs::create_symlink(fs::absolute(e.path()), dst + "/" + fn);
    }
  }
}

// One tensor held in memory for rewriting.
struct OwnedTensor {
  std::string name;
  DType dtype;
  Shape shape;
  std::vector<uint8_t> bytes;
  TensorView View() const { return {dtype, shape, bytes.data(), bytes.size()}; }
};

inline std::vector<OwnedTensor> ReadAllTensors(const std::string& file) {
  auto f = io::SafetensorsFile::Open(file);
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  std::vector<OwnedTensor> out;
  for (const auto& e : f->header().entries) {
    TensorView v = f->View(e);
    out.push_back({e.name, e.dtype, e.shape, std::vector<uint8_t>(v.data, v.data + v.nbytes)});
  }
  return out;
}

// Converts a BF16 tensor to F32 (exact) or F16 (rounded to nearest even).
inline OwnedTensor ConvertBf16(const OwnedTensor& t, DType to) {
  OwnedTensor o{t.name, to, t.shape, {}};
  const size_t n = t.bytes.size() / 2;
  o.bytes.resize(n * DTypeSize(to));
  for (size_t i = 0; i < n; ++i) {
    uint16_t b;
    std::memcpy(&b, t.bytes.data() + 2 * i, 2);
    float f = Bf16ToF32(b);
    if (to == DType::kF32) {
      std::memcpy(o.bytes.data() + 4 * i, &f, 4);
    } else {
      uint16_t h = F32ToF16(f);
      std::memcpy(o.bytes.data() + 2 * i, &h, 2);
    }
  }
  return o;
}

inline void WriteTensors(const std::string& path, const std::vector<OwnedTensor>& ts) {
  std::vector<io::NamedTensor> named;
  for (const auto& t : ts) named.push_back({t.name, t.View()});
  Status s = io::WriteSafetensors(path, named, {{"format", "pt"}});
  ASSERT_TRUE(s.ok()) << s.ToString();
}

// A copy of fixture `name` whose model.safetensors is `tensors`.
inline void ModelWithTensors(const std::string& name, const std::string& dst,
                             const std::vector<OwnedTensor>& tensors) {
  namespace fs = std::filesystem;
  fs::create_directories(dst);
  for (const char* fn : {"config.json", "generation_config.json"})
    fs::copy_file(ModelDir(name) + "/" + fn, dst + "/" + fn);
  WriteTensors(dst + "/model.safetensors", tensors);
}

}  // namespace qw::test
