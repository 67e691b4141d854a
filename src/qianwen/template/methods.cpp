// Methods of str, dict and list values, as Python has them. The sandbox is immutable: methods
// that would modify a list or dict raise SecurityError, like jinja2's
// ImmutableSandboxedEnvironment.

#include <algorithm>

#include "qianwen/template/builtins.h"
#include "qianwen/template/strings.h"

namespace qw::tmpl {
namespace {

const char* const kStrMethods[] = {
    "split",    "rsplit",  "splitlines", "strip",   "lstrip", "rstrip",   "startswith",
    "endswith", "replace", "format",     "upper",   "lower",  "title",    "capitalize",
    "find",     "rfind",   "index",      "count",   "join",   "isdigit",  "isalpha",
    "isalnum",  "isspace", "isupper",    "islower", "zfill",  "casefold", "swapcase"};
const char* const kDictMethods[] = {"items", "keys", "values", "get", "copy"};
const char* const kListMethods[] = {"index", "count", "copy"};
const char* const kListMutators[] = {"append", "extend", "insert",  "pop",
                                     "remove", "sort",   "reverse", "clear"};
const char* const kDictMutators[] = {"update", "pop", "popitem", "setdefault", "clear"};

template <size_t N>
bool In(const char* const (&names)[N], const std::string& n) {
  return std::find(std::begin(names), std::end(names), n) != std::end(names);
}

Result<std::string> StrArg(const CallArgs& a, size_t i, const char* name, const char* method) {
  const Value* v = a.Get(i, name);
  if (!v || !v->is_string()) {
    return TemplateError("TypeError", std::string(method) + "() argument must be str, not " +
                                          (v ? v->TypeName() : "missing"));
  }
  return v->str();
}

Result<Value> FormatMethod(const std::string& fmt, const CallArgs& a) {
  std::string out;
  size_t auto_idx = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '{' && i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out.push_back('{');
      ++i;
    } else if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
      out.push_back('}');
      ++i;
    } else if (c == '{') {
      size_t close = fmt.find('}', i);
      if (close == std::string::npos)
        return TemplateError("ValueError", "Single '{' encountered in format string");
      std::string field = fmt.substr(i + 1, close - i - 1);
      if (field.find(':') != std::string::npos || field.find('!') != std::string::npos) {
        return TemplateError("ValueError", "format specs are not supported");
      }
      const Value* v = nullptr;
      if (field.empty()) {
        v = auto_idx < a.args.size() ? &a.args[auto_idx] : nullptr;
        ++auto_idx;
      } else if (std::all_of(field.begin(), field.end(), ::isdigit)) {
        size_t k =
            field.size() > 9 ? SIZE_MAX : std::stoul(field);  // no overflow: at most 9 digits
        v = k < a.args.size() ? &a.args[k] : nullptr;
      } else {
        for (const auto& [kn, kv] : a.kwargs)
          if (kn == field) v = &kv;
      }
      if (!v)
        return TemplateError("IndexError",
                             "Replacement index out of range for positional args tuple");
      out += ToStr(*v);
      i = close;
    } else {
      out.push_back(c);
    }
  }
  return Value::Str(out);
}

