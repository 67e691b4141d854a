#include "qianwen/tokenizer/byte_level.h"

#include "qianwen/core/utf8.h"

namespace qw::tokenizer {

ByteLevel::ByteLevel() {
  from_cp_.fill(-1);
  uint32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable =
        (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    to_cp_[b] = printable ? static_cast<uint32_t>(b) : next++;
    from_cp_[to_cp_[b]] = b;
  }
}

std::string ByteLevel::Token(uint8_t byte) const {
  std::string s;
  AppendUtf8(to_cp_[byte], &s);
  return s;
}

}  // namespace qw::tokenizer
