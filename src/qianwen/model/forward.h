#pragma once
// The forward pass of the dense Qwen decoder (Qwen2 and Qwen3 differ only in config flags:
// q/k/v biases, q_norm/k_norm). Float32 activations; weights read in their stored type.

#include <cstdint>
#include <vector>

#include "qianwen/core/aligned.h"
#include "qianwen/core/status.h"
#include "qianwen/core/thread_pool.h"
#include "qianwen/kernels/kernel_table.h"
#include "qianwen/model/kv_cache.h"
#include "qianwen/model/linear_profile.h"
#include "qianwen/model/model.h"
#include "qianwen/model/rope.h"

namespace qw::model {

// Receives the residual stream: index 0 the embeddings, i the output of layer i-1, L+1 the
// final norm's output. h: [n_tokens, hidden] f32.
class ForwardObserver {
 public:
  virtual ~ForwardObserver() = default;
  virtual void OnHidden(int64_t index, const float* h, int64_t n_tokens, int64_t hidden) = 0;
};

// Scratch buffers, sized once for the largest batch; cache-line aligned for the kernels' loads.
struct Workspace {
  int64_t max_tokens = 0;
  AlignedVector<float> x, xn, q, k, v, att, gate, up, scores, cos, sin;
  AlignedVector<float> kh, vt, qc;  // prompt attention (attention.cpp)
  // Grows a buffer to at least n floats (buffers never shrink: sized once for the largest batch).
  static void Ensure(AlignedVector<float>& v, int64_t n) {
    if (static_cast<int64_t>(v.size()) < n) v.resize(static_cast<size_t>(n));
  }
};

struct ForwardRequest {
  const int32_t* tokens = nullptr;  // [n]
  int64_t n = 0;
  int64_t pos = 0;          // position of tokens[0]; the cache holds positions [0, pos)
  bool all_logits = false;  // logits for every token, else only the last
  float* logits = nullptr;  // [n or 1, vocab]
  ForwardObserver* observer = nullptr;
  LinearProfile* profile = nullptr;  // when set, each weight product's time is added to it
  // Longer batches run in passes of this many tokens (llama.cpp's n_ubatch); <= 0: one pass.
  int64_t max_pass = 512;
};

class Forward {
 public:
  Forward(const Model& model, const kernels::KernelTable& kernels, ThreadPool& pool);
  // Runs the tokens, appends their keys/values to `cache`, writes logits.
  Status Run(KvCache& cache, Workspace& ws, const ForwardRequest& req) const;

 private:
  void Linear(const float* x, int64_t n, const TensorView& w, const TensorView& bias, float* y,
              LinearProfile* profile) const;
  // Per (token, head) with dot products over the cache: decode steps and short batches.
  void Attention(KvCache& cache, Workspace& ws, int64_t layer, int64_t n, int64_t pos) const;
  // Blocked through the matmul kernels: prompts (attention.cpp).
  void PromptAttention(KvCache& cache, Workspace& ws, int64_t layer, int64_t n, int64_t pos) const;

  template <class F>
  void Tokens(int64_t n, F&& f) const;

  const Model& model_;
  const ModelConfig& cfg_;
  const kernels::KernelTable& kt_;
  ThreadPool& pool_;
  Rope rope_;
};

}  // namespace qw::model
