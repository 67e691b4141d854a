#include "qianwen/sampling/penalties.h"

#include <unordered_map>
#include <unordered_set>

namespace qw::sampling {

void ApplyRepetitionPenalty(float* logits, int64_t vocab, const std::vector<int32_t>& history,
                            float penalty) {
  if (penalty == 1.0f) return;
  std::unordered_set<int32_t> seen;
  for (int32_t t : history) {
    if (t < 0 || t >= vocab || !seen.insert(t).second) continue;
    float& l = logits[t];
    l = l < 0 ? l * penalty : l / penalty;
  }
}

void ApplyPresenceFrequency(float* logits, int64_t vocab, const std::vector<int32_t>& generated,
                            float presence, float frequency) {
  if (presence == 0.0f && frequency == 0.0f) return;
  std::unordered_map<int32_t, int> counts;
  for (int32_t t : generated)
    if (t >= 0 && t < vocab) counts[t]++;
  for (const auto& [t, n] : counts) logits[t] -= presence + frequency * static_cast<float>(n);
}

}  // namespace qw::sampling
