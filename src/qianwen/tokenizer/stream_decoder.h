#pragma once
// Streaming detokenizer: takes ids one at a time and emits only complete UTF-8 text. Bytes that
// can never become valid UTF-8 are emitted as U+FFFD at once; an incomplete tail is held until it
// completes, or becomes U+FFFD at Finish(). The pieces concatenate to exactly Decode(all ids).

#include <string>

#include "qianwen/tokenizer/tokenizer.h"

namespace qw::tokenizer {

class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tok, bool skip_special = false)
      : tok_(tok), skip_special_(skip_special) {}
  // The text that became complete with this id (may be empty).
  std::string Push(int32_t id);
  // What remains (U+FFFD for an unfinished sequence); resets the decoder.
  std::string Finish();

 private:
  const Tokenizer& tok_;
  bool skip_special_;
  std::string pending_;  // bytes not yet emitted: an incomplete UTF-8 prefix
};

}  // namespace qw::tokenizer
