#include "qianwen/template/lexer.h"

#include <cstring>

#include "qianwen/core/utf8.h"

namespace qw::tmpl {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

class Lexer {
 public:
  explicit Lexer(const std::string& src) : s_(src) {}

  Result<std::vector<Token>> Run() {
    size_t i = 0;
    bool strip_next = false;  // the previous tag ended with "-"
    bool trim_next = false;   // the previous tag was a block/comment: trim_blocks applies
    while (i <= s_.size()) {
      size_t open = FindTagOpen(i);
      std::string text = s_.substr(i, (open == std::string::npos ? s_.size() : open) - i);
      if (strip_next) {
        size_t k = 0;
        while (k < text.size() && IsSpace(text[k])) ++k;
        text.erase(0, k);
      } else if (trim_next && !text.empty() && text[0] == '\n') {
        text.erase(0, 1);
      } else if (trim_next && text.size() >= 2 && text[0] == '\r' && text[1] == '\n') {
        text.erase(0, 2);
      }
      strip_next = trim_next = false;
      if (open == std::string::npos) {
        // keep_trailing_newline=False: one final newline of the template is dropped.
        if (!text.empty() && text.back() == '\n') {
          text.pop_back();
          if (!text.empty() && text.back() == '\r') text.pop_back();
        }
        AddText(std::move(text));
        break;
      }
      const char kind = s_[open + 1];  // '{', '%' or '#'
      size_t p = open + 2;
      bool minus = p < s_.size() && s_[p] == '-';
      bool plus = p < s_.size() && s_[p] == '+';
      if (minus || plus) ++p;
      if (minus) {
        size_t e = text.size();
        while (e > 0 && IsSpace(text[e - 1])) --e;
        text.erase(e);
      } else if (kind != '{' && !plus) {
        LstripLine(&text, open);
      }
      AddText(std::move(text));
      const int line = LineAt(open);
      if (kind == '#') {
        size_t close = s_.find("#}", p);
        if (close == std::string::npos) return Error(line, "unterminated comment");
        strip_next = close > 0 && s_[close - 1] == '-' && close - 1 >= p;
        trim_next = true;
        i = close + 2;
        continue;
      }
      if (kind == '%' && IsRawTag(p)) {
        QW_ASSIGN_OR_RETURN(i, LexRaw(p, line, &strip_next));
        trim_next = !strip_next;
        continue;
      }
      out_.push_back({kind == '{' ? Token::kVarBegin : Token::kBlockBegin, "", line});
      QW_ASSIGN_OR_RETURN(size_t end, LexTag(p, kind == '{' ? '}' : '%', &strip_next));
      out_.push_back({kind == '{' ? Token::kVarEnd : Token::kBlockEnd, "", LineAt(end)});
      trim_next = kind == '%' && !strip_next;
      i = end;
    }
    out_.push_back({Token::kEof, "", LineAt(s_.size())});
    return std::move(out_);
  }

 private:
  Status Error(int line, const std::string& what) {
    return TemplateError("TemplateSyntaxError", what + " (line " + std::to_string(line) + ")");
  }
  static Status TemplateError(const std::string& type, const std::string& msg) {
    return Status(Code::kInvalidArgument, type + ": " + msg);
  }

  int LineAt(size_t pos) const {
    int n = 1;
    for (size_t k = 0; k < pos && k < s_.size(); ++k) n += s_[k] == '\n';
    return n;
  }

  size_t FindTagOpen(size_t from) const {
    for (size_t k = s_.find('{', from); k != std::string::npos; k = s_.find('{', k + 1)) {
      if (k + 1 < s_.size() && (s_[k + 1] == '{' || s_[k + 1] == '%' || s_[k + 1] == '#')) return k;
    }
    return std::string::npos;
  }

  // lstrip_blocks: spaces and tabs between the line start and a block tag go. `text` ends
  // right before the tag at `open`.
  void LstripLine(std::string* text, size_t open) const {
    size_t e = text->size();
    while (e > 0 && ((*text)[e - 1] == ' ' || (*text)[e - 1] == '\t')) --e;
    if (e > 0) {
      if ((*text)[e - 1] == '\n') text->erase(e);
      return;
    }
    const size_t start = open - text->size();
    if (start == 0 || s_[start - 1] == '\n') text->clear();
  }

  void AddText(std::string text) {
    if (!text.empty()) out_.push_back({Token::kText, std::move(text), 0});
  }

  bool IsRawTag(size_t p) const {
    size_t k = p;
    while (k < s_.size() && IsSpace(s_[k])) ++k;
    if (s_.compare(k, 3, "raw") != 0) return false;
    k += 3;
    while (k < s_.size() && IsSpace(s_[k])) ++k;
    if (k < s_.size() && s_[k] == '-') ++k;
    return s_.compare(k, 2, "%}") == 0;
  }

  Result<size_t> LexRaw(size_t p, int line, bool* strip_after) {
    size_t close = s_.find("%}", p);
    bool minus_after_open = close > 0 && s_[close - 1] == '-';
    size_t body = close + 2;
    // Find {% endraw %} (any whitespace, optional -).
    for (size_t k = s_.find("{%", body); k != std::string::npos; k = s_.find("{%", k + 2)) {
      size_t q = k + 2;
      bool minus_before = q < s_.size() && s_[q] == '-';
      if (minus_before || (q < s_.size() && s_[q] == '+')) ++q;
      while (q < s_.size() && IsSpace(s_[q])) ++q;
      if (s_.compare(q, 6, "endraw") != 0) continue;
      q += 6;
      while (q < s_.size() && IsSpace(s_[q])) ++q;
      bool minus_end = q < s_.size() && s_[q] == '-';
      if (minus_end) ++q;
      if (s_.compare(q, 2, "%}") != 0) continue;
      std::string text = s_.substr(body, k - body);
      if (minus_after_open) {
        size_t b = 0;
        while (b < text.size() && IsSpace(text[b])) ++b;
        text.erase(0, b);
      }
      if (minus_before) {
        size_t e = text.size();
        while (e > 0 && IsSpace(text[e - 1])) --e;
        text.erase(e);
      } else {
        LstripLine(&text, k);
      }
      AddText(std::move(text));
      *strip_after = minus_end;
      return q + 2;
    }
    return Error(line, "missing endraw");
  }

