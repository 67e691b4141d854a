#include "qianwen/model/forward.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "qianwen/kernels/gemm.h"
#include "qianwen/kernels/ops.h"

namespace qw::model {

using kernels::ToF32;

// Prompts longer than this run their FFN up projection in two halves (peak memory, Run).
constexpr int64_t kUpRows = 256;

Forward::Forward(const Model& model, const kernels::KernelTable& kernels, ThreadPool& pool)
    : model_(model), cfg_(model.config()), kt_(kernels), pool_(pool), rope_(model.config()) {}

void Forward::Linear(const float* x, int64_t n, const TensorView& w, const TensorView& bias,
                     float* y, LinearProfile* profile) const {
  const int64_t rows = w.dim(0), k = w.dim(1);
  kernels::MatmulFn fn = kt_.MatmulFor(w.dtype);
  QW_CHECK(fn != nullptr);
  // Split the output rows over the threads. Prompts (float32 activations) take slices of
  // kernels::PromptSliceRows rows, each handed to whichever thread is free: on shared vCPUs one
  // thread often runs slower for a while, and with fixed halves the other waits for it (pp512 on
  // Zen 3, alternating runs, with the attention's tasks: BF16 +15 %, Q8_0 +3-5 %, Q4_K_M
  // +5-18 %; docs/PERFORMANCE.md). Generation steps and 8-bit prompts keep one slice per
  // thread: their products quantize the activations per call, and more calls cost more than
  // the waits (measured: +2.3 % of the samples in quantizing, -3 % in waiting, for 8 slices per
  // thread).
  auto slice = [&](int64_t r0, int64_t r1, int) { fn(x, n, k, w.data, r0, r1, y, rows); };
  const auto t0 = profile != nullptr ? std::chrono::steady_clock::now()
                                     : std::chrono::steady_clock::time_point{};
  if (n >= kernels::kMinGemmTokens && !kt_.int8_activations)
    pool_.ParallelForDynamic(rows, kernels::PromptSliceRows(kt_.prompt_panels, k), slice);
  else
    pool_.ParallelFor(rows, 16, slice);
  if (profile != nullptr) {
    profile->Add(rows, k, w.dtype, w.nbytes, n,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (!bias.empty()) {
    // F32 biases (GGUF) are added in place; others are widened first (a small copy per call).
    const float* b = reinterpret_cast<const float*>(bias.data);
    std::vector<float> widened;
    if (bias.dtype != DType::kF32) {
      widened.resize(static_cast<size_t>(rows));
      ToF32(bias.data, bias.dtype, rows, widened.data());
      b = widened.data();
    }
    for (int64_t i = 0; i < n; ++i) kernels::Add(y + i * rows, b, rows);
  }
}

void Forward::Attention(KvCache& cache, Workspace& ws, int64_t layer, int64_t n,
                        int64_t pos) const {
  const int64_t H = cfg_.num_heads, D = cfg_.head_dim, group = cfg_.num_heads / cfg_.num_kv_heads;
  const int64_t q_dim = cfg_.q_dim(), kv_dim = cfg_.kv_dim(), cap = cache.capacity();
  const float scale = 1.0f / std::sqrt(static_cast<float>(D));
  // One task per (token, head); each thread has its own scores row of `cap` floats.
  pool_.ParallelFor(n * H, 1, [&](int64_t t0, int64_t t1, int thread) {
    float* scores = ws.scores.data() + static_cast<size_t>(thread) * cap;
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t i = t / H, h = t % H, kvh = h / group;
      const int64_t n_keys = pos + i + 1;  // causal: positions 0..pos+i
      const float* q = ws.q.data() + i * q_dim + h * D;
      for (int64_t j = 0; j < n_keys; ++j)
        scores[j] = kt_.dot(q, cache.K(layer, j) + kvh * D, D) * scale;
      kt_.softmax(scores, n_keys);
      float* out = ws.att.data() + i * q_dim + h * D;
      std::memset(out, 0, static_cast<size_t>(D) * sizeof(float));
      for (int64_t j = 0; j < n_keys; ++j) kt_.axpy(scores[j], cache.V(layer, j) + kvh * D, out, D);
    }
  });
  (void)kv_dim;
}

// Runs f(i) for every token, split over the threads for prompts (one thread up to 4 tokens,
// where handing work over costs more than it saves).
template <class F>
void Forward::Tokens(int64_t n, F&& f) const {
  pool_.ParallelFor(n, 4, [&](int64_t i0, int64_t i1, int) {
    for (int64_t i = i0; i < i1; ++i) f(i);
  });
}

Status Forward::Run(KvCache& cache, Workspace& ws, const ForwardRequest& req) const {
  const ModelConfig& c = cfg_;
  const Weights& w = model_.weights();
  const int64_t n = req.n, hd = c.hidden_size, D = c.head_dim;
  if (n <= 0) return InvalidArgument("no tokens to evaluate");
  if (req.pos < 0 || req.pos + n > cache.capacity()) {
    return OutOfRange("context full: " + std::to_string(req.pos) + " cached + " +
                      std::to_string(n) + " new tokens exceed the context size " +
                      std::to_string(cache.capacity()));
  }
  for (int64_t i = 0; i < n; ++i) {
    if (req.tokens[i] < 0 || req.tokens[i] >= c.vocab_size) {
      return InvalidArgument("token id " + std::to_string(req.tokens[i]) + " is out of range [0, " +
                             std::to_string(c.vocab_size) + ")");
    }
  }
  // Long prompts run in passes of at most req.max_pass tokens (each attends to the cache the
  // earlier ones filled), so the workspace stops growing there: gate and up alone take
  // 1.5 * n * intermediate_size floats (14 MiB per 512 tokens of Qwen2.5-0.5B). With an observer,
  // one pass (it sees every layer whole).
  if (req.max_pass > 0 && n > req.max_pass && req.observer == nullptr) {
    for (int64_t s = 0; s < n; s += req.max_pass) {
      ForwardRequest part = req;
      part.tokens = req.tokens + s;
      part.n = std::min(req.max_pass, n - s);
      part.pos = req.pos + s;
      const bool last = s + part.n == n;
      if (req.all_logits) {
        part.logits = req.logits != nullptr ? req.logits + s * c.vocab_size : nullptr;
      } else {
        part.logits = last ? req.logits : nullptr;
      }
      QW_TRY(Run(cache, ws, part));
    }
    return OkStatus();
  }
  Workspace::Ensure(ws.x, n * hd);
  Workspace::Ensure(ws.xn, n * hd);
  Workspace::Ensure(ws.q, n * c.q_dim());
  Workspace::Ensure(ws.att, n * c.q_dim());
  Workspace::Ensure(ws.k, n * c.kv_dim());
  Workspace::Ensure(ws.v, n * c.kv_dim());
  Workspace::Ensure(ws.gate, n * c.intermediate_size);
  const int64_t up_rows = n > kUpRows ? (n + 1) / 2 : n;
  Workspace::Ensure(ws.up, up_rows * c.intermediate_size);
  Workspace::Ensure(ws.scores, static_cast<int64_t>(pool_.size()) * cache.capacity());
  Workspace::Ensure(ws.cos, n * D / 2);
  Workspace::Ensure(ws.sin, n * D / 2);

  size_t embed_row = 0;
  QW_CHECK(RowBytes(w.embed.dtype, hd, &embed_row));
  for (int64_t i = 0; i < n; ++i) {
    ToF32(w.embed.data + static_cast<size_t>(req.tokens[i]) * embed_row, w.embed.dtype, hd,
          ws.x.data() + i * hd);
    rope_.Angles(req.pos + i, ws.cos.data() + i * D / 2, ws.sin.data() + i * D / 2);
  }
  if (req.observer) req.observer->OnHidden(0, ws.x.data(), n, hd);

  const float eps = static_cast<float>(c.rms_norm_eps);
  for (int64_t l = 0; l < c.num_layers; ++l) {
    const LayerWeights& lw = w.layers[static_cast<size_t>(l)];
    Tokens(n, [&](int64_t i) {
      kernels::RmsNorm(ws.x.data() + i * hd, lw.input_norm.data, lw.input_norm.dtype, hd, eps,
                       ws.xn.data() + i * hd);
    });
    Linear(ws.xn.data(), n, lw.wq, lw.bq, ws.q.data(), req.profile);
    Linear(ws.xn.data(), n, lw.wk, lw.bk, ws.k.data(), req.profile);
    Linear(ws.xn.data(), n, lw.wv, lw.bv, ws.v.data(), req.profile);
    Tokens(n, [&](int64_t i) {
      const float* cs = ws.cos.data() + i * D / 2;
      const float* sn = ws.sin.data() + i * D / 2;
      for (int64_t h = 0; h < c.num_heads; ++h) {
        float* qh = ws.q.data() + i * c.q_dim() + h * D;
        if (c.qk_norm) kernels::RmsNorm(qh, lw.q_norm.data, lw.q_norm.dtype, D, eps, qh);
        kernels::RopeRotateHalf(qh, D, cs, sn);
      }
      for (int64_t h = 0; h < c.num_kv_heads; ++h) {
        float* kh = ws.k.data() + i * c.kv_dim() + h * D;
        if (c.qk_norm) kernels::RmsNorm(kh, lw.k_norm.data, lw.k_norm.dtype, D, eps, kh);
        kernels::RopeRotateHalf(kh, D, cs, sn);
      }
      std::memcpy(cache.K(l, req.pos + i), ws.k.data() + i * c.kv_dim(),
                  c.kv_dim() * sizeof(float));
      std::memcpy(cache.V(l, req.pos + i), ws.v.data() + i * c.kv_dim(),
                  c.kv_dim() * sizeof(float));
    });
    if (n >= 4) {
      PromptAttention(cache, ws, l, n, req.pos);
    } else {
      Attention(cache, ws, l, n, req.pos);
    }
    // xn is free once q, k and v are computed: it takes the projections' outputs (no extra
    // [n, hidden] buffer in the peak memory).
    Linear(ws.att.data(), n, lw.wo, lw.bo, ws.xn.data(), req.profile);
    Tokens(n, [&](int64_t i) {
      kernels::Add(ws.x.data() + i * hd, ws.xn.data() + i * hd, hd);
      kernels::RmsNorm(ws.x.data() + i * hd, lw.post_attention_norm.data,
                       lw.post_attention_norm.dtype, hd, eps, ws.xn.data() + i * hd);
    });
    Linear(ws.xn.data(), n, lw.gate, TensorView{}, ws.gate.data(), req.profile);
    // The up projection runs over at most up_rows tokens at a time, each part multiplied into
    // gate at once: the workspace holds [n, I] + [n / 2, I] floats for long prompts instead of
    // 2 x [n, I] (Qwen2.5-0.5B at 512 tokens: 5 MB less), for packing the up weights twice.
    const int64_t inter = c.intermediate_size;
    for (int64_t s = 0; s < n; s += up_rows) {
      const int64_t m = std::min(up_rows, n - s);
      Linear(ws.xn.data() + s * hd, m, lw.up, TensorView{}, ws.up.data(), req.profile);
      Tokens(m, [&](int64_t i) {
        kt_.silu_mul(ws.gate.data() + (s + i) * inter, ws.up.data() + i * inter, inter);
      });
    }
    Linear(ws.gate.data(), n, lw.down, TensorView{}, ws.xn.data(), req.profile);
    Tokens(n, [&](int64_t i) { kernels::Add(ws.x.data() + i * hd, ws.xn.data() + i * hd, hd); });
    if (req.observer) req.observer->OnHidden(l + 1, ws.x.data(), n, hd);
  }

  // Final norm: every row when all logits or the observer want them, else only the last.
  const bool every_row = req.all_logits || req.observer != nullptr;
  const int64_t first = every_row ? 0 : n - 1;
  for (int64_t i = first; i < n; ++i) {
    kernels::RmsNorm(ws.x.data() + i * hd, w.final_norm.data, w.final_norm.dtype, hd, eps,
                     ws.xn.data() + i * hd);
  }
  if (req.observer) req.observer->OnHidden(c.num_layers + 1, ws.xn.data(), n, hd);
  if (req.logits != nullptr) {
    const int64_t rows = req.all_logits ? n : 1;
    const int64_t start = req.all_logits ? 0 : n - 1;
    Linear(ws.xn.data() + start * hd, rows, w.lm_head, TensorView{}, req.logits, req.profile);
  }
  return OkStatus();
}

}  // namespace qw::model
