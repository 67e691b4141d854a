#include "qianwen/io/hf_config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "qianwen/core/mapped_file.h"

namespace qw::io {
namespace {
using json = nlohmann::json;

Result<json> ParseObject(const std::string& text, const std::string& path) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Corrupt(path + ": not valid JSON");
  if (!j.is_object()) return Corrupt(path + ": not a JSON object");
  return j;
}

Status TypeError(const std::string& path, const std::string& key, const char* want,
                 const json& got) {
  return Corrupt(path + ": '" + key + "' must be " + want + ", found " + got.type_name() + " " +
                 got.dump().substr(0, 60));
}

}  // namespace

bool HfConfig::Has(const std::string& key) const {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Result<HfConfig> ParseHfConfig(const std::string& text, const std::string& path) {
  QW_ASSIGN_OR_RETURN(json j, ParseObject(text, path));
  HfConfig c;
  c.path = path;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const json& v = *it;
    c.keys.push_back(k);
    if (v.is_null()) {
      c.nulls.push_back(k);
    } else if (v.is_boolean()) {
      c.bools[k] = v.get<bool>();
    } else if (v.is_number_integer()) {
      c.ints[k] = v.get<int64_t>();
      c.numbers[k] = v.get<double>();
    } else if (v.is_number()) {
      c.numbers[k] = v.get<double>();
    } else if (v.is_string()) {
      c.strings[k] = v.get<std::string>();
    } else if (v.is_array() && std::all_of(v.begin(), v.end(),
                                           [](const json& e) { return e.is_number_integer(); })) {
      c.int_lists[k] = v.get<std::vector<int64_t>>();
    }
  }
  auto arch = j.find("architectures");
  if (arch != j.end() && !arch->is_null()) {
    if (!arch->is_array()) return TypeError(path, "architectures", "a list of strings", *arch);
    for (const auto& a : *arch) {
      if (!a.is_string()) return TypeError(path, "architectures", "a list of strings", *arch);
      c.architectures.push_back(a.get<std::string>());
    }
  }
  if (auto mt = j.find("model_type"); mt != j.end()) {
    if (!mt->is_string()) return TypeError(path, "model_type", "a string", *mt);
    c.model_type = mt->get<std::string>();
  }
  // transformers 4.x: rope_scaling; transformers 5: rope_parameters (which may also hold
  // rope_theta and a rope_type of "default").
  for (const char* key : {"rope_scaling", "rope_parameters"}) {
    auto rs = j.find(key);
    if (rs == j.end() || rs->is_null()) continue;
    if (!rs->is_object()) return TypeError(path, key, "an object or null", *rs);
    for (auto it = rs->begin(); it != rs->end(); ++it) {
      if (it->is_string()) c.rope_strings[it.key()] = it->get<std::string>();
      if (it->is_number()) c.rope_numbers[it.key()] = it->get<double>();
      if (it->is_boolean()) c.rope_bools[it.key()] = it->get<bool>();
    }
    c.has_rope_scaling = true;
  }
  return c;
}

Result<HfConfig> ReadHfConfig(const std::string& path) {
  QW_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseHfConfig(text, path);
}

Result<GenerationConfig> ParseGenerationConfig(const std::string& text, const std::string& path) {
  QW_ASSIGN_OR_RETURN(json j, ParseObject(text, path));
  GenerationConfig g;
  auto num = [&](const char* key, std::optional<double>* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return OkStatus();
    if (!it->is_number()) return TypeError(path, key, "a number", *it);
    *out = it->get<double>();
    return OkStatus();
  };
  auto integer = [&](const char* key, std::optional<int64_t>* out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return OkStatus();
    if (!it->is_number_integer()) return TypeError(path, key, "an integer", *it);
    *out = it->get<int64_t>();
    return OkStatus();
  };
  QW_TRY(num("temperature", &g.temperature));
  QW_TRY(num("top_p", &g.top_p));
  QW_TRY(num("min_p", &g.min_p));
  QW_TRY(num("repetition_penalty", &g.repetition_penalty));
  QW_TRY(integer("top_k", &g.top_k));
  QW_TRY(integer("bos_token_id", &g.bos_token_id));
  QW_TRY(integer("pad_token_id", &g.pad_token_id));
  if (auto it = j.find("do_sample"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return TypeError(path, "do_sample", "a boolean", *it);
    g.do_sample = it->get<bool>();
  }
  if (auto it = j.find("eos_token_id"); it != j.end() && !it->is_null()) {
    if (it->is_number_integer()) {
      g.eos_token_ids.push_back(it->get<int64_t>());
    } else if (it->is_array()) {
      for (const auto& e : *it) {
        if (!e.is_number_integer())
          return TypeError(path, "eos_token_id", "an integer or a list of integers", *it);
        g.eos_token_ids.push_back(e.get<int64_t>());
      }
    } else {
      return TypeError(path, "eos_token_id", "an integer or a list of integers", *it);
    }
  }
  return g;
}

}  // namespace qw::io