Result<Value> StrMethod(const std::string& s, const std::string& m, CallArgs& a) {
  if (m == "split" || m == "rsplit") {
    const Value* sep = a.Get(0, "sep");
    const Value* mx = a.Get(1, "maxsplit");
    long maxsplit = mx && mx->is_int() ? static_cast<long>(mx->integer()) : -1;
    std::string sepv;
    const std::string* sp = nullptr;
    if (sep && !sep->is_none()) {
      if (!sep->is_string())
        return TemplateError("TypeError", "must be str or None, not " + sep->TypeName());
      if (sep->str().empty()) return TemplateError("ValueError", "empty separator");
      sepv = sep->str();
      sp = &sepv;
    }
    auto parts = m == "split" ? PySplit(s, sp, maxsplit) : PyRSplit(s, sp, maxsplit);
    List out;
    for (auto& p : parts) out.push_back(Value::Str(std::move(p)));
    return Value::MakeList(std::move(out));
  }
  if (m == "splitlines") {
    List out;
    size_t pos = 0;
    while (pos < s.size()) {
      size_t e = s.find_first_of("\r\n", pos);
      if (e == std::string::npos) {
        out.push_back(Value::Str(s.substr(pos)));
        break;
      }
      out.push_back(Value::Str(s.substr(pos, e - pos)));
      pos = e + ((s[e] == '\r' && e + 1 < s.size() && s[e + 1] == '\n') ? 2 : 1);
    }
    return Value::MakeList(std::move(out));
  }
  if (m == "strip" || m == "lstrip" || m == "rstrip") {
    const Value* chars = a.Get(0, "chars");
    if (chars && !chars->is_none() && !chars->is_string()) {
      return TemplateError("TypeError", m + " arg must be None or str");
    }
    std::string c = chars && chars->is_string() ? chars->str() : "";
    return Value::Str(
        PyStrip(s, chars && chars->is_string() ? &c : nullptr, m != "rstrip", m != "lstrip"));
  }
  if (m == "startswith" || m == "endswith") {
    const Value* p = a.Get(0, "prefix");
    if (!p) return TemplateError("TypeError", m + "() takes at least 1 argument (0 given)");
    std::vector<std::string> options;
    if (p->is_string()) {
      options.push_back(p->str());
    } else if (p->is_tuple()) {
      for (const auto& x : p->list()) {
        if (!x.is_string())
          return TemplateError("TypeError", "tuple for " + m + " must only contain str");
        options.push_back(x.str());
      }
    } else {
      return TemplateError("TypeError",
                           m + " first arg must be str or a tuple of str, not " + p->TypeName());
    }
    for (const auto& o : options) {
      if (o.size() > s.size()) continue;
      if (m == "startswith" ? s.compare(0, o.size(), o) == 0
                            : s.compare(s.size() - o.size(), o.size(), o) == 0) {
        return Value::Bool(true);
      }
    }
    return Value::Bool(false);
  }
  if (m == "replace") {
    QW_ASSIGN_OR_RETURN(std::string old, StrArg(a, 0, "old", "replace"));
    QW_ASSIGN_OR_RETURN(std::string nw, StrArg(a, 1, "new", "replace"));
    const Value* cnt = a.Get(2, "count");
    long count = cnt && cnt->is_int() ? static_cast<long>(cnt->integer()) : -1;
    std::string out;
    if (old.empty()) {  // Python inserts `new` between every character
      auto cps = CodePoints(s);
      long done = 0;
      for (size_t i = 0; i <= cps.size(); ++i) {
        if (count < 0 || done < count) {
          out += nw;
          ++done;
        }
        if (i < cps.size()) out += FromCodePoints(cps, i, i + 1);
      }
      return Value::Str(out);
    }
    size_t pos = 0;
    long done = 0;
    while (count < 0 || done < count) {
      size_t f = s.find(old, pos);
      if (f == std::string::npos) break;
      out += s.substr(pos, f - pos) + nw;
      pos = f + old.size();
      ++done;
    }
    return Value::Str(out + s.substr(pos));
  }
  if (m == "format") return FormatMethod(s, a);
  if (m == "upper") return Value::Str(PyUpper(s));
  if (m == "lower" || m == "casefold") return Value::Str(PyLower(s));
  if (m == "title") return Value::Str(PyTitle(s));
  if (m == "capitalize") return Value::Str(PyCapitalize(s));
  if (m == "find" || m == "rfind" || m == "index" || m == "count") {
    QW_ASSIGN_OR_RETURN(std::string sub, StrArg(a, 0, "sub", m.c_str()));
    if (m == "count") {
      if (sub.empty()) return Value::Integer(static_cast<Int>(CodePoints(s).size()) + 1);
      Int n = 0;
      for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
      return Value::Integer(n);
    }
    size_t f = m == "rfind" ? s.rfind(sub) : s.find(sub);
    if (f == std::string::npos) {
      if (m == "index") return TemplateError("ValueError", "substring not found");
      return Value::Integer(-1);
    }
    return Value::Integer(static_cast<Int>(CodePoints(s.substr(0, f)).size()));
  }
  if (m == "join") {
    if (a.args.empty())
      return TemplateError("TypeError", "join() takes exactly one argument (0 given)");
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(a.args[0]));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        return TemplateError("TypeError", "sequence item " + std::to_string(i) +
                                              ": expected str instance, " + items[i].TypeName() +
                                              " found");
      }
      out += (i ? s : "") + items[i].str();
    }
    return Value::Str(out);
  }
  if (m == "zfill") {
    const Value* w = a.Get(0, "width");
    if (!w || !w->is_int()) return TemplateError("TypeError", "zfill needs an integer");
    auto n = static_cast<Int>(CodePoints(s).size());
    if (w->integer() <= n) return Value::Str(s);
    std::string pad(static_cast<size_t>(w->integer() - n), '0');
    if (!s.empty() && (s[0] == '-' || s[0] == '+'))
      return Value::Str(s.substr(0, 1) + pad + s.substr(1));
    return Value::Str(pad + s);
  }
  auto cps = CodePoints(s);
  auto all = [&](auto pred) { return !cps.empty() && std::all_of(cps.begin(), cps.end(), pred); };
  if (m == "isdigit") return Value::Bool(all([](uint32_t c) { return c >= '0' && c <= '9'; }));
  if (m == "isspace") return Value::Bool(all(IsPySpace));
  if (m == "isalpha")
    return Value::Bool(
        all([](uint32_t c) { return IsWordChar(c) && !(c >= '0' && c <= '9') && c != '_'; }));
  if (m == "isalnum") return Value::Bool(all([](uint32_t c) { return IsWordChar(c) && c != '_'; }));
  if (m == "isupper") return Value::Bool(PyUpper(s) == s && PyLower(s) != s);
  if (m == "islower") return Value::Bool(PyLower(s) == s && PyUpper(s) != s);
  if (m == "swapcase") {
    std::string out;
    for (size_t i = 0; i < cps.size(); ++i) {
      std::string ch = FromCodePoints(cps, i, i + 1);
      out += PyUpper(ch) != ch ? PyUpper(ch) : PyLower(ch);
    }
    return Value::Str(out);
  }
  return TemplateError("AttributeError", "'str' object has no attribute '" + m + "'");
}

}  // namespace

