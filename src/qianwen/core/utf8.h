#pragma once
// UTF-8 helpers: validation, code point iteration, encoding, and lossy decoding that replaces
// each maximal invalid subpart with U+FFFD (as Rust's String::from_utf8_lossy and Python's
// errors="replace" do), so full and streamed decodes agree.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qw {

// Length of the valid UTF-8 sequence starting at s[i] (1..4), or 0 if invalid or incomplete.
size_t Utf8SequenceLength(std::string_view s, size_t i);
// Byte offset of the first invalid byte, or npos if `s` is valid UTF-8.
size_t FindInvalidUtf8(std::string_view s);
void AppendUtf8(uint32_t cp, std::string* out);
// Decodes valid UTF-8 (the caller validated it) into code points.
std::vector<uint32_t> DecodeUtf8(std::string_view s);

// Outcome of looking at the bytes at s[i..].
enum class Utf8Step {
  kValid,       // a complete valid sequence of `len` bytes
  kIncomplete,  // a valid prefix that runs to the end of `s`: more bytes may complete it
  kInvalid,     // `len` bytes form a maximal invalid subpart: one U+FFFD
};
Utf8Step NextUtf8(std::string_view s, size_t i, size_t* len);

// Lossy decoding: invalid subparts (and a trailing incomplete sequence) become U+FFFD.
std::string Utf8Lossy(std::string_view bytes);

}  // namespace qw
