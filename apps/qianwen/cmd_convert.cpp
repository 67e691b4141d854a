// qianwen convert HF_FOLDER OUT.gguf [--type f32|f16|bf16]
// qianwen quantize IN OUT.gguf TYPE       (IN: a Hugging Face folder or a GGUF file)
// Write GGUF files with llama.cpp's names, metadata and per-tensor type choices.

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "common.h"
#include "qianwen/engine/convert.h"

namespace qw::cli {

static int Write(const std::string& cmd, const std::string& in, const std::string& out,
                 const std::string& type, int threads) {
  auto t0 = std::chrono::steady_clock::now();
  Status s = engine::WriteGguf(in, out, type, threads);
  if (!s.ok()) {
    std::error_code ec;
    std::filesystem::remove(out, ec);  // never leave a half-written file behind
    return Fail(cmd, s, s.code() == Code::kInvalidArgument ? kExitUsage : kExitRuntime);
  }
  std::error_code ec;
  auto size = std::filesystem::file_size(out, ec);
  std::fprintf(stderr, "qianwen %s: wrote %s (%s, %.2f MiB) in %.1f s\n", cmd.c_str(), out.c_str(),
               type.c_str(), static_cast<double>(size) / 1048576.0,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  return 0;
}

int RunConvert(int argc, char** argv) {
  const std::string cmd = "convert";
  std::vector<FlagSpec> specs = {
      {"--type", "", true,
       "f32, f16 or bf16 for the matrices (default bf16); norms and biases stay f32"},
      {"--threads", "-t", true, "threads (default: all cores)"},
  };
  auto args = Args::Parse(cmd, specs, argc, argv, /*allow_positional=*/true);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  if (args->help()) {
    std::printf("%s", Usage(cmd, "HF_FOLDER OUT.gguf [--type f32|f16|bf16]", specs).c_str());
    return 0;
  }
  if (args->positional().size() != 2)
    return Fail(cmd, InvalidArgument("give HF_FOLDER and OUT.gguf"), kExitUsage);
  std::string type = args->Get("--type").value_or("bf16");
  if (type != "f32" && type != "f16" && type != "bf16") {
    return Fail(cmd,
                InvalidArgument("--type: '" + type +
                                "' is not one of f32, f16, bf16 (quantize for others)"),
                kExitUsage);
  }
  auto threads = args->Int("--threads", 0, 0, 1024);
  if (!threads.ok()) return Fail(cmd, threads.status(), kExitUsage);
  return Write(cmd, args->positional()[0], args->positional()[1], type, static_cast<int>(*threads));
}

int RunQuantize(int argc, char** argv) {
  const std::string cmd = "quantize";
  std::vector<FlagSpec> specs = {{"--threads", "-t", true, "threads (default: all cores)"}};
  auto args = Args::Parse(cmd, specs, argc, argv, /*allow_positional=*/true);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  if (args->help()) {
    std::printf(
        "%s",
        Usage(cmd, std::string("IN OUT.gguf TYPE    (TYPE: ") + engine::GgufTargetTypes() + ")",
              specs)
            .c_str());
    return 0;
  }
  if (args->positional().size() != 3)
    return Fail(cmd, InvalidArgument("give IN, OUT.gguf and TYPE"), kExitUsage);
  std::string type = args->positional()[2];
  for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto threads = args->Int("--threads", 0, 0, 1024);
  if (!threads.ok()) return Fail(cmd, threads.status(), kExitUsage);
  return Write(cmd, args->positional()[0], args->positional()[1], type, static_cast<int>(*threads));
}

}  // namespace qw::cli
