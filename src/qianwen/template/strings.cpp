#include "qianwen/template/strings.h"

#include <utf8proc.h>

#include <algorithm>

#include "qianwen/core/utf8.h"

namespace qw::tmpl {

bool IsPySpace(uint32_t cp) {
  if ((cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0)
    return true;
  if (cp < 0x1680) return false;
  return cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

bool IsWordChar(uint32_t cp) {
  if (cp == '_') return true;
  if (cp < 0x80) return std::isalnum(static_cast<int>(cp)) != 0;
  auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || c == UTF8PROC_CATEGORY_ND ||
         c == UTF8PROC_CATEGORY_NL || c == UTF8PROC_CATEGORY_NO;
}

static std::string Map(const std::string& s, bool upper) {
  std::string out;
  for (uint32_t cp : DecodeUtf8(s)) {
    if (upper && cp == 0xdf) {  // ß -> SS (Python's full mapping)
      out += "SS";
      continue;
    }
    auto m = upper ? utf8proc_toupper(static_cast<utf8proc_int32_t>(cp))
                   : utf8proc_tolower(static_cast<utf8proc_int32_t>(cp));
    AppendUtf8(static_cast<uint32_t>(m), &out);
  }
  return out;
}

std::string PyUpper(const std::string& s) { return Map(s, true); }
std::string PyLower(const std::string& s) { return Map(s, false); }

std::string PyCapitalize(const std::string& s) {
  auto cps = DecodeUtf8(s);
  std::string out;
  for (size_t i = 0; i < cps.size(); ++i) {
    auto m = i == 0 ? utf8proc_totitle(static_cast<utf8proc_int32_t>(cps[i]))
                    : utf8proc_tolower(static_cast<utf8proc_int32_t>(cps[i]));
    AppendUtf8(static_cast<uint32_t>(m), &out);
  }
  return out;
}

std::string PyTitle(const std::string& s) {
  std::string out;
  bool prev_cased = false;
  for (uint32_t cp : DecodeUtf8(s)) {
    auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
    bool cased =
        c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LT;
    auto m = prev_cased ? utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))
                        : utf8proc_totitle(static_cast<utf8proc_int32_t>(cp));
    AppendUtf8(static_cast<uint32_t>(m), &out);
    prev_cased = cased;
  }
  return out;
}

std::string PyStrip(const std::string& s, const std::string* chars, bool left, bool right) {
  auto cps = DecodeUtf8(s);
  std::vector<uint32_t> set;
  if (chars) set = DecodeUtf8(*chars);
  auto strip = [&](uint32_t cp) {
    return chars ? std::find(set.begin(), set.end(), cp) != set.end() : IsPySpace(cp);
  };
  size_t b = 0, e = cps.size();
  if (left)
    while (b < e && strip(cps[b])) ++b;
  if (right)
    while (e > b && strip(cps[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i) AppendUtf8(cps[i], &out);
  return out;
}

std::vector<std::string> PySplit(const std::string& s, const std::string* sep, long maxsplit) {
  std::vector<std::string> out;
  if (sep) {
    size_t pos = 0;
    while (maxsplit < 0 || static_cast<long>(out.size()) < maxsplit) {
      size_t f = s.find(*sep, pos);
      if (f == std::string::npos) break;
      out.push_back(s.substr(pos, f - pos));
      pos = f + sep->size();
    }
    out.push_back(s.substr(pos));
    return out;
  }
  auto cps = DecodeUtf8(s);
  size_t i = 0;
  while (true) {
    while (i < cps.size() && IsPySpace(cps[i])) ++i;
    if (i >= cps.size()) break;
    if (maxsplit >= 0 && static_cast<long>(out.size()) >= maxsplit) {
      size_t e = cps.size();
      while (e > i && IsPySpace(cps[e - 1])) --e;
      std::string rest;
      for (size_t k = i; k < e; ++k) AppendUtf8(cps[k], &rest);
      out.push_back(rest);
      break;
    }
    std::string w;
    while (i < cps.size() && !IsPySpace(cps[i])) AppendUtf8(cps[i++], &w);
    out.push_back(w);
  }
  return out;
}

std::vector<std::string> PyRSplit(const std::string& s, const std::string* sep, long maxsplit) {
  if (maxsplit < 0) return PySplit(s, sep, -1);
  std::vector<std::string> out;
  if (sep) {
    size_t end = s.size();
    while (static_cast<long>(out.size()) < maxsplit) {
      if (end < sep->size()) break;
      size_t f = s.rfind(*sep, end - sep->size());
      if (f == std::string::npos) break;
      out.push_back(s.substr(f + sep->size(), end - f - sep->size()));
      end = f;
    }
    out.push_back(s.substr(0, end));
    std::reverse(out.begin(), out.end());
    return out;
  }
  // Whitespace rsplit with a limit: split from the right.
  auto cps = DecodeUtf8(s);
  long e = static_cast<long>(cps.size());
  while (true) {
    while (e > 0 && IsPySpace(cps[static_cast<size_t>(e - 1)])) --e;
    if (e <= 0) break;
    if (static_cast<long>(out.size()) >= maxsplit) {
      std::string rest;
      long b = 0;
      while (b < e && IsPySpace(cps[static_cast<size_t>(b)])) ++b;
      for (long k = b; k < e; ++k) AppendUtf8(cps[static_cast<size_t>(k)], &rest);
      out.push_back(rest);
      break;
    }
    long b = e;
    while (b > 0 && !IsPySpace(cps[static_cast<size_t>(b - 1)])) --b;
    std::string w;
    for (long k = b; k < e; ++k) AppendUtf8(cps[static_cast<size_t>(k)], &w);
    out.push_back(w);
    e = b;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace qw::tmpl
