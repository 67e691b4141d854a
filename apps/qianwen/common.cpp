#include "common.h"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace qw::cli {

int Fail(const std::string& command, const Status& status, int code) {
  std::string msg = status.message();
  for (char& c : msg)
    if (c == '\n') c = ' ';
  std::fprintf(stderr, "qianwen %s: %s\n", command.c_str(), msg.c_str());
  return code;
}

void AddModelFlags(std::vector<FlagSpec>* specs) {
  specs->push_back({"--model", "-m", true, "model folder (Hugging Face layout)"});
  specs->push_back({"--threads", "-t", true, "threads (default: all cores)"});
  specs->push_back({"--ctx-size", "-c", true, "context size in tokens (default 4096)"});
  AddComputeFlags(specs);
}

void AddComputeFlags(std::vector<FlagSpec>* specs) {
  specs->push_back({"--int8", "", false, kInt8Help});
  specs->push_back({"--f32-decode", "", false, kF32DecodeHelp});
  specs->push_back({"--mmap", "", false, kMmapHelp});
  specs->push_back({"--no-mmap", "", false, kNoMmapHelp});
}

Result<FileLoad> FileLoadFromArgs(const Args& args, int threads) {
  FileLoad how;
  if (args.Has("--mmap") && args.Has("--no-mmap")) {
    return InvalidArgument("give at most one of --mmap and --no-mmap");
  }
  how.mode = args.Has("--mmap")      ? FileLoad::Mode::kMap
             : args.Has("--no-mmap") ? FileLoad::Mode::kRead
                                     : FileLoad::Mode::kAuto;
  how.threads =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return how;
}

Result<engine::SessionOptions> SessionOptionsFromArgs(const Args& args) {
  engine::SessionOptions o;
  QW_ASSIGN_OR_RETURN(int64_t threads, args.Int("--threads", 0, 0, 1024));
  QW_ASSIGN_OR_RETURN(o.n_ctx, args.Int("--ctx-size", 4096, 1, 1 << 24));
  o.n_threads = static_cast<int>(threads);
  QW_ASSIGN_OR_RETURN(
      o.kernels, kernels::MakeKernelTableFromEnv(args.Has("--int8"), args.Has("--f32-decode")));
  return o;
}

}  // namespace qw::cli
