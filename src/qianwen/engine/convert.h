#pragma once
// Writing GGUF files llama.cpp reads: `qianwen convert` (HF folder -> F32/F16/BF16) and
// `qianwen quantize` (HF folder or GGUF -> Q8_0, Q4_0, Q4_K_M, Q6_K, ...), with llama.cpp's
// tensor names, metadata keys and per-tensor type choices.

#include <string>

#include "qianwen/core/status.h"

namespace qw::engine {

// type: f32, f16, bf16, q8_0, q4_0, q4_k_m, q6_k. threads <= 0: all cores.
Status WriteGguf(const std::string& input, const std::string& output, const std::string& type,
                 int threads);

// The names `type` accepts, for messages.
const char* GgufTargetTypes();

}  // namespace qw::engine