bool HasMethod(const Value& obj, const std::string& name) {
  if (obj.is_string()) return In(kStrMethods, name);
  if (obj.is_dict()) return In(kDictMethods, name) || In(kDictMutators, name);
  if (obj.is_list()) return In(kListMethods, name) || In(kListMutators, name);
  if (obj.is_tuple()) return name == "index" || name == "count";
  return false;
}

Result<Value> CallMethod(const Value& obj, const std::string& m, CallArgs& a) {
  if (obj.is_string()) return StrMethod(obj.str(), m, a);
  if ((obj.is_list() && In(kListMutators, m)) || (obj.is_dict() && In(kDictMutators, m))) {
    return TemplateError("SecurityError", "access to attribute '" + m + "' of '" + obj.TypeName() +
                                              "' object is unsafe.");
  }
  if (obj.is_dict()) {
    if (m == "items") {
      List out;
      for (const auto& [k, v] : obj.dict()) out.push_back(Value::MakeTuple({k, v}));
      return Value::MakeList(std::move(out));
    }
    if (m == "keys" || m == "values") {
      List out;
      for (const auto& [k, v] : obj.dict()) out.push_back(m == "keys" ? k : v);
      return Value::MakeList(std::move(out));
    }
    if (m == "get") {
      if (a.args.empty())
        return TemplateError("TypeError", "get expected at least 1 argument, got 0");
      const Value* v = obj.FindValue(a.args[0]);
      if (v) return *v;
      return a.args.size() > 1 ? a.args[1] : Value::None();
    }
    if (m == "copy") return Value::MakeDict(obj.dict());
  }
  if (obj.is_sequence_like()) {
    if (m == "copy") return Value::MakeList(obj.list());
    if (a.args.empty())
      return TemplateError("TypeError", m + "() takes exactly one argument (0 given)");
    Int count = 0;
    for (size_t i = 0; i < obj.list().size(); ++i) {
      if (Equal(obj.list()[i], a.args[0])) {
        if (m == "index") return Value::Integer(static_cast<Int>(i));
        ++count;
      }
    }
    if (m == "index") return TemplateError("ValueError", Repr(a.args[0]) + " is not in list");
    return Value::Integer(count);
  }
  return TemplateError("AttributeError",
                       "'" + obj.TypeName() + "' object has no attribute '" + m + "'");
}

}  // namespace qw::tmpl
