#pragma once
// GPT-2's byte-level alphabet: every byte maps to one printable code point, so any byte string
// is a string of vocabulary characters. Printable Latin-1 bytes map to themselves; the others to
// U+0100 + n in byte order.

#include <array>
#include <cstdint>
#include <string>

namespace qw::tokenizer {

class ByteLevel {
 public:
  ByteLevel();
  uint32_t CodePoint(uint8_t byte) const { return to_cp_[byte]; }
  // The byte a code point stands for, or -1 if it is not in the alphabet.
  int Byte(uint32_t cp) const { return cp < from_cp_.size() ? from_cp_[cp] : -1; }
  // The UTF-8 text of the one-character token for `byte`.
  std::string Token(uint8_t byte) const;

 private:
  std::array<uint32_t, 256> to_cp_{};
  std::array<int, 324> from_cp_{};
};

}  // namespace qw::tokenizer
