#pragma once
// Filters, tests and methods of the template language (Jinja2's builtins as transformers'
// sandboxed environment has them, with Python's semantics for str, list and dict methods).

#include <string>

#include "qianwen/template/value.h"

namespace qw::tmpl {

// `value | name(args)`.
Result<Value> ApplyFilter(const std::string& name, const Value& value, CallArgs& args);
// `value is name(args)`.
Result<bool> ApplyTest(const std::string& name, const Value& value, CallArgs& args);
// obj.name as a callable, if obj has such a method; nullopt otherwise.
bool HasMethod(const Value& obj, const std::string& name);
Result<Value> CallMethod(const Value& obj, const std::string& name, CallArgs& args);

// Shared helpers.
Result<Value> Add(const Value& a, const Value& b);
Result<int> Compare(const Value& a, const Value& b);  // <0, 0, >0; TypeError if unordered
Result<bool> Contains(const Value& container, const Value& item);
Result<std::vector<Value>> Iterate(const Value& v);  // list items, dict keys, string chars
Result<int64_t> Length(const Value& v);
Result<std::string> PercentFormat(const std::string& fmt, const Value& args);

}  // namespace qw::tmpl
