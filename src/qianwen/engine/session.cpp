#include "qianwen/engine/session.h"

#include <algorithm>

namespace qw::engine {

static int64_t ContextSize(const model::Model& m, int64_t requested) {
  int64_t n = requested > 0 ? requested : 4096;
  return std::max<int64_t>(1, std::min(n, m.config().max_position_embeddings));
}

Session::Session(const model::Model& model, const SessionOptions& options)
    : model_(model),
      kernels_(options.kernels),
      pool_(options.n_threads),
      cache_(model.config().num_layers, ContextSize(model, options.n_ctx), model.config().kv_dim()),
      forward_(model_, kernels_, pool_),
      n_ubatch_(options.n_ubatch) {}

Result<const float*> Session::Eval(const std::vector<int32_t>& tokens, bool all_logits,
                                   model::ForwardObserver* observer) {
  const int64_t vocab = model_.config().vocab_size;
  const int64_t n = static_cast<int64_t>(tokens.size());
  logits_.resize(static_cast<size_t>((all_logits ? n : 1) * vocab));
  model::ForwardRequest req;
  req.tokens = tokens.data();
  req.n = n;
  req.pos = n_past_;
  req.all_logits = all_logits;
  req.logits = logits_.data();
  req.observer = observer;
  req.profile = profile_;
  req.max_pass = n_ubatch_;
  QW_TRY(forward_.Run(cache_, ws_, req));
  n_past_ += n;
  return static_cast<const float*>(logits_.data());
}

}  // namespace qw::engine
