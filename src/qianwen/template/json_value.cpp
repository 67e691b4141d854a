#include "qianwen/template/json_value.h"

#include <nlohmann/json.hpp>

namespace qw::tmpl {
namespace {

using ojson = nlohmann::ordered_json;

Value Convert(const ojson& j) {
  switch (j.type()) {
    case ojson::value_t::null:
      return Value::None();
    case ojson::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case ojson::value_t::number_integer:
      return Value::Integer(j.get<int64_t>());
    case ojson::value_t::number_unsigned:
      return Value::Integer(static_cast<Int>(j.get<uint64_t>()));
    case ojson::value_t::number_float:
      return Value::Float(j.get<double>());
    case ojson::value_t::string:
      return Value::Str(j.get<std::string>());
    case ojson::value_t::array: {
      List items;
      for (const auto& e : j) items.push_back(Convert(e));
      return Value::MakeList(std::move(items));
    }
    case ojson::value_t::object: {
      Dict d;
      for (auto it = j.begin(); it != j.end(); ++it)
        d.emplace_back(Value::Str(it.key()), Convert(it.value()));
      return Value::MakeDict(std::move(d));
    }
    default:
      return Value::None();
  }
}

}  // namespace

Result<Value> ParseJsonValue(const std::string& text) {
  ojson j = ojson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status(Code::kInvalidArgument, "not valid JSON");
  return Convert(j);
}

}  // namespace qw::tmpl
