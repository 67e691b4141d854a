#pragma once
// GGUF files (versions 2 and 3): metadata key/values, tensor infos and the aligned data
// section, all validated (counts, lengths, types, offsets, sizes, overlaps) before any tensor
// byte is touched. Tensors are exposed under Hugging Face names (WeightSource) with HF shapes
// ([rows, cols], the reverse of GGUF's ne).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "qianwen/core/mapped_file.h"
#include "qianwen/core/status.h"
#include "qianwen/core/tensor.h"
#include "qianwen/io/weight_source.h"

namespace qw::io {

enum class GgufType : uint32_t {
  kU8 = 0,
  kI8 = 1,
  kU16 = 2,
  kI16 = 3,
  kU32 = 4,
  kI32 = 5,
  kF32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kU64 = 10,
  kI64 = 11,
  kF64 = 12,
};

struct GgufValue {
  GgufType type = GgufType::kU8;
  GgufType elem = GgufType::kU8;  // arrays: the element type
  int64_t i = 0;                  // every integer type (u64 above 2^63 is rejected) and bool
  double f = 0;                   // f32 / f64
  std::string s;
  // Array of strings: views into the file mapping (151,936 tokens and as many merges in a Qwen
  // file; copying them cost ~15 MB and parse time). Valid while the GgufFile lives.
  std::vector<std::string_view> strs;
  std::vector<int64_t> ints;   // array of integers / bools
  std::vector<double> floats;  // array of floats
  bool is_int() const {
    return type <= GgufType::kI32 || type == GgufType::kU64 || type == GgufType::kI64;
  }
  bool is_float() const { return type == GgufType::kF32 || type == GgufType::kF64; }
};

struct GgufTensor {
  std::string name;  // as stored (llama.cpp names)
  DType dtype;
  Shape shape;      // HF order: reversed ne
  uint64_t offset;  // relative to the data section
  uint64_t nbytes;
};

class GgufFile {
 public:
  static Result<std::shared_ptr<GgufFile>> Open(const std::string& path, const FileLoad& how = {});
  // Parses a file image (for tests and fuzzing); `path` only names it in messages.
  static Result<std::shared_ptr<GgufFile>> Parse(MappedFile file, const std::string& path);

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  const std::map<std::string, GgufValue>& metadata() const { return kv_; }
  const GgufValue* Find(const std::string& key) const;
  const std::vector<GgufTensor>& tensors() const { return tensors_; }
  const GgufTensor* FindTensor(const std::string& name) const;
  TensorView View(const GgufTensor& t) const;

  // Typed metadata access; errors name the key.
  Result<std::string> GetString(const std::string& key) const;
  Result<int64_t> GetInt(const std::string& key) const;
  Result<double> GetFloat(const std::string& key) const;  // integers accepted

 private:
  MappedFile file_;
  std::string path_;
  uint32_t version_ = 0;
  uint64_t data_start_ = 0;
  std::map<std::string, GgufValue> kv_;
  std::vector<GgufTensor> tensors_;
  std::map<std::string, size_t> tensor_index_;
};

// True if the file at `path` starts with the GGUF magic.
bool LooksLikeGguf(const std::string& path);

// The file's tensors under Hugging Face names (blk.N.attn_q.weight ->
// model.layers.N.self_attn.q_proj.weight, ...); unknown names are kept as they are.
std::unique_ptr<WeightSource> GgufWeights(std::shared_ptr<const GgufFile> file);
// The llama.cpp name of an HF tensor name ("" when there is none).
std::string GgufNameOf(const std::string& hf_name);

}  // namespace qw::io
