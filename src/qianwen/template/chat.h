#pragma once
// Renders a chat template the way transformers' apply_chat_template does: messages, tools,
// documents and add_generation_prompt always passed; the special tokens that are set; every
// extra keyword (enable_thinking, ...) overriding them; continue_final_message handled around
// the render.

#include <string>
#include <utility>
#include <vector>

#include "qianwen/template/interpreter.h"
#include "qianwen/template/value.h"

namespace qw::tmpl {

struct ChatInput {
  Value messages = Value::MakeList();
  Value tools = Value::None();
  Value documents = Value::None();
  bool add_generation_prompt = false;
  // Empty: off. Otherwise the message field to continue ("content" for
  // continue_final_message=True).
  std::string continue_final_field;
  std::vector<std::pair<std::string, Value>> special_tokens;  // eos_token, ...; unset ones dropped
  bool has_special_tokens = false;  // the caller chose them (even none); else the model's apply
  std::vector<std::pair<std::string, Value>> kwargs;  // enable_thinking, ...
};

Result<std::string> RenderChat(const Template& t, const ChatInput& in,
                               const RenderOptions& opt = {});

// Builds a ChatInput from a JSON object with "messages", "tools", "documents", "kwargs" (holding
// add_generation_prompt, continue_final_message and any render variable) and "special_tokens".
Result<ChatInput> ChatInputFromJson(const Value& request);

}  // namespace qw::tmpl