  // Lexes expression tokens up to the closing "}}" or "%}"; returns the position after it.
  Result<size_t> LexTag(size_t p, char closer, bool* strip_after) {
    const int line = LineAt(p);
    int depth = 0;  // brackets: "}}" inside a dict literal is not the end
    while (true) {
      while (p < s_.size() && IsSpace(s_[p])) ++p;
      if (p >= s_.size()) return Error(line, "unterminated tag");
      if (depth == 0) {
        if (s_[p] == '-' && p + 2 < s_.size() + 0 &&
            s_.compare(p + 1, 1, std::string(1, closer)) == 0 && s_.compare(p + 2, 1, "}") == 0) {
          *strip_after = true;
          return p + 3;
        }
        if (s_[p] == closer && p + 1 < s_.size() && s_[p + 1] == '}') {
          *strip_after = false;
          return p + 2;
        }
      }
      const char c = s_[p];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t b = p;
        while (p < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p])) || s_[p] == '_'))
          ++p;
        out_.push_back({Token::kName, s_.substr(b, p - b), line});
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t b = p;
        bool is_float = false;
        while (p < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[p])) || s_[p] == '_'))
          ++p;
        if (p + 1 < s_.size() && s_[p] == '.' &&
            std::isdigit(static_cast<unsigned char>(s_[p + 1]))) {
          is_float = true;
          ++p;
          while (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) ++p;
        }
        if (p < s_.size() && (s_[p] == 'e' || s_[p] == 'E')) {
          size_t q = p + 1;
          if (q < s_.size() && (s_[q] == '+' || s_[q] == '-')) ++q;
          if (q < s_.size() && std::isdigit(static_cast<unsigned char>(s_[q]))) {
            is_float = true;
            p = q;
            while (p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p]))) ++p;
          }
        }
        std::string num;
        for (size_t k = b; k < p; ++k)
          if (s_[k] != '_') num.push_back(s_[k]);
        out_.push_back({is_float ? Token::kFloat : Token::kInt, num, line});
      } else if (c == '\'' || c == '"') {
        QW_ASSIGN_OR_RETURN(p, LexString(p, line));
      } else {
        static const char* kOps[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*",
                                     "/",  "%",  "~",  "<",  ">",  "=",  "(", ")", "[",
                                     "]",  "{",  "}",  ",",  ".",  ":",  "|"};
        bool found = false;
        for (const char* op : kOps) {
          size_t n = std::strlen(op);
          if (s_.compare(p, n, op) == 0) {
            if (op[0] == '(' || op[0] == '[' || op[0] == '{') ++depth;
            if ((op[0] == ')' || op[0] == ']' || op[0] == '}') && depth > 0) --depth;
            out_.push_back({Token::kOp, op, line});
            p += n;
            found = true;
            break;
          }
        }
        if (!found) return Error(line, std::string("unexpected character '") + c + "'");
      }
    }
  }

  Result<size_t> LexString(size_t p, int line) {
    const char q = s_[p++];
    std::string v;
    while (p < s_.size() && s_[p] != q) {
      char c = s_[p];
      if (c != '\\') {
        v.push_back(c);
        ++p;
        continue;
      }
      if (p + 1 >= s_.size()) break;
      char e = s_[p + 1];
      p += 2;
      switch (e) {
        case 'n':
          v.push_back('\n');
          break;
        case 't':
          v.push_back('\t');
          break;
        case 'r':
          v.push_back('\r');
          break;
        case 'b':
          v.push_back('\b');
          break;
        case 'f':
          v.push_back('\f');
          break;
        case 'v':
          v.push_back('\v');
          break;
        case 'a':
          v.push_back('\a');
          break;
        case '0':
          v.push_back('\0');
          break;
        case '\\':
          v.push_back('\\');
          break;
        case '\'':
          v.push_back('\'');
          break;
        case '"':
          v.push_back('"');
          break;
        case '\n':
          break;
        case 'x':
        case 'u':
        case 'U': {
          size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (p + n > s_.size()) return Error(line, "truncated escape in string");
          uint32_t cp = 0;
          for (size_t q = 0; q < n; ++q) {
            const char h = s_[p + q];
            const int d = h >= '0' && h <= '9'   ? h - '0'
                          : h >= 'a' && h <= 'f' ? h - 'a' + 10
                          : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                 : -1;
            if (d < 0) return Error(line, "invalid escape in string");
            cp = cp * 16 + static_cast<uint32_t>(d);
          }
          if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return Error(line, "invalid code point in string escape");
          p += n;
          AppendUtf8(cp, &v);
          break;
        }
        default:
          v.push_back('\\');
          v.push_back(e);
      }
    }
    if (p >= s_.size()) return Error(line, "unterminated string");
    out_.push_back({Token::kString, std::move(v), line});
    return p + 1;
  }

  const std::string& s_;
  std::vector<Token> out_;
};

}  // namespace

Result<std::vector<Token>> Lex(const std::string& source) { return Lexer(source).Run(); }

}  // namespace qw::tmpl
