#include "qianwen/tokenizer/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace qw::tokenizer {

struct RegexSplitter::Impl {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Impl() {
    if (code) pcre2_code_free(code);
  }
};

RegexSplitter::~RegexSplitter() = default;

Result<std::unique_ptr<RegexSplitter>> RegexSplitter::Compile(const std::string& pattern) {
  auto s = std::unique_ptr<RegexSplitter>(new RegexSplitter());
  s->impl_ = std::make_unique<Impl>();
  int err = 0;
  PCRE2_SIZE off = 0;
  s->impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                 PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &off, nullptr);
  if (s->impl_->code == nullptr) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof(msg));
    return Unsupported("pre-tokenizer regex does not compile at offset " + std::to_string(off) +
                       ": " + reinterpret_cast<char*>(msg));
  }
  s->impl_->jit = pcre2_jit_compile(s->impl_->code, PCRE2_JIT_COMPLETE) == 0;
  return s;
}

void RegexSplitter::Spans(std::string_view text,
                          std::vector<std::pair<size_t, size_t>>* out) const {
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t pos = 0, last = 0;
  while (pos < text.size()) {
    int rc = impl_->jit ? pcre2_jit_match(impl_->code, subject, text.size(), pos, 0, md, nullptr)
                        : pcre2_match(impl_->code, subject, text.size(), pos, PCRE2_NO_UTF_CHECK,
                                      md, nullptr);
    if (rc < 0) break;  // no further match (or a match-limit error): the rest is one gap
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    size_t b = ov[0], e = ov[1];
    if (b > last) out->push_back({last, b});
    if (e > b) {
      out->push_back({b, e});
      pos = last = e;
    } else {  // an empty match: step over one character
      pos = b + 1;
      while (pos < text.size() && (static_cast<uint8_t>(text[pos]) & 0xc0) == 0x80) ++pos;
      last = b;
    }
  }
  if (last < text.size()) out->push_back({last, text.size()});
  pcre2_match_data_free(md);
}

}  // namespace qw::tokenizer
