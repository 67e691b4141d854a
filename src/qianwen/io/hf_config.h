#pragma once
// config.json and generation_config.json of a Hugging Face model folder, read into native
// structs. Only types are checked here; which fields a model needs, and their defaults, are the
// model's business (model/config.h). Every field present with the wrong type is an error.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qianwen/core/status.h"

namespace qw::io {

struct HfConfig {
  std::string path;  // for messages
  std::vector<std::string> architectures;
  std::string model_type;
  std::map<std::string, int64_t> ints;    // every integer field at the top level
  std::map<std::string, double> numbers;  // every number field (integers included)
  std::map<std::string, bool> bools;
  std::map<std::string, std::string> strings;
  std::map<std::string, std::vector<int64_t>> int_lists;  // e.g. eos_token_id as a list
  std::vector<std::string> nulls;                         // fields present with value null
  // rope_scaling / rope_parameters when present and not null: its string and number fields.
  bool has_rope_scaling = false;
  std::map<std::string, std::string> rope_strings;
  std::map<std::string, double> rope_numbers;
  std::map<std::string, bool> rope_bools;
  std::vector<std::string> keys;  // every top-level key

  bool Has(const std::string& key) const;
};

// Parses config.json text; `path` names it in messages.
Result<HfConfig> ParseHfConfig(const std::string& text, const std::string& path);
Result<HfConfig> ReadHfConfig(const std::string& path);

struct GenerationConfig {
  std::optional<bool> do_sample;
  std::optional<double> temperature, top_p, min_p, repetition_penalty;
  std::optional<int64_t> top_k;
  std::vector<int64_t> eos_token_ids;
  std::optional<int64_t> bos_token_id, pad_token_id;
};

Result<GenerationConfig> ParseGenerationConfig(const std::string& text, const std::string& path);

}  // namespace qw::io
