#pragma once
#include <optional>

#include "qianwen/io/hf_config.h"
#include "qianwen/sampling/params.h"

namespace qw::engine {

// Defaults as transformers' generate() would use with this generation_config.json: sampling
// when do_sample is true, else greedy; missing fields keep transformers' defaults.
sampling::SamplingParams ParamsFromGenerationConfig(const std::optional<io::GenerationConfig>& g);

}  // namespace qw::engine
