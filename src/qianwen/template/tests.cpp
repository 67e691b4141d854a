// Jinja2's builtin tests.

#include "qianwen/template/builtins.h"
#include "qianwen/template/strings.h"

namespace qw::tmpl {

Result<bool> ApplyTest(const std::string& name, const Value& v, CallArgs& a) {
  const Value* arg = a.Get(0, "other");
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "string") return v.is_string();
  if (name == "number") return v.is_number();  // bool is a Number in Python
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.boolean();
  if (name == "false") return v.is_bool() && !v.boolean();
  if (name == "mapping") return v.is_dict();
  if (name == "iterable") {
    return v.is_undefined() || v.is_string() || v.is_sequence_like() || v.is_dict() ||
           v.is_namespace();
  }
  if (name == "sequence")
    return v.is_undefined() || v.is_string() || v.is_sequence_like() || v.is_dict();
  if (name == "callable") return v.is_callable();
  if (name == "odd" || name == "even") {
    if (!v.is_int()) return TemplateError("TypeError", "odd/even needs an integer");
    return (v.integer() % 2 != 0) == (name == "odd");
  }
  if (name == "divisibleby") {
    if (!arg || !v.is_int() || !arg->is_int() || arg->integer() == 0)
      return TemplateError("TypeError", "divisibleby needs integers");
    return v.integer() % arg->integer() == 0;
  }
  if (name == "lower") return v.is_string() && PyLower(v.str()) == v.str();
  if (name == "upper") return v.is_string() && PyUpper(v.str()) == v.str();
  if (name == "escaped") return false;
  if (name == "in") {
    if (a.args.empty()) return TemplateError("TypeError", "test 'in' needs a container");
    return Contains(a.args[0], v);
  }
  if (!arg) {
    if (name == "eq" || name == "equalto" || name == "==" || name == "ne" || name == "!=" ||
        name == "sameas" || name == "lt" || name == "le" || name == "gt" || name == "ge" ||
        name == "lessthan" || name == "greaterthan") {
      return TemplateError("TypeError", "test '" + name + "' needs an argument");
    }
    return TemplateError("TemplateAssertionError", "No test named '" + name + "'.");
  }
  if (name == "eq" || name == "equalto" || name == "==") return Equal(v, *arg);
  if (name == "ne" || name == "!=") return !Equal(v, *arg);
  if (name == "sameas") {
    if (v.kind() != arg->kind()) return false;
    if (v.is_none() || v.is_undefined()) return true;
    if (v.is_bool()) return v.boolean() == arg->boolean();
    return Equal(v, *arg) && (v.is_int() || v.is_string());
  }
  QW_ASSIGN_OR_RETURN(int c, Compare(v, *arg));
  if (name == "lt" || name == "lessthan" || name == "<") return c < 0;
  if (name == "le" || name == "<=") return c <= 0;
  if (name == "gt" || name == "greaterthan" || name == ">") return c > 0;
  if (name == "ge" || name == ">=") return c >= 0;
  return TemplateError("TemplateAssertionError", "No test named '" + name + "'.");
}

}  // namespace qw::tmpl
