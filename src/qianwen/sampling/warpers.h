#pragma once
// The warpers of transformers' sampling chain, each narrowing or reshaping Candidates.

#include <cstddef>
#include <cstdint>

#include "qianwen/sampling/candidates.h"

namespace qw::sampling {

// logit /= temperature (temperature > 0).
void ApplyTemperature(Candidates& c, float temperature);
// TopKLogitsWarper: keeps every candidate whose logit is >= the k-th largest (ties kept).
void ApplyTopK(Candidates& c, int32_t k);
// TopPLogitsWarper: drops the low tail whose total probability is <= 1 - top_p; keeps >= 1.
void ApplyTopP(Candidates& c, float top_p);
// MinPLogitsWarper: drops candidates whose probability is below min_p * the largest; keeps >= 1.
void ApplyMinP(Candidates& c, float min_p);

}  // namespace qw::sampling
