// Jinja2's builtin filters (the ones chat templates use, and their close relatives), with
// transformers' tojson (json.dumps, ensure_ascii=False).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "qianwen/template/builtins.h"
#include "qianwen/template/strings.h"

namespace qw::tmpl {
namespace {

Status Undef(const Value& v) { return TemplateError("UndefinedError", v.undefined_name()); }

Result<Value> ToJsonFilter(const Value& v, CallArgs& a) {
  JsonOptions o;
  if (const Value* x = a.Get(0, "ensure_ascii")) o.ensure_ascii = x->Truthy();
  const Value* indent = a.Get(1, "indent");
  if (indent && !indent->is_none() && !indent->is_undefined()) {
    if (!indent->is_int()) return TemplateError("TypeError", "indent must be an integer");
    o.indent = static_cast<int>(indent->integer());
    o.item_sep = ",";  // json.dumps: with an indent the default item separator is ","
  }
  if (const Value* sep = a.Get(2, "separators"); sep && !sep->is_none()) {
    if (!sep->is_sequence_like() || sep->list().size() != 2 || !sep->list()[0].is_string() ||
        !sep->list()[1].is_string()) {
      return TemplateError("ValueError", "separators must be a pair of strings");
    }
    o.item_sep = sep->list()[0].str();
    o.key_sep = sep->list()[1].str();
  }
  if (const Value* x = a.Get(3, "sort_keys")) o.sort_keys = x->Truthy();
  QW_ASSIGN_OR_RETURN(std::string s, ToJson(v, o));
  return Value::Str(s);
}

// Python's round(x, ndigits) for floats: correctly rounded, ties to even on the exact value.
double PyRound(double x, int ndigits) {
  char buf[512];
  if (ndigits < 0 || ndigits > 300 || !std::isfinite(x)) return x;
  std::snprintf(buf, sizeof(buf), "%.*f", ndigits, x);
  return std::strtod(buf, nullptr);
}

Result<Value> Sorted(std::vector<Value> items, bool reverse, bool case_sensitive,
                     const std::string& attribute) {
  auto key = [&](const Value& v) -> Value {
    Value k = v;
    if (!attribute.empty() && (v.is_dict() || v.is_namespace())) {
      const Value* f = v.Find(attribute);
      k = f ? *f : Value::Undefined();
    }
    if (!case_sensitive && k.is_string()) k = Value::Str(PyLower(k.str()));
    return k;
  };
  Status err = OkStatus();
  std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
    auto c = Compare(key(a), key(b));
    if (!c.ok()) {
      err = c.status();
      return false;
    }
    return reverse ? *c > 0 : *c < 0;
  });
  QW_TRY(err);
  return Value::MakeList(std::move(items));
}

Result<Value> SelectOrReject(const Value& v, CallArgs& a, bool select, bool by_attr) {
  QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
  List out;
  size_t first = 0;
  std::string attr;
  if (by_attr) {
    if (a.args.empty() || !a.args[0].is_string())
      return TemplateError("TypeError", "selectattr needs an attribute name");
    attr = a.args[0].str();
    first = 1;
  }
  std::string test = a.args.size() > first && a.args[first].is_string() ? a.args[first].str() : "";
  CallArgs targs;
  for (size_t k = first + 1; k < a.args.size(); ++k) targs.args.push_back(a.args[k]);
  for (const auto& item : items) {
    Value x = item;
    if (by_attr) {
      const Value* f = (item.is_dict() || item.is_namespace()) ? item.Find(attr) : nullptr;
      x = f ? *f : Value::Undefined("no attribute " + attr);
    }
    bool r;
    if (test.empty()) {
      r = x.Truthy();
    } else {
      QW_ASSIGN_OR_RETURN(r, ApplyTest(test, x, targs));
    }
    if (r == select) out.push_back(item);
  }
  return Value::MakeList(std::move(out));
}

}  // namespace

