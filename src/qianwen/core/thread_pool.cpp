#include "qianwen/core/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QW_PAUSE() _mm_pause()
#else
#define QW_PAUSE() std::this_thread::yield()
#endif

namespace qw {
namespace {

// About 50-100 microseconds of spinning before a worker sleeps, or the caller yields.
constexpr int kSpins = 20000;

void ChunkRange(int64_t n, int chunks, int index, int64_t* b, int64_t* e) {
  int64_t base = n / chunks, extra = n % chunks;
  *b = index * base + std::min<int64_t>(index, extra);
  *e = *b + base + (index < extra ? 1 : 0);
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  if (n_threads <= 0)
    n_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  n_threads_ = n_threads;
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { WorkerLoop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_.store(true);
    generation_.fetch_add(1);
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::ParallelFor(int64_t n, int64_t grain,
                             const std::function<void(int64_t, int64_t, int)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int chunks = static_cast<int>(std::min<int64_t>(n_threads_, (n + grain - 1) / grain));
  if (chunks <= 1) {
    fn(0, n, 0);
    return;
  }
  Publish(fn, n, chunks, 0);
  RunShare(0);
  WaitForWorkers();
}

void ThreadPool::ParallelForDynamic(int64_t n, int64_t chunk,
                                    const std::function<void(int64_t, int64_t, int)>& fn) {
  if (n <= 0) return;
  chunk = std::max<int64_t>(chunk, 1);
  if (n_threads_ <= 1 || n <= chunk) {
    for (int64_t b = 0; b < n; b += chunk) fn(b, std::min(n, b + chunk), 0);
    return;
  }
  Publish(fn, n, n_threads_, chunk);
  RunShare(0);
  WaitForWorkers();
}

void ThreadPool::Publish(const std::function<void(int64_t, int64_t, int)>& fn, int64_t n,
                         int chunks, int64_t chunk) {
  fn_ = &fn;
  n_ = n;
  chunks_ = chunks;
  chunk_ = chunk;
  next_.store(0, std::memory_order_relaxed);
  pending_.store(n_threads_ - 1);  // every worker checks in, busy or not
  generation_.fetch_add(1);        // seq_cst: publishes the loop; pairs with sleepers_ below
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }
}

// The calling thread's or a worker's part of the published loop.
void ThreadPool::RunShare(int index) {
  if (chunk_ > 0) {
    for (;;) {
      const int64_t b = next_.fetch_add(chunk_, std::memory_order_relaxed);
      if (b >= n_) return;
      (*fn_)(b, std::min(n_, b + chunk_), index);
    }
  }
  if (index < chunks_) {
    int64_t b, e;
    ChunkRange(n_, chunks_, index, &b, &e);
    (*fn_)(b, e, index);
  }
}

void ThreadPool::WaitForWorkers() {
  for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
    if (spin < kSpins)
      QW_PAUSE();
    else
      std::this_thread::yield();
  }
}

void ThreadPool::WorkerLoop(int index) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t g = generation_.load(std::memory_order_acquire);
    for (int spin = 0; g == seen && spin < kSpins; ++spin) {
      QW_PAUSE();
      g = generation_.load(std::memory_order_acquire);
    }
    if (g == seen) {
      std::unique_lock<std::mutex> lock(mu_);
      sleepers_.fetch_add(1);  // seq_cst, before re-checking generation_ under the lock
      cv_.wait(lock, [&] { return generation_.load() != seen; });
      sleepers_.fetch_sub(1);
      g = generation_.load();
    }
    if (stop_.load()) return;
    seen = g;
    RunShare(index);
    pending_.fetch_sub(1, std::memory_order_release);
  }
}

}  // namespace qw
