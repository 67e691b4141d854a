#pragma once
// The Split pre-tokenizer (behaviour Isolated): the regex's matches, and any text between them,
// become pieces. PCRE2 (with Unicode properties and JIT) runs the pattern with the same
// backtracking semantics as the reference's Oniguruma, look-ahead included; PCRE2's \s with UCP
// is Unicode White_Space, like Oniguruma's.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "qianwen/core/status.h"

namespace qw::tokenizer {

class RegexSplitter {
 public:
  static Result<std::unique_ptr<RegexSplitter>> Compile(const std::string& pattern);
  ~RegexSplitter();
  // Calls fn(piece) for every piece of `text` (valid UTF-8), in order.
  template <typename Fn>
  void Split(std::string_view text, Fn&& fn) const {
    std::vector<std::pair<size_t, size_t>> spans;
    Spans(text, &spans);
    for (auto [b, e] : spans) fn(text.substr(b, e - b));
  }
  void Spans(std::string_view text, std::vector<std::pair<size_t, size_t>>* out) const;

 private:
  RegexSplitter() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qw::tokenizer
