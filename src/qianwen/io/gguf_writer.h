#pragma once
// Writes GGUF version 3 files: metadata in the order added, tensor infos, then the tensors'
// data, each aligned to 32 bytes. Tensor data is produced on demand, one tensor at a time, so
// converting a large model needs memory for one tensor only.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "qianwen/core/status.h"
#include "qianwen/core/tensor.h"
#include "qianwen/io/gguf.h"

namespace qw::io {

class GgufWriter {
 public:
  void AddString(const std::string& key, const std::string& v);
  void AddU32(const std::string& key, uint32_t v);
  void AddI32(const std::string& key, int32_t v);
  void AddF32(const std::string& key, float v);
  void AddBool(const std::string& key, bool v);
  void AddStringArray(const std::string& key, const std::vector<std::string>& v);
  void AddI32Array(const std::string& key, const std::vector<int32_t>& v);
  // Copies a metadata value read from another GGUF file.
  void AddValue(const std::string& key, const GgufValue& v);

  // A tensor of `dtype` with HF shape `shape` ([rows, cols]); `produce` fills exactly its bytes.
  using Producer = std::function<Status(std::vector<uint8_t>* out)>;
  Status AddTensor(const std::string& name, DType dtype, const Shape& shape, Producer produce);

  Status Write(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    DType dtype;
    Shape shape;
    uint64_t nbytes;
    Producer produce;
  };
  std::vector<uint8_t> kv_;  // serialized key/value pairs
  uint64_t n_kv_ = 0;
  std::vector<Tensor> tensors_;
};

// The ggml type id of a dtype.
uint32_t GgmlTypeId(DType t);

}  // namespace qw::io
