#include "qianwen/tokenizer/tokenizer_json.h"

#include <nlohmann/json.hpp>

#include "qianwen/core/mapped_file.h"

namespace qw::tokenizer {
namespace {

using json = nlohmann::json;

std::string TypeOf(const json& j) {
  return j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>()
                                                                      : "?";
}

Status ReadPreTokenizer(const json& pt, const std::string& path, TokenizerSpec* spec) {
  std::vector<json> steps;
  if (TypeOf(pt) == "Sequence" && pt.contains("pretokenizers") && pt["pretokenizers"].is_array()) {
    for (const auto& s : pt["pretokenizers"]) steps.push_back(s);
  } else {
    steps.push_back(pt);
  }
  bool byte_level = false;
  for (const auto& s : steps) {
    const std::string t = TypeOf(s);
    if (t == "Split") {
      if (!s.contains("pattern") || !s["pattern"].is_object() || !s["pattern"].contains("Regex") ||
          !s["pattern"]["Regex"].is_string()) {
        return Unsupported(path + ": pre_tokenizer Split without a Regex pattern");
      }
      if (s.value("behavior", "") != "Isolated" || s.value("invert", false)) {
        return Unsupported(path + ": pre_tokenizer Split with behavior '" +
                           s.value("behavior", "") + "' (only Isolated, not inverted)");
      }
      if (!spec->pretokenizer_regex.empty())
        return Unsupported(path + ": more than one Split pre-tokenizer");
      spec->pretokenizer_regex = s["pattern"]["Regex"].get<std::string>();
    } else if (t == "ByteLevel") {
      if (s.value("add_prefix_space", false) || s.value("use_regex", true)) {
        return Unsupported(path + ": ByteLevel pre-tokenizer with add_prefix_space or use_regex");
      }
      byte_level = true;
    } else {
      return Unsupported(path + ": pre_tokenizer type '" + t + "' is not supported");
    }
  }
  if (!byte_level || spec->pretokenizer_regex.empty()) {
    return Unsupported(path + ": expected a Split regex and a ByteLevel pre-tokenizer");
  }
  return OkStatus();
}

}  // namespace

Result<TokenizerSpec> ParseTokenizerJson(const std::string& text, const std::string& path) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Corrupt(path + ": not valid JSON");
  if (!j.is_object()) return Corrupt(path + ": not a JSON object");
  TokenizerSpec spec;

  const json& model = j.contains("model") ? j["model"] : json();
  if (TypeOf(model) != "BPE")
    return Unsupported(path + ": model type '" + TypeOf(model) + "' is not supported (only BPE)");
  if (model.value("byte_fallback", false))
    return Unsupported(path + ": BPE byte_fallback is not supported");
  if (!model.contains("vocab") || !model["vocab"].is_object())
    return Corrupt(path + ": model.vocab is not an object");
  for (auto it = model["vocab"].begin(); it != model["vocab"].end(); ++it) {
    if (!it->is_number_integer())
      return Corrupt(path + ": model.vocab['" + it.key() + "'] is not an integer");
    int64_t id = it->get<int64_t>();
    if (id < 0 || id >= (1 << 24))
      return Corrupt(path + ": model.vocab['" + it.key() + "'] = " + std::to_string(id) +
                     " is out of range");
    if (static_cast<size_t>(id) >= spec.vocab.size())
      spec.vocab.resize(static_cast<size_t>(id) + 1);
    if (!spec.vocab[static_cast<size_t>(id)].empty())
      return Corrupt(path + ": id " + std::to_string(id) + " appears twice in model.vocab");
    if (it.key().empty()) return Corrupt(path + ": model.vocab has an empty token");
    spec.vocab[static_cast<size_t>(id)] = it.key();
  }
  if (!model.contains("merges") || !model["merges"].is_array())
    return Corrupt(path + ": model.merges is not a list");
  for (const auto& m : model["merges"]) {
    if (m.is_string()) {  // "a b"
      const std::string s = m.get<std::string>();
      auto sp = s.find(' ');
      if (sp == std::string::npos || sp == 0 || sp + 1 >= s.size() ||
          s.find(' ', sp + 1) != std::string::npos) {
        return Corrupt(path + ": merge '" + s + "' is not two tokens separated by one space");
      }
      spec.merges.push_back({s.substr(0, sp), s.substr(sp + 1)});
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() &&
               m[1].is_string()) {  // ["a", "b"]
      spec.merges.push_back({m[0].get<std::string>(), m[1].get<std::string>()});
    } else {
      return Corrupt(path + ": merge " + m.dump().substr(0, 40) +
                     " is neither \"a b\" nor [\"a\", \"b\"]");
    }
  }

  const json norm = j.contains("normalizer") ? j["normalizer"] : json();
  if (norm.is_null()) {
    spec.nfc = false;
  } else if (TypeOf(norm) == "NFC") {
    spec.nfc = true;
  } else {
    return Unsupported(path + ": normalizer '" + TypeOf(norm) + "' is not supported (NFC or none)");
  }
  if (!j.contains("pre_tokenizer") || j["pre_tokenizer"].is_null())
    return Unsupported(path + ": no pre_tokenizer");
  QW_TRY(ReadPreTokenizer(j["pre_tokenizer"], path, &spec));
  if (j.contains("decoder") && !j["decoder"].is_null() && TypeOf(j["decoder"]) != "ByteLevel") {
    return Unsupported(path + ": decoder '" + TypeOf(j["decoder"]) +
                       "' is not supported (ByteLevel)");
  }

  if (j.contains("added_tokens")) {
    if (!j["added_tokens"].is_array()) return Corrupt(path + ": added_tokens is not a list");
    for (const auto& a : j["added_tokens"]) {
      if (!a.is_object() || !a.contains("id") || !a["id"].is_number_integer() ||
          !a.contains("content") || !a["content"].is_string()) {
        return Corrupt(path + ": an added token lacks an integer id or a string content");
      }
      AddedToken t{a["id"].get<int32_t>(), a["content"].get<std::string>(),
                   a.value("special", false)};
      if (t.id < 0 || t.id >= (1 << 24))
        return Corrupt(path + ": added token id " + std::to_string(t.id) + " is out of range");
      if (t.content.empty())
        return Corrupt(path + ": added token " + std::to_string(t.id) + " is empty");
      if (a.value("lstrip", false) || a.value("rstrip", false) || a.value("single_word", false) ||
          a.value("normalized", false)) {
        return Unsupported(path + ": added token '" + t.content +
                           "' uses lstrip/rstrip/single_word/normalized");
      }
      spec.added.push_back(std::move(t));
    }
  }
  return spec;
}

Result<TokenizerSpec> ReadTokenizerJson(const std::string& path) {
  QW_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseTokenizerJson(text, path);
}

}  // namespace qw::tokenizer
