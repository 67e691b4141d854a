#include "qianwen/template/value.h"

#include <utf8proc.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "qianwen/core/utf8.h"

namespace qw::tmpl {

Value Value::Undefined(std::string name) {
  Value v;
  v.s_ = std::make_shared<const std::string>(std::move(name));
  return v;
}
Value Value::None() {
  Value v;
  v.kind_ = Kind::kNone;
  return v;
}
Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.b_ = b;
  return v;
}
Value Value::Integer(Int i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.i_ = i;
  return v;
}
Value Value::Float(double f) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.f_ = f;
  return v;
}
Value Value::Str(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.s_ = std::make_shared<const std::string>(std::move(s));
  return v;
}
Value Value::MakeList(List items) {
  Value v;
  v.kind_ = Kind::kList;
  v.list_ = std::make_shared<List>(std::move(items));
  return v;
}
Value Value::MakeTuple(List items) {
  Value v = MakeList(std::move(items));
  v.kind_ = Kind::kTuple;
  return v;
}
Value Value::MakeDict(Dict items) {
  Value v;
  v.kind_ = Kind::kDict;
  v.dict_ = std::make_shared<Dict>(std::move(items));
  return v;
}
Value Value::MakeNamespace(Dict items) {
  Value v = MakeDict(std::move(items));
  v.kind_ = Kind::kNamespace;
  return v;
}
Value Value::Function(std::string name, NativeFn fn) {
  Value v;
  v.kind_ = Kind::kCallable;
  v.s_ = std::make_shared<const std::string>(std::move(name));
  v.fn_ = std::make_shared<NativeFn>(std::move(fn));
  return v;
}

const std::string& Value::undefined_name() const {
  static const std::string kEmpty;
  return s_ ? *s_ : kEmpty;
}

const Value* Value::Find(const std::string& key) const {
  if (!dict_) return nullptr;
  for (const auto& [k, v] : *dict_)
    if (k.is_string() && k.str() == key) return &v;
  return nullptr;
}

const Value* Value::FindValue(const Value& key) const {
  if (!dict_) return nullptr;
  for (const auto& [k, v] : *dict_)
    if (Equal(k, key)) return &v;
  return nullptr;
}

void Value::Set(const Value& key, Value v) {
  for (auto& [k, old] : *dict_) {
    if (Equal(k, key)) {
      old = std::move(v);
      return;
    }
  }
  dict_->emplace_back(key, std::move(v));
}

bool Value::Truthy() const {
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return b_;
    case Kind::kInt:
      return i_ != 0;
    case Kind::kFloat:
      return f_ != 0.0;
    case Kind::kString:
      return !s_->empty();
    case Kind::kList:
    case Kind::kTuple:
      return !list_->empty();
    case Kind::kDict:
      return !dict_->empty();
    default:
      return true;
  }
}

std::string Value::TypeName() const {
  switch (kind_) {
    case Kind::kUndefined:
      return "Undefined";
    case Kind::kNone:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kList:
      return "list";
    case Kind::kTuple:
      return "tuple";
    case Kind::kDict:
      return "dict";
    case Kind::kNamespace:
      return "Namespace";
    case Kind::kCallable:
      return "function";
  }
  return "object";
}

std::string IntToString(Int i) {
  if (i == 0) return "0";
  bool neg = i < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(i) : static_cast<unsigned __int128>(i);
  std::string s;
  while (u) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  std::reverse(s.begin(), s.end());
  return s;
}

std::string FloatRepr(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f < 0 ? "-inf" : "inf";
  if (f == 0) return std::signbit(f) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout: scientific when exp < -4 or exp >= 16.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string sci(buf, r.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  auto e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : sci.substr(0, e))
    if (c != '.') digits.push_back(c);
  std::string out;
  if (exp < -4 || exp >= 16) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof(eb), "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += eb;
  } else if (exp < 0) {
    out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  } else {
    const size_t intlen = static_cast<size_t>(exp) + 1;
    if (digits.size() <= intlen) {
      out = digits + std::string(intlen - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, intlen) + "." + digits.substr(intlen);
    }
  }
  return neg ? "-" + out : out;
}

std::vector<uint32_t> CodePoints(const std::string& s) { return DecodeUtf8(s); }

