#include "qianwen/io/tokenizer_config.h"

#include <nlohmann/json.hpp>

#include "qianwen/core/mapped_file.h"

namespace qw::io {

Result<TokenizerConfig> ParseTokenizerConfig(const std::string& text, const std::string& path) {
  using json = nlohmann::json;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Corrupt(path + ": not valid JSON");
  if (!j.is_object()) return Corrupt(path + ": not a JSON object");
  TokenizerConfig c;
  if (auto it = j.find("chat_template"); it != j.end() && !it->is_null()) {
    if (it->is_string()) {
      c.chat_template = it->get<std::string>();
    } else if (it->is_array()) {
      for (const auto& e : *it) {
        if (!e.is_object() || !e.contains("name") || !e.contains("template") ||
            !e["name"].is_string() || !e["template"].is_string()) {
          return Corrupt(path + ": chat_template list entries need string 'name' and 'template'");
        }
        c.named_templates[e["name"].get<std::string>()] = e["template"].get<std::string>();
      }
      if (auto d = c.named_templates.find("default"); d != c.named_templates.end())
        c.chat_template = d->second;
    } else {
      return Corrupt(path + ": chat_template must be a string or a list");
    }
  }
  // A special token is a string, or an AddedToken object with "content".
  auto token = [](const json& v) -> std::optional<std::string> {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string())
      return v["content"].get<std::string>();
    return std::nullopt;
  };
  for (const char* key : {"bos_token", "eos_token", "pad_token", "unk_token"}) {
    if (auto it = j.find(key); it != j.end()) {
      if (auto t = token(*it); t && !t->empty()) c.special_tokens[key] = *t;
    }
  }
  if (auto it = j.find("additional_special_tokens"); it != j.end() && it->is_array()) {
    for (const auto& e : *it)
      if (auto t = token(e)) c.additional_special_tokens.push_back(*t);
  }
  if (auto it = j.find("add_bos_token"); it != j.end() && it->is_boolean())
    c.add_bos_token = it->get<bool>();
  return c;
}

Result<TokenizerConfig> ReadTokenizerConfig(const std::string& path) {
  QW_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseTokenizerConfig(text, path);
}

}  // namespace qw::io
