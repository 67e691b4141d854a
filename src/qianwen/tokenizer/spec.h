#pragma once
// The loaded form of a byte-level BPE tokenizer, independent of the file it came from
// (tokenizer.json today, GGUF metadata later).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace qw::tokenizer {

struct AddedToken {
  int32_t id;
  std::string content;
  bool special;  // special tokens are the ones "split_special_tokens" turns into plain text
};

struct TokenizerSpec {
  // vocab[id] is the byte-level text of token id (empty for ids held only by added tokens).
  std::vector<std::string> vocab;
  // Merges in priority order, as pairs of byte-level token texts.
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<AddedToken> added;
  std::string pretokenizer_regex;  // the Split pre-tokenizer's pattern
  bool nfc = true;                 // NFC normalizer
};

}  // namespace qw::tokenizer
