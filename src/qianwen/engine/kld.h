#pragma once
// Accuracy of a model against a reference model (e.g. a quantized GGUF against the BF16
// original): at every position of the given token sequences, the KL divergence
// KL(P_ref || P_model) of the next-token distributions, top-1 agreement and the largest
// absolute logit difference, as llama-perplexity --kl-divergence reports them.

#include <cstdint>
#include <vector>

#include "qianwen/engine/session.h"

namespace qw::engine {

struct KldStats {
  int64_t positions = 0;
  double mean = 0, median = 0, p99 = 0, max = 0;  // nats
  double top1_agree = 0;                          // fraction
  double max_abs_logit_diff = 0;
};

Result<KldStats> CompareModels(const model::Model& m, const model::Model& ref,
                               const std::vector<std::vector<int32_t>>& sequences,
                               const SessionOptions& options);

}  // namespace qw::engine
