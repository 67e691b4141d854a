#pragma once
// Helpers shared by the per-architecture config resolvers (qwen2.cpp, qwen3.cpp, ...).

#include <string>

#include "qianwen/io/hf_config.h"
#include "qianwen/model/config.h"

namespace qw::model {

// The integer field `key`, or `fallback` when absent or null; error when of another type.
Result<int64_t> OptionalInt(const io::HfConfig& hf, const std::string& key, int64_t fallback);
Result<int64_t> RequiredInt(const io::HfConfig& hf, const std::string& key);
Result<double> OptionalNumber(const io::HfConfig& hf, const std::string& key, double fallback);
Result<bool> OptionalBool(const io::HfConfig& hf, const std::string& key, bool fallback);

Status ResolveQwen2(const io::HfConfig& hf, ModelConfig* cfg);
Status ResolveQwen3(const io::HfConfig& hf, ModelConfig* cfg);

}  // namespace qw::model
