#pragma once
// Values of the template language with Python's semantics: None, bool, int, float, str (UTF-8;
// lengths and slices count code points), list, tuple, dict (insertion-ordered), namespace,
// callables, and Jinja's Undefined. Printing follows Python's str() and repr().

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "qianwen/core/status.h"

namespace qw::tmpl {

class Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<Value, Value>>;  // insertion order, like Python's dict
using Int = __int128;

struct CallArgs;
using NativeFn = std::function<Result<Value>(CallArgs& args)>;

class Value {
 public:
  enum class Kind {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kTuple,
    kDict,
    kNamespace,
    kCallable
  };

  Value() = default;  // Undefined
  static Value Undefined(std::string name = "");
  static Value None();
  static Value Bool(bool b);
  static Value Integer(Int i);
  static Value Float(double f);
  static Value Str(std::string s);
  static Value MakeList(List items = {});
  static Value MakeTuple(List items);
  static Value MakeDict(Dict items = {});
  static Value MakeNamespace(Dict items = {});
  static Value Function(std::string name, NativeFn fn);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  bool is_number() const {
    return kind_ == Kind::kInt || kind_ == Kind::kFloat || kind_ == Kind::kBool;
  }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }
  bool is_tuple() const { return kind_ == Kind::kTuple; }
  bool is_sequence_like() const { return kind_ == Kind::kList || kind_ == Kind::kTuple; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_namespace() const { return kind_ == Kind::kNamespace; }
  bool is_callable() const { return kind_ == Kind::kCallable; }

  bool boolean() const { return b_; }
  Int integer() const { return kind_ == Kind::kBool ? (b_ ? 1 : 0) : i_; }
  double number() const { return kind_ == Kind::kFloat ? f_ : static_cast<double>(integer()); }
  const std::string& str() const { return *s_; }
  const List& list() const { return *list_; }
  List& mutable_list() { return *list_; }
  const Dict& dict() const { return *dict_; }
  Dict& mutable_dict() { return *dict_; }
  const std::string& undefined_name() const;
  const NativeFn& fn() const { return *fn_; }
  const std::string& fn_name() const { return *s_; }

  // Dict / namespace lookup by string key; nullptr when absent.
  const Value* Find(const std::string& key) const;
  const Value* FindValue(const Value& key) const;
  void Set(const Value& key, Value v);  // dict/namespace insert or replace

  bool Truthy() const;
  // Python's type name, for error messages ("NoneType", "str", "dict", ...).
  std::string TypeName() const;

 private:
  Kind kind_ = Kind::kUndefined;
  bool b_ = false;
  Int i_ = 0;
  double f_ = 0;
  std::shared_ptr<const std::string> s_;
  std::shared_ptr<List> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<NativeFn> fn_;
};

// Python's str(v) (Undefined prints as "").
std::string ToStr(const Value& v);
// Python's repr(v).
std::string Repr(const Value& v);
// Python's repr of a float ("1.0", "1e-07", "1e+21", "inf").
std::string FloatRepr(double f);
std::string IntToString(Int i);
// Python ==, deep (1 == 1.0 == True).
bool Equal(const Value& a, const Value& b);

// json.dumps(v, ensure_ascii, indent (<0: none), separators, sort_keys).
struct JsonOptions {
  bool ensure_ascii = false;
  int indent = -1;
  std::string item_sep = ", ";
  std::string key_sep = ": ";
  bool sort_keys = false;
};
Result<std::string> ToJson(const Value& v, const JsonOptions& opt);

// Code points of a UTF-8 string, and back.
std::vector<uint32_t> CodePoints(const std::string& s);
std::string FromCodePoints(const std::vector<uint32_t>& cps, size_t begin, size_t end);

// Arguments of a call: positional, then keyword (in call order).
struct CallArgs {
  std::vector<Value> args;
  std::vector<std::pair<std::string, Value>> kwargs;
  // The keyword `name`, else positional `index`, else nullptr.
  const Value* Get(size_t index, const std::string& name) const {
    for (const auto& [k, v] : kwargs)
      if (k == name) return &v;
    return index < args.size() ? &args[index] : nullptr;
  }
};

// Errors carry Python's exception class as a prefix: "TypeError: ...".
Status TemplateError(const std::string& type, const std::string& message);

}  // namespace qw::tmpl
