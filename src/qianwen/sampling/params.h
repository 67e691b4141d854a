#pragma once
// Sampling settings. Semantics follow transformers' logits processors (repetition penalty,
// temperature, top-k, top-p, min-p, applied in that order) and OpenAI's presence/frequency
// penalties (over generated tokens only, as vLLM does).

#include <cstdint>

namespace qw::sampling {

struct SamplingParams {
  bool greedy = false;              // argmax after penalties; the other warpers are skipped
  float temperature = 1.0f;         // > 0; 0 means greedy
  int32_t top_k = 0;                // 0 = off
  float top_p = 1.0f;               // 1 = off
  float min_p = 0.0f;               // 0 = off
  float repetition_penalty = 1.0f;  // 1 = off; over prompt + generated tokens
  float presence_penalty = 0.0f;    // 0 = off; over generated tokens
  float frequency_penalty = 0.0f;   // 0 = off; over generated tokens
  uint64_t seed = 0;
};

}  // namespace qw::sampling
