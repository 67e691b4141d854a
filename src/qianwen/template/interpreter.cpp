#include "qianwen/template/interpreter.h"

#include <cmath>
#include <ctime>
#include <map>

#include "qianwen/template/builtins.h"
#include "qianwen/template/lexer.h"
#include "qianwen/template/parser.h"

namespace qw::tmpl {
namespace {

struct Scope {
  std::unordered_map<std::string, Value> vars;
  Scope* parent = nullptr;
  const Value* Lookup(const std::string& name) const {
    for (const Scope* s = this; s; s = s->parent) {
      auto it = s->vars.find(name);
      if (it != s->vars.end()) return &it->second;
    }
    return nullptr;
  }
};

Status Undef(const std::string& what) { return TemplateError("UndefinedError", what); }

Status UndefinedUse(const Value& v) {
  const std::string& n = v.undefined_name();
  return Undef(n.empty() ? "undefined value" : n);
}

class Interpreter {
 public:
  explicit Interpreter(const RenderOptions& opt) : opt_(opt) {}

  Status Exec(const Node* n, Scope* s, std::string* out) {
    if (++steps_ > kMaxSteps) return TemplateError("RuntimeError", "template took too many steps");
    switch (n->kind) {
      case Node::kBody:
        for (const auto& c : n->children) {
          QW_TRY(Exec(c.get(), s, out));
          if (flow_ != Flow::kNone) return OkStatus();
        }
        return OkStatus();
      case Node::kText:
        *out += n->name;
        return OkStatus();
      case Node::kOutput: {
        QW_ASSIGN_OR_RETURN(Value v, Eval(n->children[0].get(), s));
        *out += ToStr(v);
        return OkStatus();
      }
      case Node::kIf: {
        QW_ASSIGN_OR_RETURN(Value c, Eval(n->children[0].get(), s));
        if (c.Truthy()) return Exec(n->children[1].get(), s, out);
        if (n->children[2]) return Exec(n->children[2].get(), s, out);
        return OkStatus();
      }
      case Node::kFor:
        return ExecFor(n, s, out);
      case Node::kSet:
        return ExecSet(n, s);
      case Node::kSetBlock: {
        std::string body;
        QW_TRY(Exec(n->children[0].get(), s, &body));
        Value v = Value::Str(body);
        if (n->children[1]) {
          QW_ASSIGN_OR_RETURN(v, EvalFilterChain(n->children[1].get(), v, s));
        }
        s->vars[n->names[0]] = v;
        return OkStatus();
      }
      case Node::kMacro:
        s->vars[n->name] = MakeMacro(n);
        return OkStatus();
      case Node::kBreak:
        flow_ = Flow::kBreak;
        return OkStatus();
      case Node::kContinue:
        flow_ = Flow::kContinue;
        return OkStatus();
      case Node::kGeneration:
        return Exec(n->children[0].get(), s, out);
      default:
        return TemplateError("TemplateSyntaxError", "expression used as a statement");
    }
  }

  Scope* root = nullptr;

 private:
  enum class Flow { kNone, kBreak, kContinue };
  static constexpr int64_t kMaxSteps = 5'000'000;

