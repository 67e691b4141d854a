#pragma once
// A small command-line flag parser: declared flags only, one-line errors for anything else.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qianwen/core/status.h"

namespace qw::cli {

struct FlagSpec {
  std::string name;   // "--model"
  std::string alias;  // "-m" or ""
  bool takes_value;
  std::string help;
};

class Args {
 public:
  // Parses argv (after the command name). --help / -h sets help().
  static Result<Args> Parse(const std::string& command, const std::vector<FlagSpec>& specs,
                            int argc, char** argv, bool allow_positional = false);
  const std::vector<std::string>& positional() const { return positional_; }

  bool help() const { return help_; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;

  Result<std::string> Required(const std::string& name) const;
  Result<int64_t> Int(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  Result<double> Number(const std::string& name, double fallback, double min, double max) const;

 private:
  std::string command_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

std::string Usage(const std::string& command, const std::string& synopsis,
                  const std::vector<FlagSpec>& specs);

// "1,2,3" -> ids; every item must be an integer in [0, 2^31).
Result<std::vector<int32_t>> ParseIds(const std::string& text);

}  // namespace qw::cli
