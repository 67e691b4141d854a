#pragma once
// A session: one conversation's state over a shared Model: the KV cache, scratch buffers, the
// kernel table and thread pool. Prompts go in as one batch (matrix-matrix), then one token per
// step.

#include <memory>
#include <vector>

#include "qianwen/core/thread_pool.h"
#include "qianwen/kernels/kernel_table.h"
#include "qianwen/model/forward.h"
#include "qianwen/model/kv_cache.h"
#include "qianwen/model/model.h"

namespace qw::engine {

struct SessionOptions {
  int n_threads = 0;     // 0: all cores
  int64_t n_ctx = 4096;  // KV cache capacity in tokens, capped by max_position_embeddings
  kernels::KernelTable kernels;
  // Prompts longer than this run in passes of this many tokens, which bounds the activation
  // buffers (llama.cpp's n_ubatch, same default).
  int64_t n_ubatch = 512;
};

class Session {
 public:
  Session(const model::Model& model, const SessionOptions& options);

  // Evaluates `tokens` after what the cache holds; returns logits of the last token [vocab], or
  // of every token [n, vocab] with all_logits. The pointer stays valid until the next call.
  Result<const float*> Eval(const std::vector<int32_t>& tokens, bool all_logits = false,
                            model::ForwardObserver* observer = nullptr);
  // Forgets the cached context.
  void Reset() { n_past_ = 0; }
  // Keeps only the first n cached positions (n <= n_past), e.g. the prefix two chat turns share.
  void Truncate(int64_t n) { n_past_ = n < n_past_ ? (n < 0 ? 0 : n) : n_past_; }

  int64_t n_past() const { return n_past_; }
  int64_t n_ctx() const { return cache_.capacity(); }
  const model::Model& model() const { return model_; }
  int n_threads() const { return pool_.size(); }
  // Adds the time of every weight product of later Evals to *profile (nullptr: stop).
  void set_profile(model::LinearProfile* profile) { profile_ = profile; }

 private:
  const model::Model& model_;
  kernels::KernelTable kernels_;
  ThreadPool pool_;
  model::KvCache cache_;
  model::Workspace ws_;
  model::Forward forward_;
  std::vector<float> logits_;
  int64_t n_past_ = 0;
  int64_t n_ubatch_;
  model::LinearProfile* profile_ = nullptr;
};

}  // namespace qw::engine
