#include "qianwen/engine/sampling_defaults.h"

namespace qw::engine {

sampling::SamplingParams ParamsFromGenerationConfig(const std::optional<io::GenerationConfig>& g) {
  sampling::SamplingParams p;
  if (!g) {
    p.greedy = true;  // GenerationConfig's default do_sample is false
    return p;
  }
  p.greedy = !g->do_sample.value_or(false);
  p.temperature = static_cast<float>(g->temperature.value_or(1.0));
  p.top_k = static_cast<int32_t>(g->top_k.value_or(50));  // transformers' default top_k is 50
  p.top_p = static_cast<float>(g->top_p.value_or(1.0));
  p.min_p = static_cast<float>(g->min_p.value_or(0.0));
  p.repetition_penalty = static_cast<float>(g->repetition_penalty.value_or(1.0));
  if (p.temperature <= 0.0f) p.greedy = true;
  return p;
}

}  // namespace qw::engine
