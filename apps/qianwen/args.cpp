#include "args.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace qw::cli {

Result<Args> Args::Parse(const std::string& command, const std::vector<FlagSpec>& specs, int argc,
                         char** argv, bool allow_positional) {
  Args a;
  a.command_ = command;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      a.help_ = true;
      continue;
    }
    std::string name = arg, value;
    bool inline_value = false;
    if (arg.rfind("--", 0) == 0) {
      auto eq = arg.find('=');
      if (eq != std::string::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        inline_value = true;
      }
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs)
      if (name == s.name || (!s.alias.empty() && name == s.alias)) spec = &s;
    if (spec == nullptr) {
      if (allow_positional && (arg.empty() || arg[0] != '-' || arg == "-")) {
        a.positional_.push_back(arg);
        continue;
      }
      if (arg.empty() || arg[0] != '-') {
        return InvalidArgument("unexpected argument '" + arg + "' (see qianwen " + command +
                               " --help)");
      }
      return InvalidArgument("unknown flag '" + name + "' (see qianwen " + command + " --help)");
    }
    if (spec->takes_value) {
      if (!inline_value) {
        if (i + 1 >= argc) return InvalidArgument("flag " + spec->name + " needs a value");
        value = argv[++i];
      }
    } else if (inline_value) {
      return InvalidArgument("flag " + spec->name + " takes no value");
    }
    a.values_[spec->name] = value;
  }
  return a;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<std::string> Args::Required(const std::string& name) const {
  auto v = Get(name);
  if (!v)
    return InvalidArgument("missing required flag " + name + " (see qianwen " + command_ +
                           " --help)");
  return *v;
}

Result<int64_t> Args::Int(const std::string& name, int64_t fallback, int64_t min,
                          int64_t max) const {
  auto v = Get(name);
  if (!v) return fallback;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || p != v->data() + v->size() || v->empty()) {
    return InvalidArgument(name + ": '" + *v + "' is not an integer");
  }
  if (out < min || out > max) {
    return InvalidArgument(name + ": " + *v + " is out of range [" + std::to_string(min) + ", " +
                           std::to_string(max) + "]");
  }
  return out;
}

Result<double> Args::Number(const std::string& name, double fallback, double min,
                            double max) const {
  auto v = Get(name);
  if (!v) return fallback;
  char* end = nullptr;
  double out = std::strtod(v->c_str(), &end);
  if (v->empty() || end != v->c_str() + v->size() || !std::isfinite(out)) {
    return InvalidArgument(name + ": '" + *v + "' is not a number");
  }
  if (out < min || out > max) {
    return InvalidArgument(name + ": " + *v + " is out of range [" + std::to_string(min) + ", " +
                           std::to_string(max) + "]");
  }
  return out;
}

std::string Usage(const std::string& command, const std::string& synopsis,
                  const std::vector<FlagSpec>& specs) {
  std::string s = "usage: qianwen " + command + " " + synopsis + "\n\nflags:\n";
  for (const auto& f : specs) {
    std::string left =
        "  " + (f.alias.empty() ? "" : f.alias + ", ") + f.name + (f.takes_value ? " V" : "");
    if (left.size() < 28)
      left.append(28 - left.size(), ' ');
    else
      left += "  ";
    s += left + f.help + "\n";
  }
  s += "  -h, --help                print this help\n";
  return s;
}

Result<std::vector<int32_t>> ParseIds(const std::string& text) {
  std::vector<int32_t> ids;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(',', i);
    if (j == std::string::npos) j = text.size();
    std::string item = text.substr(i, j - i);
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || p != item.data() + item.size() || v < 0 ||
        v > INT32_MAX) {
      return InvalidArgument("--ids: '" + item +
                             "' is not a token id (give comma-separated non-negative integers)");
    }
    ids.push_back(static_cast<int32_t>(v));
    i = j + 1;
  }
  return ids;
}

}  // namespace qw::cli
