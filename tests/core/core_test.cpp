#include <gtest/gtest.h>

#include <atomic>
#include <numeric>

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

}  // namespace
}  // namespace qw