  Status ExecFor(const Node* n, Scope* s, std::string* out) {
    QW_ASSIGN_OR_RETURN(Value it, Eval(n->children[0].get(), s));
    if (it.is_none() || it.is_number() || it.is_callable()) {
      return TemplateError("TypeError", "'" + it.TypeName() + "' object is not iterable");
    }
    QW_ASSIGN_OR_RETURN(std::vector<Value> items, Iterate(it));
    if (n->children[3]) {  // {% for x in xs if cond %}: filter first, loop.length counts the rest
      std::vector<Value> kept;
      for (const auto& item : items) {
        Scope fs{{}, s};
        QW_TRY(Bind(n, item, &fs));
        QW_ASSIGN_OR_RETURN(Value c, Eval(n->children[3].get(), &fs));
        if (c.Truthy()) kept.push_back(item);
      }
      items = std::move(kept);
    }
    const int64_t len = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < len; ++i) {
      Scope body{{}, s};
      Dict loop = {
          {Value::Str("index"), Value::Integer(i + 1)},
          {Value::Str("index0"), Value::Integer(i)},
          {Value::Str("revindex"), Value::Integer(len - i)},
          {Value::Str("revindex0"), Value::Integer(len - i - 1)},
          {Value::Str("first"), Value::Bool(i == 0)},
          {Value::Str("last"), Value::Bool(i == len - 1)},
          {Value::Str("length"), Value::Integer(len)},
          {Value::Str("depth"), Value::Integer(1)},
          {Value::Str("depth0"), Value::Integer(0)},
          {Value::Str("previtem"), i > 0 ? items[static_cast<size_t>(i - 1)]
                                         : Value::Undefined("there is no previous item")},
          {Value::Str("nextitem"), i + 1 < len ? items[static_cast<size_t>(i + 1)]
                                               : Value::Undefined("there is no next item")},
      };
      body.vars["loop"] = Value::MakeNamespace(std::move(loop));
      QW_TRY(Bind(n, items[static_cast<size_t>(i)], &body));
      QW_TRY(Exec(n->children[1].get(), &body, out));
      if (flow_ == Flow::kBreak) {
        flow_ = Flow::kNone;
        break;
      }
      flow_ = Flow::kNone;
    }
    if (len == 0 && n->children[2]) return Exec(n->children[2].get(), s, out);
    return OkStatus();
  }

  // Assigns a loop item to the loop's target names (unpacking for "a, b").
  Status Bind(const Node* n, const Value& item, Scope* s) {
    if (n->names.size() == 1) {
      s->vars[n->names[0]] = item;
      return OkStatus();
    }
    QW_ASSIGN_OR_RETURN(std::vector<Value> parts, Iterate(item));
    if (parts.size() != n->names.size()) {
      return TemplateError("ValueError", "cannot unpack " + std::to_string(parts.size()) +
                                             " values into " + std::to_string(n->names.size()));
    }
    for (size_t k = 0; k < parts.size(); ++k) s->vars[n->names[k]] = parts[k];
    return OkStatus();
  }

  Status ExecSet(const Node* n, Scope* s) {
    QW_ASSIGN_OR_RETURN(Value v, Eval(n->children[0].get(), s));
    if (n->attr_set) {
      const Value* ns = s->Lookup(n->names[0]);
      if (!ns || !ns->is_namespace()) {
        return TemplateError("TemplateRuntimeError",
                             "cannot assign attribute on non-namespace object");
      }
      Value target = *ns;  // shares the namespace's storage
      target.Set(Value::Str(n->names[1]), v);
      return OkStatus();
    }
    if (n->names.size() == 1) {
      s->vars[n->names[0]] = v;
      return OkStatus();
    }
    QW_ASSIGN_OR_RETURN(std::vector<Value> parts, Iterate(v));
    if (parts.size() != n->names.size())
      return TemplateError("ValueError", "wrong number of values to unpack");
    for (size_t k = 0; k < parts.size(); ++k) s->vars[n->names[k]] = parts[k];
    return OkStatus();
  }

