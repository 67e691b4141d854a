#pragma once
// A whole file in read-only memory (RAII): mapped from the page cache (weights used in place),
// or read into anonymous memory backed by transparent huge pages, where streaming the weights
// every token ran 12-14 % faster than from 4 KiB file pages on the Xeon measured (on Zen 3, where
// the page cache holds the files in large folios, the two are within a few per cent:
// docs/PERFORMANCE.md) at the cost of a copy at load time.

#include <cstddef>
#include <cstdint>
#include <string>

#include "qianwen/core/status.h"

namespace qw {

// How Open brings a file into memory.
struct FileLoad {
  enum class Mode {
    kMap,   // mmap the file (no copy; pages come and go with the page cache)
    kRead,  // read it into anonymous huge-page memory
    kAuto,  // kRead when the file takes at most half of MemAvailable, else kMap (Model::Load
            // decides once for all of a model's files: ResolveFileLoad)
  };
  Mode mode = Mode::kMap;
  int threads = 1;  // readers for kRead
};

// kAuto resolved for a model whose weight files total `total_bytes`: kRead when they take at most
// half of MemAvailable (decided once for all of a model's files, so that shards never add up to
// more), else kMap; other modes are returned unchanged.
FileLoad ResolveFileLoad(FileLoad how, size_t total_bytes);

class MappedFile {
 public:
  static Result<MappedFile> Open(const std::string& path, const FileLoad& how = {});

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // Whether the file was read into memory (FileLoad::kRead) rather than mapped.
  bool copied() const { return copied_; }

 private:
  void Reset();
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  void* region_ = nullptr;  // what to unmap
  size_t region_size_ = 0;
  bool copied_ = false;
  std::string path_;
};

// Reads a whole (small) file into a string, e.g. config.json.
Result<std::string> ReadFileToString(const std::string& path);

}  // namespace qw
