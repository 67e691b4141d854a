// qianwen template (-m MODEL | --template FILE) --jsonl IN
// Renders JSON lines {"messages", "tools", "documents", "kwargs", "special_tokens"} with the chat
// template and writes {"rendered": "..."} or {"error": "..."} per line, in order.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "qianwen/engine/text.h"
#include "qianwen/template/json_value.h"

namespace qw::cli {

int RunTemplate(int argc, char** argv) {
  const std::string cmd = "template";
  std::vector<FlagSpec> specs = {
      {"--model", "-m", true,
       "model folder (tokenizer_config.json's chat_template and special tokens)"},
      {"--template", "", true, "a Jinja chat template file (instead of the model's)"},
      {"--jsonl", "", true, "JSON lines to render (- for stdin)"},
      {"--now", "", true,
       "the time strftime_now formats, ISO 8601 (default: now; a line's \"now\" wins)"},
  };
  auto args = Args::Parse(cmd, specs, argc, argv);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  if (args->help()) {
    std::printf("%s", Usage(cmd, "(-m MODEL | --template FILE) --jsonl IN", specs).c_str());
    return 0;
  }
  if (!args->Has("--model") && !args->Has("--template")) {
    return Fail(cmd, InvalidArgument("give -m MODEL or --template FILE"), kExitUsage);
  }
  auto path = args->Required("--jsonl");
  if (!path.ok()) return Fail(cmd, path.status(), kExitUsage);
  auto fmt = engine::ChatFormat::Load(args->Get("--model").value_or(""),
                                      args->Get("--template").value_or(""));
  if (!fmt.ok()) return Fail(cmd, fmt.status(), kExitRuntime);
  tmpl::RenderOptions opt;
  if (auto now = args->Get("--now")) {
    opt.now_iso = *now;
  } else {
    std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", std::localtime(&t));
    opt.now_iso = buf;
  }
  std::ifstream file;
  if (*path != "-") {
    file.open(*path, std::ios::binary);
    if (!file) return Fail(cmd, NotFound(*path + ": cannot open"), kExitRuntime);
  }
  std::istream& in = *path == "-" ? std::cin : file;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    nlohmann::json out;
    auto req = tmpl::ParseJsonValue(line);
    Result<std::string> r =
        Status(Code::kInvalidArgument, "line " + std::to_string(n) + ": not valid JSON");
    if (req.ok()) {
      auto input = tmpl::ChatInputFromJson(*req);
      if (!input.ok()) {
        r = input.status();
      } else {
        if (!input->has_special_tokens) input->special_tokens = fmt->special_tokens();
        tmpl::RenderOptions line_opt = opt;
        if (const tmpl::Value* now = req->Find("now"); now && now->is_string())
          line_opt.now_iso = now->str();
        r = tmpl::RenderChat(fmt->tmpl(), *input, line_opt);
      }
    }
    if (r.ok())
      out["rendered"] = *r;
    else
      out["error"] = r.status().message();
    std::string s = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fwrite(s.data(), 1, s.size(), stdout);
    std::fputc('\n', stdout);
  }
  return 0;
}

}  // namespace qw::cli
