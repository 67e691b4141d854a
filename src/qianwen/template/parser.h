#pragma once
// Parses template tokens into a tree (Jinja2's grammar and operator precedence).

#include <vector>

#include "qianwen/core/status.h"
#include "qianwen/template/ast.h"
#include "qianwen/template/lexer.h"

namespace qw::tmpl {

Result<NodePtr> Parse(const std::vector<Token>& tokens);

}  // namespace qw::tmpl
