#pragma once
// Evaluates a parsed template against variables: Jinja2's default Undefined (prints as "",
// raises on attribute access, calls and arithmetic), its scoping (a for loop's body and a macro
// have their own scope; namespace objects are shared), loop controls, and the immutable sandbox
// (methods that modify lists or dicts raise SecurityError).

#include <string>
#include <unordered_map>

#include "qianwen/template/ast.h"
#include "qianwen/template/value.h"

namespace qw::tmpl {

struct RenderOptions {
  std::string now_iso = "2025-01-15T10:30:00";  // what strftime_now formats
};

class Template {
 public:
  static Result<Template> Compile(const std::string& source);
  // Renders with `vars` (name -> value) as the global context.
  Result<std::string> Render(const std::vector<std::pair<std::string, Value>>& vars,
                             const RenderOptions& options = {}) const;
  const std::string& source() const { return *source_; }

 private:
  std::shared_ptr<const std::string> source_;
  std::shared_ptr<const Node> root_;
};

}  // namespace qw::tmpl
