#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <numeric>
#include <thread>
#include <vector>

#include "qianwen/core/aligned.h"
#include "qianwen/core/mapped_file.h"
#include "qianwen/core/status.h"
#include "qianwen/core/thread_pool.h"

namespace qw {
namespace {

Result<int> Half(int x) {
  if (x % 2) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  QW_ASSIGN_OR_RETURN(int h, Half(x));
  QW_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status Check(int x) {
  QW_TRY_CTX(Quarter(x), "quartering " + std::to_string(x));
  return OkStatus();
}

TEST(AlignedVector, EveryBufferStartsOnACacheLine) {
  // Sizes on both sides of malloc's mmap threshold (128 KiB), where plain malloc returns
  // blocks 16 bytes past a page start; growth reallocates and must keep the alignment.
  for (size_t n : {size_t{1}, size_t{3}, size_t{100}, size_t{40000}, size_t{1} << 20}) {
    AlignedVector<float> v(n, 1.5f);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % 64, 0u) << n;
    EXPECT_EQ(v[n - 1], 1.5f);
    v.resize(2 * n + 7, 2.0f);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(v.data()) % 64, 0u) << n;
    EXPECT_EQ(v[n - 1], 1.5f);
    EXPECT_EQ(v[2 * n + 6], 2.0f);
  }
  AlignedVector<int8_t> bytes(33);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(bytes.data()) % 64, 0u);
}

TEST(Status, PropagatesWithContext) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd: 3");
  Status s = Check(6);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.ToString(), "InvalidArgument: quartering 6: odd: 3");
  EXPECT_TRUE(Check(4).ok());
}

TEST(ThreadPool, CoversTheRangeOnceInEveryConfiguration) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 7, 100, 1001}) {
      for (int64_t grain : {1, 16, 1000}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        pool.ParallelFor(n, grain, [&](int64_t b, int64_t e, int t) {
          ASSERT_GE(t, 0);
          ASSERT_LT(t, threads);
          for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
        });
        for (auto& h : hits) ASSERT_EQ(h.load(), 1);
      }
    }
  }
}

TEST(ThreadPool, DynamicCoversTheRangeOnceInEveryConfiguration) {
  for (int threads : {1, 2, 3, 8}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 2, 7, 100, 1001}) {
      for (int64_t chunk : {1, 16, 1000}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        std::atomic<int> calls{0};
        pool.ParallelForDynamic(n, chunk, [&](int64_t b, int64_t e, int t) {
          ASSERT_GE(t, 0);
          ASSERT_LT(t, threads);
          ASSERT_LE(e - b, chunk);
          ASSERT_EQ(b % chunk, 0);
          calls++;
          for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
        });
        for (auto& h : hits) ASSERT_EQ(h.load(), 1);
        EXPECT_EQ(calls.load(), (n + chunk - 1) / chunk);
      }
    }
  }
}

// A thread held up does less: while the caller's first chunk waits for the worker to have done
// ten chunks, the worker goes on taking chunks (a split into fixed halves would wait forever:
// the wait gives up after 10 s and the test fails).
TEST(ThreadPool, DynamicChunksGoToTheFreeThread) {
  ThreadPool pool(2);
  std::atomic<int> by_worker{0}, by_caller{0};
  bool waited = false;
  pool.ParallelForDynamic(64, 1, [&](int64_t, int64_t, int t) {
    if (t == 0) {
      if (!waited) {
        waited = true;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (by_worker.load() < 10 && std::chrono::steady_clock::now() < until)
          std::this_thread::yield();
      }
      by_caller++;
    } else {
      by_worker++;
    }
  });
  EXPECT_GE(by_worker.load(), 10);
  EXPECT_EQ(by_worker.load() + by_caller.load(), 64);
}

TEST(ThreadPool, ManySmallLoopsInARow) {
  ThreadPool pool(2);
  std::atomic<int64_t> sum{0};
  for (int r = 0; r < 2000; ++r)
    pool.ParallelFor(4, 1, [&](int64_t b, int64_t e, int) { sum += e - b; });
  EXPECT_EQ(sum.load(), 8000);
}

TEST(MappedFile, MissingFileIsNotFound) {
  auto f = MappedFile::Open("/nonexistent/qianwen/file");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), Code::kNotFound);
  EXPECT_NE(f.status().message().find("/nonexistent/qianwen/file: cannot open"), std::string::npos);
  auto d = MappedFile::Open("/");
  EXPECT_FALSE(d.ok());
}

// Read mode (FileLoad::kRead) gives the same bytes as the mapping, with several readers over
// chunks and a size that is not a multiple of anything; empty files and errors behave alike.
TEST(MappedFile, ReadModeEqualsTheMapping) {
  const std::string path = ::testing::TempDir() + "/qw_mapped_file_read.bin";
  std::vector<uint8_t> bytes((size_t{70} << 20) + 12345);  // three 32 MiB chunks, the last short
  uint32_t x = 1;
  for (auto& b : bytes) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(x >> 24);
  }
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  auto mapped = MappedFile::Open(path);
  ASSERT_TRUE(mapped.ok());
  EXPECT_FALSE(mapped->copied());
  for (int threads : {1, 3}) {
    auto read = MappedFile::Open(path, {FileLoad::Mode::kRead, threads});
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_TRUE(read->copied());
    ASSERT_EQ(read->size(), bytes.size());
    EXPECT_EQ(std::memcmp(read->data(), bytes.data(), bytes.size()), 0);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(read->data()) % (size_t{2} << 20), 0u);
  }
  // Auto reads a file this small (far below half of the available memory).
  auto autom = MappedFile::Open(path, {FileLoad::Mode::kAuto, 2});
  ASSERT_TRUE(autom.ok());
  EXPECT_TRUE(autom->copied());
  // Moving keeps the memory alive.
  MappedFile moved = std::move(*autom);
  EXPECT_EQ(std::memcmp(moved.data(), bytes.data(), 4096), 0);
  std::remove(path.c_str());

  const std::string empty = ::testing::TempDir() + "/qw_mapped_file_empty.bin";
  { std::ofstream out(empty, std::ios::binary); }
  auto e = MappedFile::Open(empty, {FileLoad::Mode::kRead, 2});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->size(), 0u);
  std::remove(empty.c_str());
  auto missing = MappedFile::Open("/nonexistent/qianwen/file", {FileLoad::Mode::kRead, 2});
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
}

TEST(MappedFile, AutoModeIsDecidedByTheTotalSize) {
  const FileLoad small = ResolveFileLoad({FileLoad::Mode::kAuto, 2}, 1 << 20);
  const FileLoad huge = ResolveFileLoad({FileLoad::Mode::kAuto, 2}, size_t{1} << 50);
  EXPECT_EQ(small.mode, FileLoad::Mode::kRead);  // 1 MiB: far below half of any machine's memory
  EXPECT_EQ(small.threads, 2);
  EXPECT_EQ(huge.mode, FileLoad::Mode::kMap);  // 1 PiB: mapped
  EXPECT_EQ(ResolveFileLoad({FileLoad::Mode::kMap, 1}, 1).mode, FileLoad::Mode::kMap);
  EXPECT_EQ(ResolveFileLoad({FileLoad::Mode::kRead, 1}, size_t{1} << 50).mode,
            FileLoad::Mode::kRead);
}

}  // namespace
}  // namespace qw
