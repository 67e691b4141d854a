// qianwen tokenize -m MODEL [--special parse|text] TEXT
// qianwen tokenize -m MODEL --jsonl IN [--special parse|text]
// The first prints the ids of TEXT comma-separated; the second reads JSON lines with a "text"
// field and writes {"ids": [...]} per line, in order.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "qianwen/engine/text.h"

namespace qw::cli {

Result<tokenizer::SpecialMode> ParseSpecialMode(const Args& a) {
  std::string m = a.Get("--special").value_or("parse");
  if (m == "parse") return tokenizer::SpecialMode::kParse;
  if (m == "text") return tokenizer::SpecialMode::kText;
  return InvalidArgument("--special: '" + m + "' is not one of parse, text");
}

int RunTokenize(int argc, char** argv) {
  const std::string cmd = "tokenize";
  std::vector<FlagSpec> specs = {
      {"--model", "-m", true, "model folder (its tokenizer.json)"},
      {"--special", "", true,
       "parse (default): special-token literals become their ids; text: plain text"},
      {"--jsonl", "", true, "read JSON lines with a \"text\" field from this file (- for stdin)"},
  };
  auto args = Args::Parse(cmd, specs, argc, argv, /*allow_positional=*/true);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  if (args->help()) {
    std::printf("%s",
                Usage(cmd, "-m MODEL [--special parse|text] (TEXT | --jsonl IN)", specs).c_str());
    return 0;
  }
  auto dir = args->Required("--model");
  if (!dir.ok()) return Fail(cmd, dir.status(), kExitUsage);
  auto mode = ParseSpecialMode(*args);
  if (!mode.ok()) return Fail(cmd, mode.status(), kExitUsage);
  const bool jsonl = args->Has("--jsonl");
  if (jsonl == !args->positional().empty() || args->positional().size() > 1) {
    return Fail(cmd, InvalidArgument("give either one TEXT argument or --jsonl IN"), kExitUsage);
  }
  auto tok = engine::LoadTokenizer(*dir);
  if (!tok.ok()) return Fail(cmd, tok.status(), kExitRuntime);
  if (!jsonl) {
    auto ids = (*tok)->Encode(args->positional()[0], *mode);
    if (!ids.ok()) return Fail(cmd, ids.status(), kExitUsage);
    for (size_t i = 0; i < ids->size(); ++i) std::printf("%s%d", i ? "," : "", (*ids)[i]);
    std::printf("\n");
    return 0;
  }
  std::ifstream file;
  const std::string path = *args->Get("--jsonl");
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return Fail(cmd, NotFound(path + ": cannot open"), kExitRuntime);
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::string line;
  int64_t n = 0, bad = 0;
  while (std::getline(in, line)) {
    ++n;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    nlohmann::json out;
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string()) {
      out["error"] =
          "line " + std::to_string(n) + ": expected a JSON object with a string \"text\"";
      ++bad;
    } else {
      auto ids = (*tok)->Encode(j["text"].get<std::string>(), *mode);
      if (ids.ok()) {
        out["ids"] = *ids;
      } else {
        out["error"] = "line " + std::to_string(n) + ": " + ids.status().message();
        ++bad;
      }
    }
    std::string s = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
  }
  if (bad)
    return Fail(
        cmd,
        InvalidArgument(std::to_string(bad) + " of " + std::to_string(n) + " lines had errors"),
        kExitRuntime);
  return 0;
}

}  // namespace qw::cli
