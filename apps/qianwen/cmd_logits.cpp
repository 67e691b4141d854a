// qianwen logits -m MODEL --ids 1,2,3 [--all] --out FILE.npy
// Writes the logits of the last position ([vocab]) or of every position ([n, vocab]) as a
// little-endian float32 .npy. Other tools verify the engine through this: keep it stable.

#include <cstdio>

#include "commands.h"
#include "common.h"
#include "qianwen/io/npy.h"

namespace qw::cli {

int RunLogits(int argc, char** argv) {
  const std::string cmd = "logits";
  std::vector<FlagSpec> specs;
  AddModelFlags(&specs);
  specs.push_back({"--ids", "", true, "prompt token ids, comma-separated"});
  specs.push_back({"--all", "", false, "logits of every position, not only the last"});
  specs.push_back({"--out", "-o", true, "output .npy file"});
  auto args = Args::Parse(cmd, specs, argc, argv);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  if (args->help()) {
    std::printf("%s", Usage(cmd, "-m MODEL --ids 1,2,3 [--all] --out FILE.npy", specs).c_str());
    return 0;
  }
  auto model_dir = args->Required("--model");
  if (!model_dir.ok()) return Fail(cmd, model_dir.status(), kExitUsage);
  auto ids_text = args->Required("--ids");
  if (!ids_text.ok()) return Fail(cmd, ids_text.status(), kExitUsage);
  auto out = args->Required("--out");
  if (!out.ok()) return Fail(cmd, out.status(), kExitUsage);
  auto ids = ParseIds(*ids_text);
  if (!ids.ok()) return Fail(cmd, ids.status(), kExitUsage);
  auto opts = SessionOptionsFromArgs(*args);
  if (!opts.ok()) return Fail(cmd, opts.status(), kExitUsage);
  if (!args->Has("--ctx-size")) opts->n_ctx = static_cast<int64_t>(ids->size());

  auto how = FileLoadFromArgs(*args, opts->n_threads);
  if (!how.ok()) return Fail(cmd, how.status(), kExitUsage);
  auto model = model::Model::Load(*model_dir, *how);
  if (!model.ok()) return Fail(cmd, model.status(), kExitRuntime);
  engine::Session session(**model, *opts);
  const bool all = args->Has("--all");
  auto logits = session.Eval(*ids, all);
  if (!logits.ok()) return Fail(cmd, logits.status(), kExitRuntime);
  const int64_t vocab = (*model)->config().vocab_size;
  std::vector<int64_t> shape = all ? std::vector<int64_t>{static_cast<int64_t>(ids->size()), vocab}
                                   : std::vector<int64_t>{vocab};
  Status st = io::WriteNpyF32(*out, *logits, shape);
  if (!st.ok()) return Fail(cmd, st, kExitRuntime);
  return 0;
}

}  // namespace qw::cli