  Value MakeMacro(const Node* n) {
    return Value::Function(n->name, [this, n](CallArgs& a) -> Result<Value> {
      if (call_depth_ >= kMaxCallDepth)
        return TemplateError("RecursionError", "maximum macro recursion depth exceeded");
      ++call_depth_;
      struct Leave {
        int* d;
        ~Leave() { --*d; }
      } leave{&call_depth_};
      Scope ms{{}, root};
      const size_t np = n->names.size();
      if (a.args.size() > np) {
        return TemplateError("TypeError", "macro '" + n->name + "' takes not more than " +
                                              std::to_string(np) + " argument(s)");
      }
      for (size_t k = 0; k < np; ++k) {
        const Value* given = k < a.args.size() ? &a.args[k] : nullptr;
        for (const auto& [kw, v] : a.kwargs)
          if (kw == n->names[k]) given = &v;
        if (given) {
          ms.vars[n->names[k]] = *given;
        } else if (n->children[k]) {
          QW_ASSIGN_OR_RETURN(ms.vars[n->names[k]], Eval(n->children[k].get(), &ms));
        } else {
          ms.vars[n->names[k]] =
              Value::Undefined("parameter '" + n->names[k] + "' was not provided");
        }
      }
      for (const auto& [kw, v] : a.kwargs) {
        bool known = false;
        for (const auto& p : n->names) known |= p == kw;
        if (!known)
          return TemplateError("TypeError",
                               "macro '" + n->name + "' takes no keyword argument '" + kw + "'");
      }
      std::string out;
      QW_TRY(Exec(n->children.back().get(), &ms, &out));
      flow_ = Flow::kNone;
      return Value::Str(out);
    });
  }

  Result<CallArgs> EvalArgs(const Node* n, size_t first, Scope* s) {
    CallArgs a;
    for (size_t k = first; k < n->children.size(); ++k) {
      QW_ASSIGN_OR_RETURN(Value v, Eval(n->children[k].get(), s));
      a.args.push_back(std::move(v));
    }
    for (size_t k = 0; k < n->names.size(); ++k) {
      QW_ASSIGN_OR_RETURN(Value v, Eval(n->kwvalues[k].get(), s));
      a.kwargs.emplace_back(n->names[k], std::move(v));
    }
    return a;
  }

  // Applies a filter chain parsed over a placeholder literal (block set) to `v`.
  Result<Value> EvalFilterChain(const Node* n, const Value& v, Scope* s) {
    if (n->kind != Node::kFilter) return v;
    QW_ASSIGN_OR_RETURN(Value inner, EvalFilterChain(n->children[0].get(), v, s));
    QW_ASSIGN_OR_RETURN(CallArgs a, EvalArgs(n, 1, s));
    return ApplyFilter(n->name, inner, a);
  }

  Result<Value> GetAttr(const Value& obj, const std::string& name) {
    if (obj.is_undefined()) return UndefinedUse(obj);
    if (HasMethod(obj, name)) {
      Value self = obj;
      return Value::Function(name, [self, name](CallArgs& a) { return CallMethod(self, name, a); });
    }
    if (obj.is_dict() || obj.is_namespace()) {
      if (const Value* v = obj.Find(name)) return *v;
    }
    return Value::Undefined("'" +
                            (obj.is_dict() ? std::string("dict object") : Repr(obj).substr(0, 40)) +
                            "' has no attribute '" + name + "'");
  }

