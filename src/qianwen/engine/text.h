#pragma once
// The text side of a model folder: its tokenizer and its chat template with the special tokens
// transformers passes to it. Chats are rendered, then tokenized safely by default: special-token
// literals typed inside messages stay plain text, so no user can inject a turn.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "qianwen/io/gguf.h"
#include "qianwen/template/chat.h"
#include "qianwen/template/interpreter.h"
#include "qianwen/tokenizer/tokenizer.h"

namespace qw::engine {

// The tokenizer of a model folder (tokenizer.json) or GGUF file (its metadata). `open`, when the
// caller already parsed that GGUF (Model::gguf()), is used instead of parsing it again.
Result<std::unique_ptr<tokenizer::Tokenizer>> LoadTokenizer(const std::string& model_path,
                                                            const io::GgufFile* open = nullptr);

class ChatFormat {
 public:
  // The template from `template_file` when given, else tokenizer_config.json's chat_template,
  // else chat_template.jinja in the folder. model_dir may be empty with a template file.
  static Result<ChatFormat> Load(const std::string& model_dir, const std::string& template_file,
                                 const io::GgufFile* open = nullptr);

  struct Rendered {
    std::string text;
    std::vector<std::pair<size_t, size_t>> protected_spans;  // special-token literals from messages
  };
  // Renders `in`, filling in the folder's special tokens where `in` has none. With `protect`,
  // the literals of `protect`'s special tokens inside message strings are recorded as protected.
  Result<Rendered> Render(tmpl::ChatInput in, const tokenizer::Tokenizer* protect = nullptr) const;

  const std::vector<std::pair<std::string, tmpl::Value>>& special_tokens() const {
    return special_;
  }
  const tmpl::Template& tmpl() const { return template_; }

 private:
  tmpl::Template template_;
  std::vector<std::pair<std::string, tmpl::Value>> special_;
};

}  // namespace qw::engine
