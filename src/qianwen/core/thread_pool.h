#pragma once
// A fixed pool of worker threads running one parallel loop at a time. The calling thread takes
// part, so ThreadPool(1) runs everything inline. Owned by an engine session and passed down.
// Workers spin briefly between loops before sleeping: a decode step runs ~170 short loops, and
// waking a sleeping thread through the kernel costs more than the loop itself.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace qw {

class ThreadPool {
 public:
  // n_threads <= 0 means the machine's hardware concurrency.
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Calls fn(begin, end, thread_index) over [0, n) split into contiguous chunks of at least
  // `grain` items, one chunk per thread; returns when all are done.
  void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t, int)>& fn);

  // Calls fn(begin, end, thread_index) over [0, n) in chunks of `chunk` items (the last may be
  // shorter), each taken in order by whichever thread is free, so a thread slowed by its
  // neighbours on a shared core does less of the work instead of holding the others at the end
  // (one atomic add per chunk). fn may run several times on one thread, never at once on it.
  void ParallelForDynamic(int64_t n, int64_t chunk,
                          const std::function<void(int64_t, int64_t, int)>& fn);

 private:
  void WorkerLoop(int index);
  void Publish(const std::function<void(int64_t, int64_t, int)>& fn, int64_t n, int chunks,
               int64_t chunk);
  void RunShare(int index);
  void WaitForWorkers();

  int n_threads_;
  std::vector<std::thread> workers_;
  // The current loop, published by incrementing generation_ (release) and read after it.
  const std::function<void(int64_t, int64_t, int)>* fn_ = nullptr;
  int64_t n_ = 0;
  int chunks_ = 0;
  int64_t chunk_ = 0;             // > 0: dynamic chunks of this many items, taken from next_
  std::atomic<int64_t> next_{0};  // the next dynamic chunk's first item
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};  // worker chunks not finished
  std::atomic<bool> stop_{false};
  std::atomic<int> sleepers_{0};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace qw
