#include "qianwen/template/chat.h"

namespace qw::tmpl {
namespace {
constexpr const char kContinueTag[] = "CONTINUE_FINAL_MESSAGE_TAG ";

Status ValueError(const std::string& m) { return TemplateError("ValueError", m); }

std::string StripPy(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}
}  // namespace

Result<std::string> RenderChat(const Template& t, const ChatInput& in, const RenderOptions& opt) {
  const bool cont = !in.continue_final_field.empty();
  if (cont && in.add_generation_prompt) {
    return ValueError(
        "continue_final_message and add_generation_prompt are not compatible. Use "
        "continue_final_message when you want the model to continue the final message, and "
        "add_generation_prompt when you want to add a header that will prompt it to start a "
        "new assistant message instead.");
  }
  if (in.tools.is_sequence_like()) {
    for (const auto& tool : in.tools.list()) {
      if (!tool.is_dict()) {
        return ValueError(
            "Tools should either be a JSON schema, or a callable function with type hints and a "
            "docstring suitable for auto-conversion to a schema.");
      }
    }
  }
  if (in.documents.is_sequence_like()) {
    for (const auto& d : in.documents.list())
      if (!d.is_dict())
        return TemplateError("TypeError",
                             "Documents should be a list of dicts with 'title' and 'text' keys!");
  }
  Value messages = in.messages;
  std::string final_message;
  if (cont) {
    if (!messages.is_list() || messages.list().empty() || !messages.list().back().is_dict()) {
      return ValueError("continue_final_message is set but there is no final message");
    }
    // Deep enough copy: the last message and its content list.
    List msgs = messages.list();
    Value last = Value::MakeDict(msgs.back().dict());
    const std::string& field = in.continue_final_field;
    const Value* fm = last.Find(field);
    if (!fm || fm->is_none()) {
      return ValueError("continue_final_message is set but the final message has no \"" + field +
                        "\" to continue!");
    }
    if (t.source().find(field) == std::string::npos) {
      return ValueError("continue_final_message is set to \"" + field +
                        "\" but this is not an accepted field in the chat_template");
    }
    if (fm->is_sequence_like()) {
      List parts = fm->list();
      bool found = false;
      for (size_t k = parts.size(); k-- > 0;) {
        if (parts[k].is_dict()) {
          if (const Value* text = parts[k].Find("text")) {
            final_message = ToStr(*text);
            Value part = Value::MakeDict(parts[k].dict());
            part.Set(Value::Str("text"), Value::Str(ToStr(*text) + kContinueTag));
            parts[k] = part;
            found = true;
            break;
          }
        }
      }
      if (!found)
        return ValueError(
            "continue_final_message is set but we could not find any text to continue in the final "
            "message!");
      last.Set(Value::Str(field), Value::MakeList(std::move(parts)));
    } else {
      if (!fm->is_string())
        return TemplateError(
            "TypeError", "unsupported operand type(s) for +: '" + fm->TypeName() + "' and 'str'");
      final_message = fm->str();
      last.Set(Value::Str(field), Value::Str(fm->str() + kContinueTag));
    }
    msgs.back() = last;
    messages = Value::MakeList(std::move(msgs));
  }
  std::vector<std::pair<std::string, Value>> vars;
  vars.emplace_back("messages", messages);
  vars.emplace_back("tools", in.tools);
  vars.emplace_back("documents", in.documents);
  vars.emplace_back("add_generation_prompt", Value::Bool(in.add_generation_prompt));
  for (const auto& [k, v] : in.special_tokens)
    if (v.Truthy()) vars.emplace_back(k, v);
  for (const auto& kv : in.kwargs) vars.push_back(kv);  // later entries win
  QW_ASSIGN_OR_RETURN(std::string rendered, t.Render(vars, opt));
  if (cont) {
    const std::string tag = StripPy(kContinueTag);
    if (rendered.find(StripPy(final_message)) == std::string::npos ||
        rendered.find(tag) == std::string::npos) {
      return ValueError(
          "continue_final_message is set but the final message does not appear in the chat after "
          "applying the chat template!");
    }
    size_t loc = rendered.rfind(tag);
    if (rendered.compare(loc, sizeof(kContinueTag) - 1, kContinueTag) == 0) {
      rendered.erase(loc);
    } else {
      rendered.erase(loc);
      while (!rendered.empty() && std::isspace(static_cast<unsigned char>(rendered.back())))
        rendered.pop_back();
    }
  }
  return rendered;
}

Result<ChatInput> ChatInputFromJson(const Value& req) {
  if (!req.is_dict()) return Status(Code::kInvalidArgument, "request is not a JSON object");
  ChatInput in;
  if (const Value* m = req.Find("messages")) in.messages = *m;
  if (const Value* t = req.Find("tools")) in.tools = *t;
  if (const Value* d = req.Find("documents")) in.documents = *d;
  if (const Value* st = req.Find("special_tokens"); st && st->is_dict()) {
    in.has_special_tokens = true;
    for (const auto& [k, v] : st->dict()) in.special_tokens.emplace_back(ToStr(k), v);
  }
  if (const Value* kw = req.Find("kwargs"); kw && kw->is_dict()) {
    for (const auto& [k, v] : kw->dict()) {
      const std::string key = ToStr(k);
      if (key == "add_generation_prompt") {
        in.add_generation_prompt = v.Truthy();
      } else if (key == "continue_final_message") {
        if (v.is_string())
          in.continue_final_field = v.str();
        else if (v.Truthy())
          in.continue_final_field = "content";
      } else if (key == "return_assistant_tokens_mask") {
        if (v.Truthy() && !in.continue_final_field.empty()) {
          return TemplateError(
              "ValueError",
              "continue_final_message is not compatible with return_assistant_tokens_mask.");
        }
      } else {
        in.kwargs.emplace_back(key, v);
      }
    }
  }
  return in;
}

}  // namespace qw::tmpl
