#pragma once
// safetensors files: 8-byte little-endian header length N, N bytes of JSON header, then the data.
// Every entry is validated (dtype, shape, offsets inside the data, sizes, no overlap, no duplicate
// names) before any tensor byte is touched.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "qianwen/core/mapped_file.h"
#include "qianwen/core/status.h"
#include "qianwen/core/tensor.h"

namespace qw::io {

struct SafetensorsEntry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin = 0;  // offsets relative to the start of the data section
  uint64_t end = 0;
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> entries;
  std::map<std::string, std::string> metadata;
  uint64_t data_start = 0;  // 8 + N
};

// Parses and validates the header of a file of `file_size` bytes whose first bytes are `bytes`
// (at least min(file_size, 8 + N) of them). `path` only names the file in messages.
Result<SafetensorsHeader> ParseSafetensorsHeader(const uint8_t* bytes, uint64_t file_size,
                                                 const std::string& path);

class SafetensorsFile {
 public:
  static Result<SafetensorsFile> Open(const std::string& path, const FileLoad& how = {});

  const std::string& path() const { return file_.path(); }
  const SafetensorsHeader& header() const { return header_; }
  // nullptr if absent.
  const SafetensorsEntry* Find(const std::string& name) const;
  // A view of the entry's bytes inside the mapping.
  TensorView View(const SafetensorsEntry& entry) const;

 private:
  MappedFile file_;
  SafetensorsHeader header_;
  std::map<std::string, size_t> index_;
};

// Writes a safetensors file (used by tests and conversions). Tensors are written in the given
// order; data is copied from each view.
struct NamedTensor {
  std::string name;
  TensorView view;
};
Status WriteSafetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                        const std::map<std::string, std::string>& metadata);

}  // namespace qw::io
