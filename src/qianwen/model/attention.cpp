// Causal self-attention for prompts (4 or more new tokens) as matrix products: for each query
// head and block of kAttnRows new tokens, S = Q K^T runs through the float32 GEMM, then a
// masked softmax per row, then O = P V through the GEMM again. Per-key dot products (the decode
// path in forward.cpp) spend most of their time on call overhead and horizontal sums at
// head_dim 64-128: they took 26 % of a 512-token prompt (docs/PERFORMANCE.md).

#include <algorithm>
#include <cmath>
#include <cstring>

#include "qianwen/model/forward.h"

namespace qw::model {

constexpr int64_t kAttnRows = 64;  // new tokens per task

void Forward::PromptAttention(KvCache& cache, Workspace& ws, int64_t layer, int64_t n,
                              int64_t pos) const {
  const int64_t H = cfg_.num_heads, KVH = cfg_.num_kv_heads, D = cfg_.head_dim;
  const int64_t group = H / KVH, q_dim = cfg_.q_dim();
  const int64_t total = pos + n;  // keys visible to the last new token
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  const kernels::MatmulFn mm = kt_.MatmulFor(DType::kF32);
  const int threads = pool_.size();

  // Keys as contiguous rows per kv head ([KVH][total][D]) and values transposed
  // ([KVH][D][total]), the weight layouts the matmul takes.
  Workspace::Ensure(ws.kh, KVH * total * D);
  Workspace::Ensure(ws.vt, KVH * D * total);
  Workspace::Ensure(ws.qc, threads * kAttnRows * D);
  Workspace::Ensure(ws.scores, threads * kAttnRows * total);
  constexpr int64_t kGather = 256;  // keys per gather task
  const int64_t key_blocks = (total + kGather - 1) / kGather;
  pool_.ParallelFor(KVH * key_blocks, 1, [&](int64_t t0, int64_t t1, int) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t g = t / key_blocks, j0 = (t % key_blocks) * kGather;
      const int64_t j1 = std::min(total, j0 + kGather);
      float* kh = ws.kh.data() + g * total * D;
      float* vt = ws.vt.data() + g * D * total;
      for (int64_t j = j0; j < j1; ++j) {
        std::memcpy(kh + j * D, cache.K(layer, j) + g * D, static_cast<size_t>(D) * sizeof(float));
        const float* v = cache.V(layer, j) + g * D;
        for (int64_t d = 0; d < D; ++d) vt[d * total + j] = v[d];
      }
    }
  });

  // Tasks (head, row block), one at a time to whichever thread is free (ThreadPool::
  // ParallelForDynamic). Later blocks see more keys: the order pairs the cheapest with the most
  // expensive, so that the tasks left at the end are not all large.
  const int64_t blocks = (n + kAttnRows - 1) / kAttnRows;
  pool_.ParallelForDynamic(H * blocks, 1, [&](int64_t t0, int64_t t1, int thread) {
    float* qc = ws.qc.data() + static_cast<int64_t>(thread) * kAttnRows * D;
    float* s = ws.scores.data() + static_cast<int64_t>(thread) * kAttnRows * total;
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t h = t / blocks, i = t % blocks;
      const int64_t b = (i % 2 == 0) ? i / 2 : blocks - 1 - i / 2;
      const int64_t g = h / group;
      const int64_t r0 = b * kAttnRows, rows = std::min(kAttnRows, n - r0);
      const int64_t keys = pos + r0 + rows;  // causal bound of the block's last row
      for (int64_t r = 0; r < rows; ++r) {
        const float* q = ws.q.data() + (r0 + r) * q_dim + h * D;
        for (int64_t d = 0; d < D; ++d) qc[r * D + d] = q[d] * scale;
      }
      // S[r][j] = q_r . k_j for j < keys (row stride `total`).
      mm(qc, rows, D, ws.kh.data() + g * total * D, 0, keys, s, total);
      for (int64_t r = 0; r < rows; ++r) {
        float* sr = s + r * total;
        const int64_t valid = pos + r0 + r + 1;
        kt_.softmax(sr, valid);
        std::fill(sr + valid, sr + total, 0.0f);
      }
      // O = P V: the values transposed are D rows of length `total`; masked keys weigh 0.
      mm(s, rows, total, ws.vt.data() + g * D * total, 0, D, ws.att.data() + r0 * q_dim + h * D,
         q_dim);
    }
  });
}

}  // namespace qw::model
