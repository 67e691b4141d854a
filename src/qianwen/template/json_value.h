#pragma once
// JSON text to template values the way Python's json.loads makes them: integers stay int,
// numbers with "." or an exponent are float, object key order is kept.

#include <string>

#include "qianwen/template/value.h"

namespace qw::tmpl {

Result<Value> ParseJsonValue(const std::string& text);

}  // namespace qw::tmpl