  Result<Value> GetItem(const Value& obj, const Value& key) {
    if (obj.is_undefined()) return UndefinedUse(obj);
    if (obj.is_dict() || obj.is_namespace()) {
      if (const Value* v = obj.FindValue(key)) return *v;
      if (key.is_string() && HasMethod(obj, key.str())) return GetAttr(obj, key.str());
      return Value::Undefined("'dict object' has no attribute '" + ToStr(key) + "'");
    }
    if ((obj.is_sequence_like() || obj.is_string()) && (key.is_int() || key.is_bool())) {
      Int i = key.integer();
      if (obj.is_string()) {
        auto cps = CodePoints(obj.str());
        Int n = static_cast<Int>(cps.size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::Undefined("string index out of range");
        return Value::Str(FromCodePoints(cps, static_cast<size_t>(i), static_cast<size_t>(i) + 1));
      }
      Int n = static_cast<Int>(obj.list().size());
      if (i < 0) i += n;
      if (i < 0 || i >= n)
        return Value::Undefined(std::string(obj.is_list() ? "list" : "tuple") +
                                " object has no element " + IntToString(key.integer()));
      return obj.list()[static_cast<size_t>(i)];
    }
    if (key.is_string()) return GetAttr(obj, key.str());
    return Value::Undefined("no item " + Repr(key));
  }

  Result<Value> Slice(const Value& obj, const Value& a, const Value& b, const Value& c) {
    if (obj.is_undefined()) return UndefinedUse(obj);
    auto opt = [](const Value& v, bool* has) -> Result<Int> {
      *has = !(v.is_undefined() || v.is_none());
      if (!*has) return Int(0);
      if (!v.is_int() && !v.is_bool())
        return TemplateError("TypeError", "slice indices must be integers or None");
      return v.integer();
    };
    bool ha, hb, hc;
    QW_ASSIGN_OR_RETURN(Int start, opt(a, &ha));
    QW_ASSIGN_OR_RETURN(Int stop, opt(b, &hb));
    QW_ASSIGN_OR_RETURN(Int step, opt(c, &hc));
    if (!hc) step = 1;
    if (step == 0) return TemplateError("ValueError", "slice step cannot be zero");
    std::vector<uint32_t> cps;
    Int n;
    if (obj.is_string()) {
      cps = CodePoints(obj.str());
      n = static_cast<Int>(cps.size());
    } else if (obj.is_sequence_like()) {
      n = static_cast<Int>(obj.list().size());
    } else {
      return TemplateError("TypeError", "'" + obj.TypeName() + "' object is not subscriptable");
    }
    auto clamp = [&](Int v, bool has, Int dflt) -> Int {
      if (!has) return dflt;
      if (v < 0) v += n;
      if (step > 0) return std::max<Int>(0, std::min(v, n));
      return std::max<Int>(-1, std::min(v, n - 1));
    };
    start = clamp(start, ha, step > 0 ? 0 : n - 1);
    stop = clamp(stop, hb, step > 0 ? n : -1);
    std::vector<size_t> idx;
    for (Int i = start; step > 0 ? i < stop : i > stop; i += step)
      idx.push_back(static_cast<size_t>(i));
    if (obj.is_string()) {
      std::vector<uint32_t> sel;
      for (size_t i : idx) sel.push_back(cps[i]);
      return Value::Str(FromCodePoints(sel, 0, sel.size()));
    }
    List out;
    for (size_t i : idx) out.push_back(obj.list()[i]);
    return obj.is_tuple() ? Value::MakeTuple(std::move(out)) : Value::MakeList(std::move(out));
  }

  Result<Value> Arith(const std::string& op, const Value& a, const Value& b) {
    if (op == "~") return Value::Str(ToStr(a) + ToStr(b));
    if (a.is_undefined()) return UndefinedUse(a);
    if (b.is_undefined()) return UndefinedUse(b);
    if (op == "+") return Add(a, b);
    const bool nums = a.is_number() && b.is_number();
    const bool ints = nums && !a.is_float() && !b.is_float();
    auto type_error = [&]() {
      return TemplateError("TypeError", "unsupported operand type(s) for " + op + ": '" +
                                            a.TypeName() + "' and '" + b.TypeName() + "'");
    };
    if (op == "-") {
      if (!nums) return type_error();
      if (!ints) return Value::Float(a.number() - b.number());
      Int r;
      if (__builtin_sub_overflow(a.integer(), b.integer(), &r))
        return TemplateError("OverflowError", "integer too large");
      return Value::Integer(r);
    }
    if (op == "*") {
      if (nums && !ints) return Value::Float(a.number() * b.number());
      if (nums) {
        Int r;
        if (__builtin_mul_overflow(a.integer(), b.integer(), &r))
          return TemplateError("OverflowError", "integer too large");
        return Value::Integer(r);
      }
      const Value* seq = a.is_string() || a.is_sequence_like() ? &a : &b;
      const Value* cnt = seq == &a ? &b : &a;
      if ((seq->is_string() || seq->is_sequence_like()) && (cnt->is_int() || cnt->is_bool())) {
        Int k = std::max<Int>(0, cnt->integer());
        if (seq->is_string()) {
          if (static_cast<double>(k) * static_cast<double>(seq->str().size()) > 1e8)
            return TemplateError("MemoryError", "string too long");
          std::string r;
          for (Int i = 0; i < k; ++i) r += seq->str();
          return Value::Str(r);
        }
        List r;
        for (Int i = 0; i < k; ++i) r.insert(r.end(), seq->list().begin(), seq->list().end());
        return seq->is_tuple() ? Value::MakeTuple(r) : Value::MakeList(r);
      }
      return type_error();
    }
    if (op == "/") {
      if (!nums) return type_error();
      if (b.number() == 0) return TemplateError("ZeroDivisionError", "division by zero");
      return Value::Float(a.number() / b.number());
    }
    if (op == "//" || op == "%") {
      if (op == "%" && a.is_string()) {
        QW_ASSIGN_OR_RETURN(std::string r, PercentFormat(a.str(), b));
        return Value::Str(r);
      }
      if (!nums) return type_error();
      if (b.number() == 0)
        return TemplateError("ZeroDivisionError", "integer division or modulo by zero");
      if (ints) {
        Int x = a.integer(), y = b.integer();
        Int q = x / y, r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) {
          q -= 1;
          r += y;
        }
        return op == "//" ? Value::Integer(q) : Value::Integer(r);
      }
      double x = a.number(), y = b.number();
      double q = std::floor(x / y), r = std::fmod(x, y);
      if (r != 0 && ((r < 0) != (y < 0))) r += y;
      return op == "//" ? Value::Float(q) : Value::Float(r);
    }
    if (op == "**") {
      if (!nums) return type_error();
      if (ints && b.integer() >= 0) {
        // Exponentiation by squaring, every product checked (a hostile exponent must neither
        // overflow nor loop for long).
        Int r = 1, base = a.integer(), e = b.integer();
        while (e > 0) {
          if ((e & 1) && __builtin_mul_overflow(r, base, &r))
            return TemplateError("OverflowError", "integer too large");
          e >>= 1;
          if (e > 0 && __builtin_mul_overflow(base, base, &base)) {
            if (r == 0) break;
            return TemplateError("OverflowError", "integer too large");
          }
        }
        return Value::Integer(r);
      }
      return Value::Float(std::pow(a.number(), b.number()));
    }
    return TemplateError("TemplateSyntaxError", "unknown operator " + op);
  }

