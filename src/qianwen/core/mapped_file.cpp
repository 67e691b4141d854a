#include "qianwen/core/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace qw {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// MemAvailable from /proc/meminfo in bytes, 0 when unknown.
size_t MemAvailable() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  size_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemAvailable:") return kib * 1024;
  }
  return 0;
}

// Reads [0, size) of fd into dst with `threads` readers taking 32 MiB chunks in turn.
Status ReadAll(int fd, uint8_t* dst, size_t size, int threads, const std::string& path) {
  constexpr size_t kChunk = size_t{32} << 20;
  std::atomic<size_t> next{0};
  std::atomic<int> error{0};  // errno of the first failure, -1 for a short file
  auto worker = [&] {
    for (;;) {
      const size_t off = next.fetch_add(kChunk);
      if (off >= size || error.load() != 0) return;
      const size_t len = std::min(kChunk, size - off);
      size_t done = 0;
      while (done < len) {
        const ssize_t r = ::pread(fd, dst + off + done, len - done, static_cast<off_t>(off + done));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
          int expected = 0;
          error.compare_exchange_strong(expected, r < 0 ? errno : -1);
          return;
        }
        done += static_cast<size_t>(r);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  const int e = error.load();
  if (e == -1) return IoError(path + ": the file ended while it was being read");
  if (e != 0) return IoError(path + ": read error: " + std::strerror(e));
  return OkStatus();
}

}  // namespace

FileLoad ResolveFileLoad(FileLoad how, size_t total_bytes) {
  if (how.mode != FileLoad::Mode::kAuto) return how;
  const size_t avail = MemAvailable();
  how.mode = avail > 0 && total_bytes <= avail / 2 ? FileLoad::Mode::kRead : FileLoad::Mode::kMap;
  return how;
}

Result<MappedFile> MappedFile::Open(const std::string& path, const FileLoad& how) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    std::string msg = path + ": cannot open: " + std::strerror(e);
    return e == ENOENT ? NotFound(msg) : IoError(msg);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::string msg = path + ": cannot stat: " + std::strerror(errno);
    ::close(fd);
    return IoError(msg);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path + ": not a regular file");
  }
  MappedFile f;
  f.path_ = path;
  f.size_ = static_cast<size_t>(st.st_size);
  const bool read = ResolveFileLoad(how, f.size_).mode == FileLoad::Mode::kRead;
  if (f.size_ > 0 && read) {
    // Anonymous memory aligned to 2 MiB so that it can be backed by transparent huge pages.
    const size_t len = f.size_ + kHugePage;
    void* area = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
      std::string msg = path + ": cannot allocate " + std::to_string(f.size_) +
                        " bytes to read it into: " + std::strerror(errno);
      ::close(fd);
      return IoError(msg);
    }
    f.region_ = area;
    f.region_size_ = len;
    auto* base = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(area) + kHugePage - 1) &
                                            ~(kHugePage - 1));
    ::madvise(base, f.size_, MADV_HUGEPAGE);
    Status st = ReadAll(fd, base, f.size_, std::max(1, how.threads), path);
    ::close(fd);
    if (!st.ok()) return st;  // f's destructor unmaps the region
    ::mprotect(area, len, PROT_READ);
    f.data_ = base;
    f.copied_ = true;
    return f;
  }
  if (f.size_ > 0) {
    void* p = ::mmap(nullptr, f.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      std::string msg = path + ": cannot map: " + std::strerror(errno);
      ::close(fd);
      return IoError(msg);
    }
    f.data_ = static_cast<const uint8_t*>(p);
    f.region_ = p;
    f.region_size_ = f.size_;
    // Weights are streamed front to back every token: where the kernel can back file pages
    // with huge pages, ask for those (fewer TLB misses).
    ::madvise(p, f.size_, MADV_HUGEPAGE);
  }
  ::close(fd);
  return f;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : data_(o.data_),
      size_(o.size_),
      region_(o.region_),
      region_size_(o.region_size_),
      copied_(o.copied_),
      path_(std::move(o.path_)) {
  o.data_ = nullptr;
  o.size_ = 0;
  o.region_ = nullptr;
  o.region_size_ = 0;
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
  if (this != &o) {
    Reset();
    data_ = o.data_;
    size_ = o.size_;
    region_ = o.region_;
    region_size_ = o.region_size_;
    copied_ = o.copied_;
    path_ = std::move(o.path_);
    o.data_ = nullptr;
    o.size_ = 0;
    o.region_ = nullptr;
    o.region_size_ = 0;
  }
  return *this;
}

MappedFile::~MappedFile() { Reset(); }

void MappedFile::Reset() {
  if (region_ != nullptr) ::munmap(region_, region_size_);
  region_ = nullptr;
  region_size_ = 0;
  data_ = nullptr;
  size_ = 0;
  copied_ = false;
}

Result<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return NotFound(path + ": no such file");
    return IoError(path + ": cannot open for reading");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return IoError(path + ": read error");
  return ss.str();
}

}  // namespace qw
