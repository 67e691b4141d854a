#pragma once
// The generation loop: prefill the prompt, then sample one token per step until max_tokens, a
// stop id, or the context is full. Timings for the command line and benchmarks.

#include <cstdint>
#include <functional>
#include <vector>

#include "qianwen/engine/session.h"
#include "qianwen/sampling/sampler.h"

namespace qw::engine {

struct GenerateOptions {
  int64_t max_tokens = 16;
  std::vector<int64_t> stop_ids;  // generation ends after emitting one (it is included)
};

struct GenerateStats {
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
  double prompt_seconds = 0;
  int64_t decode_steps = 0;     // forward passes of one token each
  double generate_seconds = 0;  // from the end of the prompt to the last token
  bool stopped_by_id = false;
  bool context_full = false;
};

// on_token is called for every generated id as soon as it is sampled.
Result<GenerateStats> Generate(Session& session, const std::vector<int32_t>& prompt,
                               sampling::Sampler& sampler, const GenerateOptions& options,
                               const std::function<void(int32_t)>& on_token);

}  // namespace qw::engine
