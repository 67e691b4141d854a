#include "qianwen/engine/text.h"

#include <filesystem>

#include "qianwen/core/mapped_file.h"
#include "qianwen/io/tokenizer_config.h"
#include "qianwen/tokenizer/tokenizer_json.h"

namespace qw::engine {
namespace fs = std::filesystem;

namespace {
// Noncharacters U+FDD0 / U+FDD1 bracket protected literals while the template runs; they are
// removed from the output, which records where the literals ended up.
constexpr const char kOpen[] = "\xEF\xB7\x90";
constexpr const char kClose[] = "\xEF\xB7\x91";

std::string Mark(const std::string& s, const std::vector<std::string>& literals) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t best = std::string::npos, len = 0;
    for (const auto& lit : literals) {
      size_t f = s.find(lit, i);
      if (f != std::string::npos && (f < best || (f == best && lit.size() > len))) {
        best = f;
        len = lit.size();
      }
    }
    if (best == std::string::npos) break;
    out += s.substr(i, best - i) + kOpen + s.substr(best, len) + kClose;
    i = best + len;
  }
  return out + s.substr(i);
}

tmpl::Value MarkAll(const tmpl::Value& v, const std::vector<std::string>& literals) {
  if (v.is_string()) return tmpl::Value::Str(Mark(v.str(), literals));
  if (v.is_sequence_like()) {
    tmpl::List items;
    for (const auto& x : v.list()) items.push_back(MarkAll(x, literals));
    return v.is_tuple() ? tmpl::Value::MakeTuple(std::move(items))
                        : tmpl::Value::MakeList(std::move(items));
  }
  if (v.is_dict()) {
    tmpl::Dict d;
    for (const auto& [k, x] : v.dict()) d.emplace_back(k, MarkAll(x, literals));
    return tmpl::Value::MakeDict(std::move(d));
  }
  return v;
}
}  // namespace

Result<std::unique_ptr<tokenizer::Tokenizer>> LoadTokenizer(const std::string& model_dir) {
  QW_ASSIGN_OR_RETURN(
      tokenizer::TokenizerSpec spec,
      tokenizer::ReadTokenizerJson((fs::path(model_dir) / "tokenizer.json").string()));
  return tokenizer::Tokenizer::FromSpec(std::move(spec));
}

Result<ChatFormat> ChatFormat::Load(const std::string& model_dir,
                                    const std::string& template_file) {
  ChatFormat f;
  std::string source;
  io::TokenizerConfig cfg;
  std::error_code ec;
  const std::string cfg_path = (fs::path(model_dir) / "tokenizer_config.json").string();
  if (!model_dir.empty() && fs::exists(cfg_path, ec)) {
    QW_ASSIGN_OR_RETURN(cfg, io::ReadTokenizerConfig(cfg_path));
  }
  if (!template_file.empty()) {
    QW_ASSIGN_OR_RETURN(source, ReadFileToString(template_file));
  } else if (cfg.chat_template) {
    source = *cfg.chat_template;
  } else if (fs::exists(fs::path(model_dir) / "chat_template.jinja", ec)) {
    QW_ASSIGN_OR_RETURN(source,
                        ReadFileToString((fs::path(model_dir) / "chat_template.jinja").string()));
  } else {
    return NotFound(model_dir +
                    ": no chat template (tokenizer_config.json has no chat_template and there is "
                    "no chat_template.jinja); give one with --chat-template FILE");
  }
  auto t = tmpl::Template::Compile(source);
  if (!t.ok())
    return t.status().WithContext(template_file.empty() ? model_dir + ": chat template"
                                                        : template_file);
  f.template_ = std::move(*t);
  for (const auto& [k, v] : cfg.special_tokens) f.special_.emplace_back(k, tmpl::Value::Str(v));
  if (!cfg.additional_special_tokens.empty()) {
    tmpl::List l;
    for (const auto& s : cfg.additional_special_tokens) l.push_back(tmpl::Value::Str(s));
    f.special_.emplace_back("additional_special_tokens", tmpl::Value::MakeList(std::move(l)));
  }
  return f;
}

Result<ChatFormat::Rendered> ChatFormat::Render(tmpl::ChatInput in,
                                                const tokenizer::Tokenizer* protect) const {
  if (!in.has_special_tokens) in.special_tokens = special_;
  if (protect) {
    std::vector<std::string> lits = protect->SpecialTokenTexts();
    in.messages = MarkAll(in.messages, lits);
  }
  QW_ASSIGN_OR_RETURN(std::string text, tmpl::RenderChat(template_, in));
  Rendered r;
  if (!protect) {
    r.text = std::move(text);
    return r;
  }
  // Remove the markers, recording the spans they enclosed.
  r.text.reserve(text.size());
  size_t i = 0, open_at = std::string::npos;
  while (i < text.size()) {
    if (text.compare(i, 3, kOpen) == 0) {
      open_at = r.text.size();
      i += 3;
    } else if (text.compare(i, 3, kClose) == 0) {
      if (open_at != std::string::npos) r.protected_spans.emplace_back(open_at, r.text.size());
      open_at = std::string::npos;
      i += 3;
    } else {
      r.text.push_back(text[i++]);
    }
  }
  return r;
}

}  // namespace qw::engine