Result<Value> ApplyFilter(const std::string& name, const Value& v, CallArgs& a) {
  if (name == "tojson") return ToJsonFilter(v, a);
  if (name == "safe" || name == "e" || name == "escape" || name == "forceescape") {
    if (name == "safe") return v;
    std::string s = ToStr(v), out;
    for (char c : s) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&#34;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          out.push_back(c);
      }
    }
    return Value::Str(out);
  }
  if (name == "length" || name == "count") {
    QW_ASSIGN_OR_RETURN(int64_t n, Length(v));
    return Value::Integer(n);
  }
  if (name == "string") return v.is_string() ? v : Value::Str(ToStr(v));
  if (name == "trim") {
    const Value* chars = a.Get(0, "chars");
    std::string c = chars && chars->is_string() ? chars->str() : "";
    return Value::Str(PyStrip(ToStr(v), chars && chars->is_string() ? &c : nullptr, true, true));
  }
  if (name == "upper") return Value::Str(PyUpper(ToStr(v)));
  if (name == "lower") return Value::Str(PyLower(ToStr(v)));
  if (name == "capitalize") return Value::Str(PyCapitalize(ToStr(v)));
  if (name == "title") {
    // Jinja's title: words start after runs of "-", whitespace, "(", "{", "[", "<".
    std::string s = ToStr(v), out, word;
    auto cps = CodePoints(s);
    bool start = true;
    for (uint32_t cp : cps) {
      bool delim = cp == '-' || IsPySpace(cp) || cp == '(' || cp == '{' || cp == '[' || cp == '<';
      std::string ch = FromCodePoints({cp}, 0, 1);
      if (delim) {
        out += ch;
        start = true;
      } else {
        out += start ? PyUpper(ch) : PyLower(ch);
        start = false;
      }
    }
    return Value::Str(out);
  }
  if (name == "wordcount") {
    int64_t n = 0;
    bool in = false;
    for (uint32_t cp : CodePoints(ToStr(v))) {
      bool w = IsWordChar(cp);
      if (w && !in) ++n;
      in = w;
    }
    return Value::Integer(n);
  }
  if (name == "replace") {
    // Jinja's replace(s, old, new, count) is str.replace on the string form.
    if (a.args.size() < 2) return TemplateError("TypeError", "replace needs old and new");
    return CallMethod(Value::Str(ToStr(v)), "replace", a);
  }
  if (name == "items") {
    if (v.is_undefined()) return Value::MakeList();
    if (!v.is_dict() && !v.is_namespace())
      return TemplateError("TypeError", "Can only get item pairs from a mapping.");
    List out;
    for (const auto& [k, x] : v.dict()) out.push_back(Value::MakeTuple({k, x}));
    return Value::MakeList(std::move(out));
  }
  if (name == "list") {
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    return Value::MakeList(std::move(items));
  }
  if (name == "join") {
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    const Value* d = a.Get(0, "d");
    const Value* attr = a.Get(1, "attribute");
    std::string sep = d ? ToStr(*d) : "", out;
    for (size_t i = 0; i < items.size(); ++i) {
      Value x = items[i];
      if (attr && attr->is_string() && (x.is_dict() || x.is_namespace())) {
        const Value* f = x.Find(attr->str());
        x = f ? *f : Value::Undefined();
      }
      out += (i ? sep : "") + ToStr(x);
    }
    return Value::Str(out);
  }
  if (name == "round") {
    const Value* p = a.Get(0, "precision");
    const Value* m = a.Get(1, "method");
    int prec = p && p->is_int() ? static_cast<int>(p->integer()) : 0;
    std::string method = m && m->is_string() ? m->str() : "common";
    if (v.is_undefined()) return Undef(v);
    if (!v.is_number())
      return TemplateError("TypeError",
                           "type " + v.TypeName() + " doesn't define __round__ method");
    if (method == "common") {
      if (!v.is_float()) return Value::Integer(v.integer());
      return Value::Float(PyRound(v.number(), prec));
    }
    double f = std::pow(10.0, prec);
    double x = method == "ceil" ? std::ceil(v.number() * f) / f : std::floor(v.number() * f) / f;
    return Value::Float(x);
  }
  if (name == "int") {
    const Value* d = a.Get(0, "default");
    Value dflt = d ? *d : Value::Integer(0);
    if (v.is_bool() || v.is_int()) return Value::Integer(v.integer());
    if (v.is_float())
      return std::isfinite(v.number()) ? Value::Integer(static_cast<Int>(std::trunc(v.number())))
                                       : dflt;
    if (v.is_string()) {
      std::string s = PyStrip(v.str(), nullptr, true, true);
      char* end = nullptr;
      long long n = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && end == s.c_str() + s.size()) return Value::Integer(n);
      double f = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size() && std::isfinite(f))
        return Value::Integer(static_cast<Int>(std::trunc(f)));
    }
    return dflt;
  }
  if (name == "float") {
    const Value* d = a.Get(0, "default");
    Value dflt = d ? *d : Value::Float(0.0);
    if (v.is_number()) return Value::Float(v.number());
    if (v.is_string()) {
      std::string s = PyStrip(v.str(), nullptr, true, true);
      char* end = nullptr;
      double f = std::strtod(s.c_str(), &end);
      if (!s.empty() && end == s.c_str() + s.size()) return Value::Float(f);
    }
    return dflt;
  }
  if (name == "abs") {
    if (!v.is_number())
      return TemplateError("TypeError", "bad operand type for abs(): '" + v.TypeName() + "'");
    return v.is_float() ? Value::Float(std::fabs(v.number()))
                        : Value::Integer(v.integer() < 0 ? -v.integer() : v.integer());
  }
  if (name == "format") {
    if (!a.kwargs.empty())
      return TemplateError("TypeError", "format with keyword arguments is not supported");
    QW_ASSIGN_OR_RETURN(std::string s, PercentFormat(ToStr(v), Value::MakeTuple(a.args)));
    return Value::Str(s);
  }
  if (name == "default" || name == "d") {
    const Value* d = a.Get(0, "default_value");
    const Value* b = a.Get(1, "boolean");
    bool boolean = b && b->Truthy();
    if (v.is_undefined() || (boolean && !v.Truthy())) return d ? *d : Value::Str("");
    return v;
  }
  if (name == "first" || name == "last") {
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    if (items.empty()) return Value::Undefined("No first item, sequence was empty.");
    return name == "first" ? items.front() : items.back();
  }
  if (name == "reverse") {
    if (v.is_string()) {
      auto cps = CodePoints(v.str());
      std::reverse(cps.begin(), cps.end());
      return Value::Str(FromCodePoints(cps, 0, cps.size()));
    }
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    std::reverse(items.begin(), items.end());
    return Value::MakeList(std::move(items));
  }
  if (name == "sort") {
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    const Value* r = a.Get(0, "reverse");
    const Value* cs = a.Get(1, "case_sensitive");
    const Value* attr = a.Get(2, "attribute");
    return Sorted(std::move(items), r && r->Truthy(), cs && cs->Truthy(),
                  attr && attr->is_string() ? attr->str() : "");
  }
  if (name == "dictsort") {
    if (!v.is_dict()) return TemplateError("FilterArgumentError", "dictsort needs a mapping");
    const Value* cs = a.Get(0, "case_sensitive");
    const Value* by = a.Get(1, "by");
    const Value* r = a.Get(2, "reverse");
    bool by_value = by && by->is_string() && by->str() == "value";
    std::vector<Value> items;
    for (const auto& [k, x] : v.dict()) items.push_back(Value::MakeTuple({k, x}));
    Status err = OkStatus();
    bool case_sensitive = cs && cs->Truthy();
    std::stable_sort(items.begin(), items.end(), [&](const Value& p, const Value& q) {
      Value x = p.list()[by_value ? 1 : 0], y = q.list()[by_value ? 1 : 0];
      if (!case_sensitive && x.is_string()) x = Value::Str(PyLower(x.str()));
      if (!case_sensitive && y.is_string()) y = Value::Str(PyLower(y.str()));
      auto c = Compare(x, y);
      if (!c.ok()) {
        err = c.status();
        return false;
      }
      return (r && r->Truthy()) ? *c > 0 : *c < 0;
    });
    QW_TRY(err);
    return Value::MakeList(std::move(items));
  }
  if (name == "unique") {
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    List out;
    for (const auto& x : items) {
      bool seen = false;
      for (const auto& y : out) seen |= Equal(x, y);
      if (!seen) out.push_back(x);
    }
    return Value::MakeList(std::move(out));
  }
  if (name == "sum") {
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    const Value* start = a.Get(1, "start");
    Value total = start ? *start : Value::Integer(0);
    for (const auto& x : items) {
      QW_ASSIGN_OR_RETURN(total, Add(total, x));
    }
    return total;
  }
  if (name == "min" || name == "max") {
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    if (items.empty()) return Value::Undefined("No aggregated item, sequence was empty.");
    Value best = items[0];
    for (size_t i = 1; i < items.size(); ++i) {
      QW_ASSIGN_OR_RETURN(int c, Compare(items[i], best));
      if (name == "min" ? c < 0 : c > 0) best = items[i];
    }
    return best;
  }
  if (name == "select" || name == "reject") return SelectOrReject(v, a, name == "select", false);
  if (name == "selectattr" || name == "rejectattr")
    return SelectOrReject(v, a, name == "selectattr", true);
  if (name == "map") {
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(v));
    List out;
    const Value* attr = a.Get(99, "attribute");
    if (attr) {
      const Value* dflt = a.Get(99, "default");
      for (const auto& x : items) {
        const Value* f =
            (x.is_dict() || x.is_namespace()) && attr->is_string() ? x.Find(attr->str()) : nullptr;
        out.push_back(f ? *f : (dflt ? *dflt : Value::Undefined("no attribute")));
      }
      return Value::MakeList(std::move(out));
    }
    if (a.args.empty() || !a.args[0].is_string())
      return TemplateError("FilterArgumentError", "map needs a filter name or attribute=");
    CallArgs fargs;
    for (size_t k = 1; k < a.args.size(); ++k) fargs.args.push_back(a.args[k]);
    for (const auto& x : items) {
      QW_ASSIGN_OR_RETURN(Value y, ApplyFilter(a.args[0].str(), x, fargs));
      out.push_back(y);
    }
    return Value::MakeList(std::move(out));
  }
  if (name == "indent") {
    const Value* w = a.Get(0, "width");
    const Value* first = a.Get(1, "first");
    std::string pad =
        w && w->is_string()
            ? w->str()
            : std::string(w && w->is_int() ? static_cast<size_t>(w->integer()) : 4, ' ');
    std::string s = ToStr(v), out;
    size_t pos = 0;
    bool first_line = true;
    while (pos <= s.size()) {
      size_t nl = s.find('\n', pos);
      std::string line = s.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
      if ((!first_line || (first && first->Truthy())) && !line.empty()) out += pad;
      out += line;
      if (nl == std::string::npos) break;
      out += "\n";
      pos = nl + 1;
      first_line = false;
    }
    return Value::Str(out);
  }
  if (name == "batch" || name == "slice" || name == "groupby" || name == "xmlattr" ||
      name == "urlencode" || name == "truncate" || name == "wordwrap" || name == "center" ||
      name == "filesizeformat" || name == "pprint" || name == "random" || name == "striptags" ||
      name == "urlize" || name == "attr") {
    return TemplateError("TemplateRuntimeError", "filter '" + name + "' is not supported");
  }
  return TemplateError("TemplateAssertionError", "No filter named '" + name + "'.");
}

}  // namespace qw::tmpl
