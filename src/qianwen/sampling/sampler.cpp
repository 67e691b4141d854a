#include "qianwen/sampling/sampler.h"

#include "qianwen/sampling/candidates.h"
#include "qianwen/sampling/penalties.h"
#include "qianwen/sampling/warpers.h"

namespace qw::sampling {

int32_t Argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t i = 1; i < n; ++i)
    if (x[i] > x[best]) best = i;
  return static_cast<int32_t>(best);
}

int32_t Sampler::Sample(float* logits, int64_t vocab, const std::vector<int32_t>& prompt,
                        const std::vector<int32_t>& generated) {
  if (params_.repetition_penalty != 1.0f) {
    history_.assign(prompt.begin(), prompt.end());
    history_.insert(history_.end(), generated.begin(), generated.end());
    ApplyRepetitionPenalty(logits, vocab, history_, params_.repetition_penalty);
  }
  ApplyPresenceFrequency(logits, vocab, generated, params_.presence_penalty,
                         params_.frequency_penalty);
  if (params_.greedy || params_.temperature <= 0.0f) return Argmax(logits, vocab);

  Candidates c;
  c.items.reserve(static_cast<size_t>(vocab));
  for (int64_t i = 0; i < vocab; ++i) c.items.push_back({static_cast<int32_t>(i), logits[i]});
  ApplyTemperature(c, params_.temperature);
  ApplyTopK(c, params_.top_k);
  ApplyTopP(c, params_.top_p);
  ApplyMinP(c, params_.min_p);
  std::vector<double> p = c.Probabilities();
  double u = rng_.Uniform();
  for (size_t i = 0; i < p.size(); ++i) {
    if (u < p[i]) return c.items[i].id;
    u -= p[i];
  }
  return c.items.back().id;  // rounding left u just above the total
}

}  // namespace qw::sampling
