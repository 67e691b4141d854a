#include "qianwen/core/utf8.h"

namespace qw {

Utf8Step NextUtf8(std::string_view s, size_t i, size_t* len) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  if (b0 < 0x80) {
    *len = 1;
    return Utf8Step::kValid;
  }
  size_t need;
  uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 3;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;  // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 4;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    *len = 1;
    return Utf8Step::kInvalid;
  }
  for (size_t k = 1; k < need; ++k) {
    if (i + k >= s.size()) {
      *len = k;
      return Utf8Step::kIncomplete;
    }
    const auto b = static_cast<uint8_t>(s[i + k]);
    const uint8_t l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xbf;
    if (b < l || b > h) {
      *len = k;  // the maximal subpart is the bytes before this one
      return Utf8Step::kInvalid;
    }
  }
  *len = need;
  return Utf8Step::kValid;
}

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  size_t len;
  return NextUtf8(s, i, &len) == Utf8Step::kValid ? len : 0;
}

size_t FindInvalidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

std::vector<uint32_t> DecodeUtf8(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
    } else if (b0 < 0xe0) {
      out.push_back((b0 & 0x1fu) << 6 | (static_cast<uint8_t>(s[i + 1]) & 0x3fu));
      i += 2;
    } else if (b0 < 0xf0) {
      out.push_back((b0 & 0x0fu) << 12 | (static_cast<uint8_t>(s[i + 1]) & 0x3fu) << 6 |
                    (static_cast<uint8_t>(s[i + 2]) & 0x3fu));
      i += 3;
    } else {
      out.push_back((b0 & 0x07u) << 18 | (static_cast<uint8_t>(s[i + 1]) & 0x3fu) << 12 |
                    (static_cast<uint8_t>(s[i + 2]) & 0x3fu) << 6 |
                    (static_cast<uint8_t>(s[i + 3]) & 0x3fu));
      i += 4;
    }
  }
  return out;
}

std::string Utf8Lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    size_t len;
    Utf8Step st = NextUtf8(bytes, i, &len);
    if (st == Utf8Step::kValid) {
      out.append(bytes.substr(i, len));
    } else {
      out += "\xEF\xBF\xBD";
    }
    i += len;
  }
  return out;
}

}  // namespace qw
