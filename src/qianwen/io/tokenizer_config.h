#pragma once
// tokenizer_config.json: the chat template(s) and the special tokens transformers passes to it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qianwen/core/status.h"

namespace qw::io {

struct TokenizerConfig {
  std::optional<std::string> chat_template;  // the default template
  std::map<std::string, std::string>
      named_templates;  // chat_template as a list of {name, template}
  std::map<std::string, std::string>
      special_tokens;  // bos_token, eos_token, pad_token, unk_token (set ones)
  std::vector<std::string> additional_special_tokens;
  bool add_bos_token = false;
};

Result<TokenizerConfig> ParseTokenizerConfig(const std::string& text, const std::string& path);
Result<TokenizerConfig> ReadTokenizerConfig(const std::string& path);

}  // namespace qw::io
