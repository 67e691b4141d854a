// Python semantics of +, comparisons, "in", iteration and len() over template values, and
// %-formatting.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "qianwen/template/builtins.h"

namespace qw::tmpl {

Result<Value> Add(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return Value::Float(a.number() + b.number());
    Int r;
    if (__builtin_add_overflow(a.integer(), b.integer(), &r))
      return TemplateError("OverflowError", "integer too large");
    return Value::Integer(r);
  }
  if (a.is_string() && b.is_string()) return Value::Str(a.str() + b.str());
  if (a.is_list() && b.is_list()) {
    List r = a.list();
    r.insert(r.end(), b.list().begin(), b.list().end());
    return Value::MakeList(std::move(r));
  }
  if (a.is_tuple() && b.is_tuple()) {
    List r = a.list();
    r.insert(r.end(), b.list().begin(), b.list().end());
    return Value::MakeTuple(std::move(r));
  }
  if (a.is_string()) {
    return TemplateError("TypeError",
                         "can only concatenate str (not \"" + b.TypeName() + "\") to str");
  }
  if (a.is_list()) {
    return TemplateError("TypeError",
                         "can only concatenate list (not \"" + b.TypeName() + "\") to list");
  }
  return TemplateError("TypeError", "unsupported operand type(s) for +: '" + a.TypeName() +
                                        "' and '" + b.TypeName() + "'");
}

Result<int> Compare(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) {
      double x = a.number(), y = b.number();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    Int x = a.integer(), y = b.integer();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.is_string() && b.is_string()) {
    int c = a.str().compare(b.str());  // UTF-8 byte order = code point order
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if ((a.is_list() && b.is_list()) || (a.is_tuple() && b.is_tuple())) {
    size_t n = std::min(a.list().size(), b.list().size());
    for (size_t i = 0; i < n; ++i) {
      if (Equal(a.list()[i], b.list()[i])) continue;
      return Compare(a.list()[i], b.list()[i]);
    }
    return a.list().size() < b.list().size() ? -1 : (a.list().size() > b.list().size() ? 1 : 0);
  }
  return TemplateError("TypeError", "'<' not supported between instances of '" + a.TypeName() +
                                        "' and '" + b.TypeName() + "'");
}

Result<bool> Contains(const Value& c, const Value& item) {
  switch (c.kind()) {
    case Value::Kind::kString:
      if (!item.is_string()) {
        if (item.is_undefined()) return TemplateError("UndefinedError", item.undefined_name());
        return TemplateError(
            "TypeError", "'in <string>' requires string as left operand, not " + item.TypeName());
      }
      return c.str().find(item.str()) != std::string::npos;
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      for (const auto& v : c.list())
        if (Equal(v, item)) return true;
      return false;
    case Value::Kind::kDict:
    case Value::Kind::kNamespace:
      return c.FindValue(item) != nullptr;
    case Value::Kind::kUndefined:
      return false;  // Undefined iterates as empty
    default:
      return TemplateError("TypeError", "argument of type '" + c.TypeName() + "' is not iterable");
  }
}

Result<std::vector<Value>> Iterate(const Value& v) {
  std::vector<Value> out;
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return out;
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      return v.list();
    case Value::Kind::kDict:
    case Value::Kind::kNamespace:
      for (const auto& [k, x] : v.dict()) out.push_back(k);
      return out;
    case Value::Kind::kString: {
      auto cps = CodePoints(v.str());
      for (size_t i = 0; i < cps.size(); ++i)
        out.push_back(Value::Str(FromCodePoints(cps, i, i + 1)));
      return out;
    }
    default:
      return TemplateError("TypeError", "'" + v.TypeName() + "' object is not iterable");
  }
}

Result<int64_t> Length(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return 0;
    case Value::Kind::kString:
      return static_cast<int64_t>(CodePoints(v.str()).size());
    case Value::Kind::kList:
    case Value::Kind::kTuple:
      return static_cast<int64_t>(v.list().size());
    case Value::Kind::kDict:
    case Value::Kind::kNamespace:
      return static_cast<int64_t>(v.dict().size());
    default:
      return TemplateError("TypeError", "object of type '" + v.TypeName() + "' has no len()");
  }
}

Result<std::string> PercentFormat(const std::string& fmt, const Value& args) {
  std::vector<Value> items;
  if (args.is_tuple())
    items = args.list();
  else
    items.push_back(args);
  size_t next = 0;
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out.push_back(fmt[i]);
      continue;
    }
    if (++i >= fmt.size()) return TemplateError("ValueError", "incomplete format");
    if (fmt[i] == '%') {
      out.push_back('%');
      continue;
    }
    std::string spec = "%";
    while (i < fmt.size() && std::string("-+ #0").find(fmt[i]) != std::string::npos)
      spec.push_back(fmt[i++]);
    while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])))
      spec.push_back(fmt[i++]);
    if (i < fmt.size() && fmt[i] == '.') {
      spec.push_back(fmt[i++]);
      while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])))
        spec.push_back(fmt[i++]);
    }
    if (i >= fmt.size()) return TemplateError("ValueError", "incomplete format");
    const char conv = fmt[i];
    if (next >= items.size())
      return TemplateError("TypeError", "not enough arguments for format string");
    const Value& v = items[next++];
    char buf[512];
    switch (conv) {
      case 's':
      case 'r': {
        std::string s = conv == 's' ? ToStr(v) : Repr(v);
        std::snprintf(buf, sizeof(buf), (spec + "s").c_str(), s.c_str());
        out += s.size() > 400 ? s : std::string(buf);
        break;
      }
      case 'd':
      case 'i':
      case 'x':
      case 'X':
      case 'o': {
        if (!v.is_number())
          return TemplateError("TypeError", "%" + std::string(1, conv) +
                                                " format: a real number is required, not " +
                                                v.TypeName());
        long long n =
            v.is_float() ? static_cast<long long>(v.number()) : static_cast<long long>(v.integer());
        std::snprintf(buf, sizeof(buf), (spec + "ll" + (conv == 'i' ? 'd' : conv)).c_str(), n);
        out += buf;
        break;
      }
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (!v.is_number())
          return TemplateError("TypeError", "must be real number, not " + v.TypeName());
        std::snprintf(buf, sizeof(buf), (spec + conv).c_str(), v.number());
        out += buf;
        break;
      }
      default:
        return TemplateError("ValueError",
                             std::string("unsupported format character '") + conv + "'");
    }
  }
  if (next < items.size() && args.is_tuple()) {
    return TemplateError("TypeError", "not all arguments converted during string formatting");
  }
  return out;
}

}  // namespace qw::tmpl