  Result<Value> Eval(const Node* n, Scope* s) {
    if (++steps_ > kMaxSteps) return TemplateError("RuntimeError", "template took too many steps");
    switch (n->kind) {
      case Node::kLiteral:
        return n->value;
      case Node::kName: {
        if (const Value* v = s->Lookup(n->name)) return *v;
        return Value::Undefined("'" + n->name + "' is undefined");
      }
      case Node::kList:
      case Node::kTuple: {
        List items;
        for (const auto& c : n->children) {
          QW_ASSIGN_OR_RETURN(Value v, Eval(c.get(), s));
          items.push_back(std::move(v));
        }
        return n->kind == Node::kList ? Value::MakeList(std::move(items))
                                      : Value::MakeTuple(std::move(items));
      }
      case Node::kDict: {
        Value d = Value::MakeDict();
        for (size_t k = 0; k + 1 < n->children.size(); k += 2) {
          QW_ASSIGN_OR_RETURN(Value key, Eval(n->children[k].get(), s));
          QW_ASSIGN_OR_RETURN(Value v, Eval(n->children[k + 1].get(), s));
          d.Set(key, v);
        }
        return d;
      }
      case Node::kGetAttr: {
        QW_ASSIGN_OR_RETURN(Value obj, Eval(n->children[0].get(), s));
        return GetAttr(obj, n->name);
      }
      case Node::kGetItem: {
        QW_ASSIGN_OR_RETURN(Value obj, Eval(n->children[0].get(), s));
        QW_ASSIGN_OR_RETURN(Value key, Eval(n->children[1].get(), s));
        return GetItem(obj, key);
      }
      case Node::kSlice: {
        QW_ASSIGN_OR_RETURN(Value obj, Eval(n->children[0].get(), s));
        Value parts[3];
        for (int k = 0; k < 3; ++k) {
          if (n->children[static_cast<size_t>(k) + 1]) {
            QW_ASSIGN_OR_RETURN(parts[k], Eval(n->children[static_cast<size_t>(k) + 1].get(), s));
          }
        }
        return Slice(obj, parts[0], parts[1], parts[2]);
      }
      case Node::kCall: {
        QW_ASSIGN_OR_RETURN(Value fn, Eval(n->children[0].get(), s));
        QW_ASSIGN_OR_RETURN(CallArgs a, EvalArgs(n, 1, s));
        if (fn.is_undefined()) return UndefinedUse(fn);
        if (!fn.is_callable())
          return TemplateError("TypeError", "'" + fn.TypeName() + "' object is not callable");
        return fn.fn()(a);
      }
      case Node::kFilter: {
        QW_ASSIGN_OR_RETURN(Value v, Eval(n->children[0].get(), s));
        QW_ASSIGN_OR_RETURN(CallArgs a, EvalArgs(n, 1, s));
        return ApplyFilter(n->name, v, a);
      }
      case Node::kTest: {
        QW_ASSIGN_OR_RETURN(Value v, Eval(n->children[0].get(), s));
        QW_ASSIGN_OR_RETURN(CallArgs a, EvalArgs(n, 1, s));
        QW_ASSIGN_OR_RETURN(bool r, ApplyTest(n->name, v, a));
        return Value::Bool(r != n->negate);
      }
      case Node::kUnary: {
        QW_ASSIGN_OR_RETURN(Value v, Eval(n->children[0].get(), s));
        if (n->name == "not") return Value::Bool(!v.Truthy());
        if (v.is_undefined()) return UndefinedUse(v);
        if (!v.is_number())
          return TemplateError(
              "TypeError", "bad operand type for unary " + n->name + ": '" + v.TypeName() + "'");
        if (n->name == "+") return v.is_bool() ? Value::Integer(v.integer()) : v;
        return v.is_float() ? Value::Float(-v.number()) : Value::Integer(-v.integer());
      }
      case Node::kAnd: {
        QW_ASSIGN_OR_RETURN(Value l, Eval(n->children[0].get(), s));
        if (!l.Truthy()) return l;
        return Eval(n->children[1].get(), s);
      }
      case Node::kOr: {
        QW_ASSIGN_OR_RETURN(Value l, Eval(n->children[0].get(), s));
        if (l.Truthy()) return l;
        return Eval(n->children[1].get(), s);
      }
      case Node::kCondExpr: {
        QW_ASSIGN_OR_RETURN(Value c, Eval(n->children[1].get(), s));
        if (c.Truthy()) return Eval(n->children[0].get(), s);
        if (n->children[2]) return Eval(n->children[2].get(), s);
        return Value::Undefined(
            "the inline if-expression evaluated to false and no else section was defined");
      }
      case Node::kBinary: {
        QW_ASSIGN_OR_RETURN(Value a, Eval(n->children[0].get(), s));
        QW_ASSIGN_OR_RETURN(Value b, Eval(n->children[1].get(), s));
        const std::string& op = n->name;
        if (op == "==") return Value::Bool(Equal(a, b));
        if (op == "!=") return Value::Bool(!Equal(a, b));
        if (op == "in" || op == "not in") {
          QW_ASSIGN_OR_RETURN(bool r, Contains(b, a));
          return Value::Bool(op == "in" ? r : !r);
        }
        if (op == "<" || op == "<=" || op == ">" || op == ">=") {
          if (a.is_undefined()) return UndefinedUse(a);
          if (b.is_undefined()) return UndefinedUse(b);
          QW_ASSIGN_OR_RETURN(int c, Compare(a, b));
          if (op == "<") return Value::Bool(c < 0);
          if (op == "<=") return Value::Bool(c <= 0);
          if (op == ">") return Value::Bool(c > 0);
          return Value::Bool(c >= 0);
        }
        return Arith(op, a, b);
      }
      default:
        return TemplateError("TemplateSyntaxError", "statement used as an expression");
    }
  }