std::string FromCodePoints(const std::vector<uint32_t>& cps, size_t begin, size_t end) {
  std::string s;
  for (size_t i = begin; i < end && i < cps.size(); ++i) AppendUtf8(cps[i], &s);
  return s;
}

namespace {

bool IsPrintable(uint32_t cp) {
  if (cp == ' ') return true;
  if (cp < 0x20 || cp == 0x7f) return false;
  if (cp < 0x7f) return true;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_ZS:
      return false;
    default:
      return true;
  }
}

std::string StrRepr(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char q = has_single && !has_double ? '"' : '\'';
  std::string out(1, q);
  for (uint32_t cp : CodePoints(s)) {
    char buf[16];
    if (cp == static_cast<uint32_t>(q) || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (!IsPrintable(cp)) {
      if (cp < 0x100)
        std::snprintf(buf, sizeof(buf), "\\x%02x", cp);
      else if (cp < 0x10000)
        std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
      else
        std::snprintf(buf, sizeof(buf), "\\U%08x", cp);
      out += buf;
    } else {
      AppendUtf8(cp, &out);
    }
  }
  out.push_back(q);
  return out;
}

}  // namespace

std::string Repr(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString:
      return StrRepr(v.str());
    case Value::Kind::kList: {
      std::string s = "[";
      for (size_t i = 0; i < v.list().size(); ++i) s += (i ? ", " : "") + Repr(v.list()[i]);
      return s + "]";
    }
    case Value::Kind::kTuple: {
      std::string s = "(";
      for (size_t i = 0; i < v.list().size(); ++i) s += (i ? ", " : "") + Repr(v.list()[i]);
      return s + (v.list().size() == 1 ? ",)" : ")");
    }
    case Value::Kind::kDict: {
      std::string s = "{";
      bool first = true;
      for (const auto& [k, x] : v.dict()) {
        s += (first ? "" : ", ") + Repr(k) + ": " + Repr(x);
        first = false;
      }
      return s + "}";
    }
    case Value::Kind::kNamespace: {
      std::string s = "<Namespace {";
      bool first = true;
      for (const auto& [k, x] : v.dict()) {
        s += (first ? "" : ", ") + Repr(k) + ": " + Repr(x);
        first = false;
      }
      return s + "}>";
    }
    default:
      return ToStr(v);
  }
}

std::string ToStr(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return "";
    case Value::Kind::kNone:
      return "None";
    case Value::Kind::kBool:
      return v.boolean() ? "True" : "False";
    case Value::Kind::kInt:
      return IntToString(v.integer());
    case Value::Kind::kFloat:
      return FloatRepr(v.number());
    case Value::Kind::kString:
      return v.str();
    case Value::Kind::kCallable:
      return "<function " + v.fn_name() + ">";
    default:
      return Repr(v);
  }
}

bool Equal(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.number() == b.number();
    return a.integer() == b.integer();
  }
  if (a.kind() != b.kind()) {
    if (a.is_sequence_like() && b.is_sequence_like()) return false;  // [1] != (1,)
    return false;
  }
  switch (a.kind()) {
    case Value::Kind::kUndefined:
    case Value::Kind::kNone:
      return true;
    case Value::Kind::kString:
      return a.str() == b.str();
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      if (a.list().size() != b.list().size()) return false;
      for (size_t i = 0; i < a.list().size(); ++i)
        if (!Equal(a.list()[i], b.list()[i])) return false;
      return true;
    }
    case Value::Kind::kDict:
    case Value::Kind::kNamespace: {
      if (a.dict().size() != b.dict().size()) return false;
      for (const auto& [k, x] : a.dict()) {
        const Value* y = b.FindValue(k);
        if (!y || !Equal(x, *y)) return false;
      }
      return true;
    }
    default:
      return &a == &b;
  }
}

Status TemplateError(const std::string& type, const std::string& message) {
  return Status(Code::kInvalidArgument, type + ": " + message);
}

