#include "qianwen/engine/text.h"

#include <filesystem>

#include "qianwen/core/mapped_file.h"
#include "qianwen/io/gguf.h"
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

namespace {

// Qwen's pre-tokenizer pattern (tokenizer.json's Split regex), which GGUF names "qwen2".
constexpr const char kQwen2Regex[] =
    R"RE((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)RE";

Result<tokenizer::TokenizerSpec> SpecFromGguf(const io::GgufFile& g) {
  QW_ASSIGN_OR_RETURN(std::string model, g.GetString("tokenizer.ggml.model"));
  if (model != "gpt2") {
    return Unsupported(g.path() + ": tokenizer.ggml.model '" + model +
                       "' is not supported (gpt2 byte-level BPE)");
  }
  QW_ASSIGN_OR_RETURN(std::string pre, g.GetString("tokenizer.ggml.pre"));
  // Refuse what we cannot reproduce exactly instead of guessing a pre-tokenizer.
  if (pre != "qwen2") {
    return Unsupported(g.path() + ": tokenizer.ggml.pre '" + pre + "' is not supported (qwen2)");
  }
  const io::GgufValue* tokens = g.Find("tokenizer.ggml.tokens");
  const io::GgufValue* types = g.Find("tokenizer.ggml.token_type");
  const io::GgufValue* merges = g.Find("tokenizer.ggml.merges");
  if (!tokens || tokens->elem != io::GgufType::kString || tokens->strs.empty()) {
    return Corrupt(g.path() + ": tokenizer.ggml.tokens is missing or not a list of strings");
  }
  if (!merges || merges->elem != io::GgufType::kString) {
    return Corrupt(g.path() + ": tokenizer.ggml.merges is missing or not a list of strings");
  }
  if (types && types->ints.size() != tokens->strs.size()) {
    return Corrupt(g.path() + ": tokenizer.ggml.token_type has " +
                   std::to_string(types->ints.size()) + " entries for " +
                   std::to_string(tokens->strs.size()) + " tokens");
  }
  tokenizer::TokenizerSpec spec;
  spec.nfc = true;  // Qwen's tokenizer.json normalizes with NFC; GGUF does not record it
  spec.pretokenizer_regex = kQwen2Regex;
  spec.vocab.resize(tokens->strs.size());
  for (size_t i = 0; i < tokens->strs.size(); ++i) {
    const int64_t type = types ? types->ints[i] : 1;
    if (type == 1) {
      spec.vocab[i] = std::string(tokens->strs[i]);  // normal: byte-level text
    } else if (type == 3 || type == 4) {
      // Control (special) and user-defined tokens are added tokens, matched on raw text.
      spec.added.push_back({static_cast<int32_t>(i), std::string(tokens->strs[i]), type == 3});
    }  // 5 (unused, [PAD...]) and the rest hold no text
  }
  for (const auto& m : merges->strs) {
    size_t sp = m.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 >= m.size()) {
      return Corrupt(g.path() + ": merge '" + std::string(m) +
                     "' is not two tokens separated by a space");
    }
    spec.merges.push_back({std::string(m.substr(0, sp)), std::string(m.substr(sp + 1))});
  }
  return spec;
}

}  // namespace

Result<std::unique_ptr<tokenizer::Tokenizer>> LoadTokenizer(const std::string& model_path,
                                                            const io::GgufFile* open) {
  std::error_code ec;
  if (open != nullptr || (fs::is_regular_file(model_path, ec) && io::LooksLikeGguf(model_path))) {
    std::shared_ptr<io::GgufFile> parsed;
    if (open == nullptr) {
      QW_ASSIGN_OR_RETURN(parsed, io::GgufFile::Open(model_path));
      open = parsed.get();
    }
    QW_ASSIGN_OR_RETURN(tokenizer::TokenizerSpec spec, SpecFromGguf(*open));
    return tokenizer::Tokenizer::FromSpec(std::move(spec));
  }
  QW_ASSIGN_OR_RETURN(
      tokenizer::TokenizerSpec spec,
      tokenizer::ReadTokenizerJson((fs::path(model_path) / "tokenizer.json").string()));
  return tokenizer::Tokenizer::FromSpec(std::move(spec));
}

Result<ChatFormat> ChatFormat::Load(const std::string& model_dir, const std::string& template_file,
                                    const io::GgufFile* open) {
  ChatFormat f;
  std::string source;
  io::TokenizerConfig cfg;
  std::error_code ec;
  if (open != nullptr ||
      (!model_dir.empty() && fs::is_regular_file(model_dir, ec) && io::LooksLikeGguf(model_dir))) {
    std::shared_ptr<io::GgufFile> parsed;
    if (open == nullptr) {
      QW_ASSIGN_OR_RETURN(parsed, io::GgufFile::Open(model_dir));
      open = parsed.get();
    }
    const io::GgufFile* g = open;
    if (template_file.empty()) {
      auto t = g->GetString("tokenizer.chat_template");
      if (!t.ok())
        return NotFound(model_dir +
                        ": no tokenizer.chat_template; give one with --chat-template FILE");
      cfg.chat_template = *t;
    }
    const io::GgufValue* tokens = g->Find("tokenizer.ggml.tokens");
    auto token = [&](const char* key) -> std::string {
      const io::GgufValue* id = g->Find(key);
      if (!tokens || !id || !id->is_int() || id->i < 0 ||
          static_cast<size_t>(id->i) >= tokens->strs.size())
        return "";
      return std::string(tokens->strs[static_cast<size_t>(id->i)]);
    };
    if (auto e = token("tokenizer.ggml.eos_token_id"); !e.empty())
      cfg.special_tokens["eos_token"] = e;
    if (auto p = token("tokenizer.ggml.padding_token_id"); !p.empty())
      cfg.special_tokens["pad_token"] = p;
    // transformers passes bos_token only when it is set; Qwen's is unset (add_bos_token false).
    const io::GgufValue* add_bos = g->Find("tokenizer.ggml.add_bos_token");
    if (add_bos && add_bos->i) {
      if (auto b = token("tokenizer.ggml.bos_token_id"); !b.empty())
        cfg.special_tokens["bos_token"] = b;
    }
  }
  const std::string cfg_path = (fs::path(model_dir) / "tokenizer_config.json").string();
  if (!model_dir.empty() && !fs::is_regular_file(model_dir, ec) && fs::exists(cfg_path, ec)) {
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
