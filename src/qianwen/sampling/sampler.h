#pragma once
// The sampler chain: penalties -> (greedy argmax) or temperature -> top-k -> top-p -> min-p ->
// a draw from the remaining softmax. Owns its RNG, seeded from the params: same seed, same
// tokens.

#include <cstdint>
#include <vector>

#include "qianwen/sampling/params.h"
#include "qianwen/sampling/rng.h"

namespace qw::sampling {

class Sampler {
 public:
  explicit Sampler(const SamplingParams& params) : params_(params), rng_(params.seed) {}

  // Picks the next token from logits [vocab] (modified in place by the penalties).
  // prompt and generated are the ids so far.
  int32_t Sample(float* logits, int64_t vocab, const std::vector<int32_t>& prompt,
                 const std::vector<int32_t>& generated);

  const SamplingParams& params() const { return params_; }

 private:
  SamplingParams params_;
  Rng rng_;
  std::vector<int32_t> history_;
};

// Index of the largest value, the lowest index on ties (like torch.argmax).
int32_t Argmax(const float* x, int64_t n);

}  // namespace qw::sampling