  static constexpr int kMaxCallDepth = 64;
  const RenderOptions& opt_;
  int call_depth_ = 0;
  Flow flow_ = Flow::kNone;
  int64_t steps_ = 0;
};

// strftime_now(format): the pinned time formatted like Python's datetime.strftime.
Value MakeStrftimeNow(const std::string& iso) {
  return Value::Function("strftime_now", [iso](CallArgs& a) -> Result<Value> {
    const Value* fmt = a.Get(0, "format");
    if (!fmt || !fmt->is_string())
      return TemplateError("TypeError", "strftime_now() needs a format string");
    std::tm tm{};
    if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) < 3) {
      return TemplateError("ValueError", "bad time " + iso);
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    std::tm copy = tm;
    timegm(&copy);  // fills in weekday and day of year
    tm.tm_wday = copy.tm_wday;
    tm.tm_yday = copy.tm_yday;
    char buf[512];
    size_t n = std::strftime(buf, sizeof(buf), fmt->str().c_str(), &tm);
    return Value::Str(std::string(buf, n));
  });
}

}  // namespace

Result<Template> Template::Compile(const std::string& source) {
  QW_ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(source));
  QW_ASSIGN_OR_RETURN(NodePtr root, Parse(tokens));
  Template t;
  t.source_ = std::make_shared<const std::string>(source);
  t.root_ = std::shared_ptr<const Node>(std::move(root));
  return t;
}

