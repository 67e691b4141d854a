// qianwen kld -m MODEL --ref REF_MODEL (--ids "1,2,3;4,5" | --text-file FILE)
// KL divergence of MODEL's next-token distributions from REF_MODEL's at every position of the
// given sequences (one per ';', or one per line of FILE, tokenized with REF_MODEL's tokenizer).

#include <cstdio>
#include <fstream>

#include "commands.h"
#include "common.h"
#include "qianwen/engine/kld.h"
#include "qianwen/engine/text.h"

namespace qw::cli {

int RunKld(int argc, char** argv) {
  const std::string cmd = "kld";
  std::vector<FlagSpec> specs = {
      {"--model", "-m", true, "the model to measure (folder or GGUF)"},
      {"--ref", "", true, "the reference model (folder or GGUF)"},
      {"--ids", "", true, "token sequences: comma-separated ids, sequences separated by ';'"},
      {"--text-file", "", true, "a text file, one sequence per non-empty line"},
      {"--threads", "-t", true, "threads (default: all cores)"},
  };
  AddComputeFlags(&specs);
  auto args = Args::Parse(cmd, specs, argc, argv);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  if (args->help()) {
    std::printf(
        "%s",
        Usage(cmd, "-m MODEL --ref REF (--ids \"1,2;3,4\" | --text-file FILE)", specs).c_str());
    return 0;
  }
  auto mp = args->Required("--model");
  auto rp = args->Required("--ref");
  if (!mp.ok()) return Fail(cmd, mp.status(), kExitUsage);
  if (!rp.ok()) return Fail(cmd, rp.status(), kExitUsage);
  if (args->Has("--ids") == args->Has("--text-file")) {
    return Fail(cmd, InvalidArgument("give exactly one of --ids and --text-file"), kExitUsage);
  }
  auto opts = SessionOptionsFromArgs(*args);
  if (!opts.ok()) return Fail(cmd, opts.status(), kExitUsage);
  std::vector<std::vector<int32_t>> seqs;
  if (auto ids = args->Get("--ids")) {
    size_t pos = 0;
    while (pos <= ids->size()) {
      size_t semi = ids->find(';', pos);
      std::string part =
          ids->substr(pos, semi == std::string::npos ? std::string::npos : semi - pos);
      auto parsed = ParseIds(part);
      if (!parsed.ok()) return Fail(cmd, parsed.status(), kExitUsage);
      seqs.push_back(*parsed);
      if (semi == std::string::npos) break;
      pos = semi + 1;
    }
  } else {
    auto tok = engine::LoadTokenizer(*rp);
    if (!tok.ok()) return Fail(cmd, tok.status(), kExitRuntime);
    std::ifstream in(*args->Get("--text-file"));
    if (!in) return Fail(cmd, NotFound(*args->Get("--text-file") + ": cannot open"), kExitRuntime);
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      auto ids = (*tok)->Encode(line);
      if (!ids.ok()) return Fail(cmd, ids.status(), kExitRuntime);
      if (!ids->empty()) seqs.push_back(*ids);
    }
  }
  auto how = FileLoadFromArgs(*args, opts->n_threads);
  if (!how.ok()) return Fail(cmd, how.status(), kExitUsage);
  auto m = model::Model::Load(*mp, *how);
  if (!m.ok()) return Fail(cmd, m.status(), kExitRuntime);
  auto r = model::Model::Load(*rp, *how);
  if (!r.ok()) return Fail(cmd, r.status(), kExitRuntime);
  auto st = engine::CompareModels(**m, **r, seqs, *opts);
  if (!st.ok()) return Fail(cmd, st.status(), kExitRuntime);
  std::printf(
      "positions %lld\nKLD mean %.6f\nKLD median %.6f\nKLD p99 %.6f\nKLD max %.6f\ntop-1 agree "
      "%.2f%%\nmax abs logit diff %.4f\n",
      static_cast<long long>(st->positions), st->mean, st->median, st->p99, st->max,
      100.0 * st->top1_agree, st->max_abs_logit_diff);
  return 0;
}

}  // namespace qw::cli
