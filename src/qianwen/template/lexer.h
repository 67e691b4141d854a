#pragma once
// Splits a template into text and tag tokens, applying Jinja's whitespace rules as transformers
// configures them: trim_blocks, lstrip_blocks, "-" and "+" modifiers, {% raw %}, and the final
// newline dropped (keep_trailing_newline=False).

#include <string>
#include <vector>

#include "qianwen/core/status.h"

namespace qw::tmpl {

struct Token {
  enum Type {
    kText,
    kVarBegin,
    kVarEnd,
    kBlockBegin,
    kBlockEnd,
    kName,
    kString,
    kInt,
    kFloat,
    kOp,
    kEof
  };
  Type type;
  std::string text;  // text, name, string value (unescaped), number spelling or operator
  int line = 1;
};

Result<std::vector<Token>> Lex(const std::string& source);

}  // namespace qw::tmpl
