#pragma once
// The Qwen tokenizer: added tokens matched on the raw text (leftmost-longest), each stretch
// between them NFC-normalized (Unicode 9.0, as the reference), split by the pre-tokenizer regex,
// mapped to bytes and BPE-encoded. Decoding joins token bytes and reads them as lossy UTF-8.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qianwen/core/status.h"
#include "qianwen/tokenizer/bpe.h"
#include "qianwen/tokenizer/byte_level.h"
#include "qianwen/tokenizer/pretokenizer.h"
#include "qianwen/tokenizer/spec.h"

namespace qw::tokenizer {

enum class SpecialMode {
  kParse,  // every added token is matched (transformers' default)
  kText,   // added tokens marked special are plain text (split_special_tokens=True)
  kNone,   // no added token is matched
};

class Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> FromSpec(TokenizerSpec spec);

  // `text` must be valid UTF-8 (InvalidArgument names the first bad byte otherwise).
  Result<std::vector<int32_t>> Encode(std::string_view text,
                                      SpecialMode mode = SpecialMode::kParse) const;
  // Same, but no added token is matched starting inside a `protected_spans` byte range [b, e):
  // text there (e.g. a user's message content) is tokenized as plain text.
  Result<std::vector<int32_t>> Encode(
      std::string_view text, SpecialMode mode,
      const std::vector<std::pair<size_t, size_t>>& protected_spans) const;
  // The bytes of the ids joined, read as lossy UTF-8. skip_special drops special added tokens.
  std::string Decode(const std::vector<int32_t>& ids, bool skip_special = false) const;
  // Raw bytes of one token (may be a partial UTF-8 sequence); empty for an unknown id.
  const std::string& TokenBytes(int32_t id) const;

  // The text of every added token marked special (<|im_start|>, ...).
  std::vector<std::string> SpecialTokenTexts() const;
  int32_t vocab_size() const { return static_cast<int32_t>(bytes_.size()); }
  bool IsSpecial(int32_t id) const;
  // The id of an added token or vocabulary entry spelled exactly `text`, or -1.
  int32_t TokenId(std::string_view text) const;

 private:
  Tokenizer() = default;
  void EncodeStretch(std::string_view text, std::vector<int32_t>* out) const;

  TokenizerSpec spec_;
  ByteLevel byte_level_;
  std::unique_ptr<Bpe> bpe_;
  std::unique_ptr<RegexSplitter> splitter_;
  std::vector<std::string> bytes_;  // id -> raw bytes
  std::vector<uint8_t> special_;    // id -> 1 if a special added token
  std::unordered_map<std::string, int32_t> added_by_text_;
  std::array<bool, 256> added_first_byte_{};  // bytes that start some added token
  // Piece -> ids memo; pieces repeat a lot in real text.
  mutable std::mutex cache_mu_;
  mutable std::unordered_map<std::string, std::vector<int32_t>> cache_;
};

}  // namespace qw::tokenizer
