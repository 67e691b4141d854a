#include "qianwen/tokenizer/stream_decoder.h"

#include "qianwen/core/utf8.h"

namespace qw::tokenizer {

std::string StreamDecoder::Push(int32_t id) {
  if (skip_special_ && tok_.IsSpecial(id)) return "";
  pending_ += tok_.TokenBytes(id);
  std::string out;
  size_t i = 0;
  while (i < pending_.size()) {
    size_t len;
    Utf8Step st = NextUtf8(pending_, i, &len);
    if (st == Utf8Step::kIncomplete) break;
    if (st == Utf8Step::kValid)
      out.append(pending_, i, len);
    else
      out += "\xEF\xBF\xBD";
    i += len;
  }
  pending_.erase(0, i);
  return out;
}

std::string StreamDecoder::Finish() {
  std::string out = Utf8Lossy(pending_);
  pending_.clear();
  return out;
}

}  // namespace qw::tokenizer
