#include "qianwen/tokenizer/tokenizer.h"

#include <algorithm>

#include "qianwen/core/utf8.h"
#include "qianwen/tokenizer/nfc.h"

namespace qw::tokenizer {

namespace {
constexpr size_t kCacheLimit = 1 << 18;
constexpr size_t kCacheMaxPiece = 256;
}  // namespace

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromSpec(TokenizerSpec spec) {
  auto t = std::unique_ptr<Tokenizer>(new Tokenizer());
  QW_ASSIGN_OR_RETURN(Bpe bpe, Bpe::Build(spec, t->byte_level_));
  t->bpe_ = std::make_unique<Bpe>(std::move(bpe));
  QW_ASSIGN_OR_RETURN(t->splitter_, RegexSplitter::Compile(spec.pretokenizer_regex));
  size_t n = spec.vocab.size();
  for (const auto& a : spec.added) n = std::max(n, static_cast<size_t>(a.id) + 1);
  t->bytes_.resize(n);
  t->special_.assign(n, 0);
  for (size_t i = 0; i < spec.vocab.size(); ++i) {
    std::string& b = t->bytes_[i];
    for (uint32_t cp : DecodeUtf8(spec.vocab[i])) {
      int byte = t->byte_level_.Byte(cp);
      if (byte < 0) {
        return Corrupt("tokenizer token " + std::to_string(i) + " ('" + spec.vocab[i] +
                       "') has a character outside the byte-level alphabet");
      }
      b.push_back(static_cast<char>(byte));
    }
  }
  for (const auto& a : spec.added) {
    if (a.content.empty()) return Corrupt("added token " + std::to_string(a.id) + " is empty");
    t->bytes_[static_cast<size_t>(a.id)] = a.content;
    t->special_[static_cast<size_t>(a.id)] = a.special;
    t->added_by_text_[a.content] = a.id;
    t->added_first_byte_[static_cast<uint8_t>(a.content[0])] = true;
  }
  t->spec_ = std::move(spec);
  // The vocabulary and merges now live in bytes_ and the BPE tables; drop the loaded copies
  // (about 15 MB for Qwen's 151k tokens and merges).
  std::vector<std::string>().swap(t->spec_.vocab);
  std::vector<std::pair<std::string, std::string>>().swap(t->spec_.merges);
  return t;
}

const std::string& Tokenizer::TokenBytes(int32_t id) const {
  static const std::string kEmpty;
  if (id < 0 || static_cast<size_t>(id) >= bytes_.size()) return kEmpty;
  return bytes_[static_cast<size_t>(id)];
}

std::vector<std::string> Tokenizer::SpecialTokenTexts() const {
  std::vector<std::string> out;
  for (const auto& a : spec_.added)
    if (a.special) out.push_back(a.content);
  return out;
}

bool Tokenizer::IsSpecial(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < special_.size() && special_[static_cast<size_t>(id)];
}

int32_t Tokenizer::TokenId(std::string_view text) const {
  auto it = added_by_text_.find(std::string(text));
  if (it != added_by_text_.end()) return it->second;
  for (size_t i = 0; i < bytes_.size(); ++i)
    if (bytes_[i] == text) return static_cast<int32_t>(i);
  return -1;
}

void Tokenizer::EncodeStretch(std::string_view text, std::vector<int32_t>* out) const {
  if (text.empty()) return;
  std::string norm = spec_.nfc ? NfcUnicode9(text) : std::string(text);
  splitter_->Split(norm, [&](std::string_view piece) {
    if (piece.size() > kCacheMaxPiece) {
      bpe_->Encode(piece, out);
      return;
    }
    std::string key(piece);
    {
      std::lock_guard<std::mutex> lock(cache_mu_);
      auto it = cache_.find(key);
      if (it != cache_.end()) {
        out->insert(out->end(), it->second.begin(), it->second.end());
        return;
      }
    }
    std::vector<int32_t> ids;
    bpe_->Encode(piece, &ids);
    out->insert(out->end(), ids.begin(), ids.end());
    std::lock_guard<std::mutex> lock(cache_mu_);
    if (cache_.size() >= kCacheLimit) cache_.clear();
    cache_.emplace(std::move(key), std::move(ids));
  });
}

Result<std::vector<int32_t>> Tokenizer::Encode(std::string_view text, SpecialMode mode) const {
  return Encode(text, mode, {});
}

Result<std::vector<int32_t>> Tokenizer::Encode(
    std::string_view text, SpecialMode mode,
    const std::vector<std::pair<size_t, size_t>>& protected_spans) const {
  size_t bad = FindInvalidUtf8(text);
  if (bad != std::string_view::npos) {
    return InvalidArgument("text is not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  // Leftmost-longest literal matching of the added tokens on the raw text.
  size_t start = 0, i = 0;
  while (i < text.size() && mode != SpecialMode::kNone) {
    if (!added_first_byte_[static_cast<uint8_t>(text[i])]) {
      ++i;
      continue;
    }
    bool guarded = false;
    for (const auto& [b, e] : protected_spans) guarded |= i >= b && i < e;
    if (guarded) {
      ++i;
      continue;
    }
    int32_t best = -1;
    size_t best_len = 0;
    for (const auto& a : spec_.added) {
      if (mode == SpecialMode::kText && a.special) continue;
      if (a.content.size() > best_len && text.compare(i, a.content.size(), a.content) == 0) {
        best = a.id;
        best_len = a.content.size();
      }
    }
    if (best < 0) {
      ++i;
      continue;
    }
    EncodeStretch(text.substr(start, i - start), &out);
    out.push_back(best);
    i += best_len;
    start = i;
  }
  EncodeStretch(text.substr(start), &out);
  return out;
}

std::string Tokenizer::Decode(const std::vector<int32_t>& ids, bool skip_special) const {
  std::string bytes;
  for (int32_t id : ids) {
    if (skip_special && IsSpecial(id)) continue;
    bytes += TokenBytes(id);
  }
  return Utf8Lossy(bytes);
}

}  // namespace qw::tokenizer
