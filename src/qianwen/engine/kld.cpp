#include "qianwen/engine/kld.h"

#include <algorithm>
#include <cmath>

namespace qw::engine {

Result<KldStats> CompareModels(const model::Model& m, const model::Model& ref,
                               const std::vector<std::vector<int32_t>>& sequences,
                               const SessionOptions& options) {
  const int64_t vocab = m.config().vocab_size;
  if (ref.config().vocab_size != vocab) {
    return InvalidArgument("the models' vocabularies differ (" + std::to_string(vocab) + " vs " +
                           std::to_string(ref.config().vocab_size) + ")");
  }
  std::vector<double> klds;
  int64_t agree = 0;
  double max_diff = 0;
  for (const auto& seq : sequences) {
    if (seq.empty()) continue;
    SessionOptions o = options;
    o.n_ctx = static_cast<int64_t>(seq.size());
    Session a(m, o), b(ref, o);
    QW_ASSIGN_OR_RETURN(const float* la, a.Eval(seq, /*all_logits=*/true));
    QW_ASSIGN_OR_RETURN(const float* lb, b.Eval(seq, /*all_logits=*/true));
    for (size_t t = 0; t < seq.size(); ++t) {
      const float* p = lb + t * vocab;  // reference
      const float* q = la + t * vocab;
      // log-softmax of both in double
      double mp = p[0], mq = q[0];
      int64_t ap = 0, aq = 0;
      for (int64_t i = 1; i < vocab; ++i) {
        if (p[i] > mp) {
          mp = p[i];
          ap = i;
        }
        if (q[i] > mq) {
          mq = q[i];
          aq = i;
        }
      }
      double sp = 0, sq = 0;
      for (int64_t i = 0; i < vocab; ++i) {
        sp += std::exp(p[i] - mp);
        sq += std::exp(q[i] - mq);
        max_diff = std::max(max_diff, static_cast<double>(std::fabs(p[i] - q[i])));
      }
      const double lsp = std::log(sp), lsq = std::log(sq);
      double kl = 0;
      for (int64_t i = 0; i < vocab; ++i) {
        const double lp = p[i] - mp - lsp, lq = q[i] - mq - lsq;
        kl += std::exp(lp) * (lp - lq);
      }
      klds.push_back(std::max(0.0, kl));
      agree += ap == aq;
    }
  }
  KldStats s;
  s.positions = static_cast<int64_t>(klds.size());
  if (klds.empty()) return InvalidArgument("no positions to compare");
  double sum = 0;
  for (double k : klds) sum += k;
  s.mean = sum / static_cast<double>(klds.size());
  std::sort(klds.begin(), klds.end());
  s.median = klds[klds.size() / 2];
  s.p99 =
      klds[std::min(klds.size() - 1,
                    static_cast<size_t>(std::ceil(0.99 * static_cast<double>(klds.size()))) - 1)];
  s.max = klds.back();
  s.top1_agree = static_cast<double>(agree) / static_cast<double>(klds.size());
  s.max_abs_logit_diff = max_diff;
  return s;
}

}  // namespace qw::engine
