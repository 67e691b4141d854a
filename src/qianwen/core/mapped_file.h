#pragma once
// A read-only memory mapping of a whole file (RAII). Weights are used in place, never copied.

#include <cstddef>
#include <cstdint>
#include <string>

#include "qianwen/core/status.h"

namespace qw {

class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  void Reset();
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

// Reads a whole (small) file into a string, e.g. config.json.
Result<std::string> ReadFileToString(const std::string& path);

}  // namespace qw