Result<std::string> Template::Render(const std::vector<std::pair<std::string, Value>>& vars,
                                     const RenderOptions& options) const {
  Scope globals;
  globals.vars["raise_exception"] =
      Value::Function("raise_exception", [](CallArgs& a) -> Result<Value> {
        const Value* m = a.Get(0, "message");
        return TemplateError("TemplateError", m ? ToStr(*m) : "");
      });
  globals.vars["strftime_now"] = MakeStrftimeNow(options.now_iso);
  globals.vars["namespace"] = Value::Function("namespace", [](CallArgs& a) -> Result<Value> {
    Dict d;
    if (!a.args.empty()) {
      if (!a.args[0].is_dict()) return TemplateError("TypeError", "namespace() takes a dict");
      d = a.args[0].dict();
    }
    for (const auto& [k, v] : a.kwargs) d.emplace_back(Value::Str(k), v);
    return Value::MakeNamespace(std::move(d));
  });
  globals.vars["range"] = Value::Function("range", [](CallArgs& a) -> Result<Value> {
    Int start = 0, stop = 0, step = 1;
    for (const auto& v : a.args)
      if (!v.is_int()) return TemplateError("TypeError", "range() takes integers");
    if (a.args.size() == 1)
      stop = a.args[0].integer();
    else if (a.args.size() >= 2) {
      start = a.args[0].integer();
      stop = a.args[1].integer();
      if (a.args.size() > 2) step = a.args[2].integer();
    }
    if (step == 0) return TemplateError("ValueError", "range() arg 3 must not be zero");
    List out;
    for (Int i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (out.size() > 100000) return TemplateError("OverflowError", "range too large");
      out.push_back(Value::Integer(i));
    }
    return Value::MakeList(std::move(out));
  });
  globals.vars["dict"] = Value::Function("dict", [](CallArgs& a) -> Result<Value> {
    Value d = Value::MakeDict();
    if (!a.args.empty() && a.args[0].is_dict()) d = Value::MakeDict(a.args[0].dict());
    for (const auto& [k, v] : a.kwargs) d.Set(Value::Str(k), v);
    return d;
  });
  Scope top{{}, &globals};
  for (const auto& [k, v] : vars) top.vars[k] = v;
  Interpreter in(options);
  in.root = &top;
  std::string out;
  QW_TRY(in.Exec(root_.get(), &top, &out));
  return out;
}

}  // namespace qw::tmpl