namespace {

void JsonString(const std::string& s, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  for (uint32_t cp : CodePoints(s)) {
    char buf[16];
    switch (cp) {
      case '"':
        *out += "\\\"";
        continue;
      case '\\':
        *out += "\\\\";
        continue;
      case '\n':
        *out += "\\n";
        continue;
      case '\r':
        *out += "\\r";
        continue;
      case '\t':
        *out += "\\t";
        continue;
      case '\b':
        *out += "\\b";
        continue;
      case '\f':
        *out += "\\f";
        continue;
      default:
        break;
    }
    if (cp < 0x20 || (ensure_ascii && cp > 0x7e)) {
      if (cp >= 0x10000) {
        uint32_t v = cp - 0x10000;
        std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x", 0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff));
      } else {
        std::snprintf(buf, sizeof(buf), "\\u%04x", cp);
      }
      *out += buf;
    } else {
      AppendUtf8(cp, out);
    }
  }
  out->push_back('"');
}

Status JsonValue(const Value& v, const JsonOptions& o, int depth, std::string* out) {
  if (depth > 200) return TemplateError("ValueError", "Circular reference detected");
  auto newline = [&](int d) {
    if (o.indent >= 0) {
      out->push_back('\n');
      out->append(static_cast<size_t>(o.indent * d), ' ');
    }
  };
  // With an indent, Python's item separator drops its trailing space unless given explicitly.
  const std::string& item_sep = o.item_sep;
  switch (v.kind()) {
    case Value::Kind::kNone:
      *out += "null";
      return OkStatus();
    case Value::Kind::kBool:
      *out += v.boolean() ? "true" : "false";
      return OkStatus();
    case Value::Kind::kInt:
      *out += IntToString(v.integer());
      return OkStatus();
    case Value::Kind::kFloat: {
      double f = v.number();
      if (std::isnan(f))
        *out += "NaN";
      else if (std::isinf(f))
        *out += f < 0 ? "-Infinity" : "Infinity";
      else
        *out += FloatRepr(f);
      return OkStatus();
    }
    case Value::Kind::kString:
      JsonString(v.str(), o.ensure_ascii, out);
      return OkStatus();
    case Value::Kind::kList:
    case Value::Kind::kTuple: {
      if (v.list().empty()) {
        *out += "[]";
        return OkStatus();
      }
      out->push_back('[');
      for (size_t i = 0; i < v.list().size(); ++i) {
        if (i) *out += item_sep;
        newline(depth + 1);
        QW_TRY(JsonValue(v.list()[i], o, depth + 1, out));
      }
      newline(depth);
      out->push_back(']');
      return OkStatus();
    }
    case Value::Kind::kDict: {
      if (v.dict().empty()) {
        *out += "{}";
        return OkStatus();
      }
      std::vector<const std::pair<Value, Value>*> items;
      for (const auto& kv : v.dict()) items.push_back(&kv);
      if (o.sort_keys) {
        for (auto* kv : items)
          if (!kv->first.is_string())
            return TemplateError("TypeError",
                                 "'<' not supported between instances of non-str keys");
        std::stable_sort(items.begin(), items.end(),
                         [](auto* a, auto* b) { return a->first.str() < b->first.str(); });
      }
      out->push_back('{');
      bool first = true;
      for (auto* kv : items) {
        if (!first) *out += item_sep;
        first = false;
        newline(depth + 1);
        const Value& k = kv->first;
        if (k.is_string())
          JsonString(k.str(), o.ensure_ascii, out);
        else if (k.is_bool())
          *out += k.boolean() ? "\"true\"" : "\"false\"";
        else if (k.is_none())
          *out += "\"null\"";
        else if (k.is_int())
          *out += "\"" + IntToString(k.integer()) + "\"";
        else if (k.is_float())
          *out += "\"" + FloatRepr(k.number()) + "\"";
        else
          return TemplateError("TypeError",
                               "keys must be str, int, float, bool or None, not " + k.TypeName());
        *out += o.key_sep;
        QW_TRY(JsonValue(kv->second, o, depth + 1, out));
      }
      newline(depth);
      out->push_back('}');
      return OkStatus();
    }
    case Value::Kind::kUndefined:
      return TemplateError("TypeError", "Object of type Undefined is not JSON serializable");
    default:
      return TemplateError("TypeError",
                           "Object of type " + v.TypeName() + " is not JSON serializable");
  }
}

}  // namespace

Result<std::string> ToJson(const Value& v, const JsonOptions& opt) {
  std::string out;
  QW_TRY(JsonValue(v, opt, 0, &out));
  return out;
}

}  // namespace qw::tmpl
