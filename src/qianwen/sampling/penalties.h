#pragma once
#include <cstdint>
#include <vector>

namespace qw::sampling {

// transformers' RepetitionPenaltyLogitsProcessor: for every distinct token of `history`, a
// positive logit is divided by `penalty`, a negative one multiplied. logits: [vocab].
void ApplyRepetitionPenalty(float* logits, int64_t vocab, const std::vector<int32_t>& history,
                            float penalty);

// OpenAI presence/frequency penalties: logit -= presence * (count > 0) + frequency * count,
// counts taken over `generated`.
void ApplyPresenceFrequency(float* logits, int64_t vocab, const std::vector<int32_t>& generated,
                            float presence, float frequency);

}  // namespace qw::sampling
