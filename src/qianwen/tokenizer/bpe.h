#pragma once
// Byte-level BPE: a piece's bytes start as one token each and the lowest-ranked adjacent pair is
// merged until no merge applies (ties: leftmost first), as tokenizers' Word::merge_all does.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qianwen/core/status.h"
#include "qianwen/tokenizer/byte_level.h"
#include "qianwen/tokenizer/spec.h"

namespace qw::tokenizer {

class Bpe {
 public:
  static Result<Bpe> Build(const TokenizerSpec& spec, const ByteLevel& bl);
  // Appends the ids of one pre-tokenized piece (raw bytes) to `out`.
  void Encode(std::string_view piece, std::vector<int32_t>* out) const;

 private:
  struct Merge {
    int32_t rank;
    int32_t id;
  };
  static uint64_t Key(int32_t a, int32_t b) {
    return static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32 | static_cast<uint32_t>(b);
  }
  std::unordered_map<uint64_t, Merge> merges_;
  std::array<int32_t, 256> byte_id_{};
};

}  // namespace qw::tokenizer
