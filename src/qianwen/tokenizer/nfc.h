#pragma once
// NFC as Hugging Face tokenizers computes it: with Unicode 9.0 data. utf8proc supplies the
// decompositions, combining classes and compositions; this file removes what Unicode 10..15
// added (combining classes and compositions unknown to Unicode 9.0), so the result matches the
// reference exactly (fixtures/tokenizer/README.md, "Reference quirks").

#include <string>
#include <string_view>

namespace qw::tokenizer {

// `text` must be valid UTF-8.
std::string NfcUnicode9(std::string_view text);

}  // namespace qw::tokenizer
