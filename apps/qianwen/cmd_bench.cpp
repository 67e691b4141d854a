// qianwen bench -m MODEL [-p 512] [-n 128] [-r 5] [-t 2] [-o md|json] [--profile]
// Prompt processing (ppN: N tokens in one batch) and generation (tgN: N single-token steps)
// speed, as llama-bench measures them: random tokens, tokenization and sampling excluded, one
// warm-up run, mean and standard deviation over repetitions. -o json prints llama-bench's field
// names so tools that read its output read ours. --profile adds, per test, the time of each
// weight matrix product (model/linear_profile.h) over the timed repetitions.

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "commands.h"
#include "common.h"

namespace qw::cli {
namespace {

struct Test {
  int64_t n_prompt = 0, n_gen = 0;
  int threads = 0;
  std::vector<double> samples_ns;
  model::LinearProfile profile;  // with --profile
};

// One row per weight matrix shape: calls per timed token (generation) or per prompt, time per
// call, its share of the test's time, and the rate: bytes of the matrix per second for
// generation steps, multiply-adds x 2 per second for prompts.
struct ProfileRow {
  const model::LinearProfile::Entry* e;
  double calls_per_unit, us_per_call, share, rate;
};

std::vector<ProfileRow> ProfileRows(const Test& t) {
  double total_s = 0;
  for (double ns : t.samples_ns) total_s += ns * 1e-9;
  const double units =
      static_cast<double>(t.samples_ns.size()) * static_cast<double>(t.n_prompt > 0 ? 1 : t.n_gen);
  std::vector<ProfileRow> rows;
  for (const auto& e : t.profile.entries) {
    const double calls = static_cast<double>(e.calls);
    const double rate = t.n_prompt > 0
                            ? 2.0 * static_cast<double>(e.rows) * static_cast<double>(e.k) *
                                  static_cast<double>(e.tokens) / e.seconds * 1e-9
                            : static_cast<double>(e.weight_bytes) * calls / e.seconds * 1e-9;
    rows.push_back(
        {&e, calls / units, e.seconds * 1e6 / calls, total_s > 0 ? e.seconds / total_s : 0, rate});
  }
  return rows;
}

Result<std::vector<int64_t>> IntList(const Args& a, const std::string& flag, int64_t dflt,
                                     int64_t lo, int64_t hi) {
  auto v = a.Get(flag);
  if (!v) return std::vector<int64_t>{dflt};
  std::vector<int64_t> out;
  size_t pos = 0;
  while (pos <= v->size()) {
    size_t c = v->find(',', pos);
    std::string item = v->substr(pos, c == std::string::npos ? std::string::npos : c - pos);
    char* end = nullptr;
    long long x = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || x < lo || x > hi) {
      return InvalidArgument(flag + ": '" + item + "' is not an integer in [" + std::to_string(lo) +
                             ", " + std::to_string(hi) + "]");
    }
    out.push_back(x);
    if (c == std::string::npos) break;
    pos = c + 1;
  }
  return out;
}

std::string FileTypeName(const model::Model& m) {
  if (m.gguf()) {
    static const std::map<int64_t, std::string> kNames = {
        {0, "all F32"},        {1, "F16"},
        {2, "Q4_0"},           {3, "Q4_1"},
        {7, "Q8_0"},           {8, "Q5_0"},
        {9, "Q5_1"},           {10, "Q2_K - Medium"},
        {11, "Q3_K - Small"},  {12, "Q3_K - Medium"},
        {13, "Q3_K - Large"},  {14, "Q4_K - Small"},
        {15, "Q4_K - Medium"}, {16, "Q5_K - Small"},
        {17, "Q5_K - Medium"}, {18, "Q6_K"},
        {32, "BF16"}};
    if (auto ft = m.gguf()->GetInt("general.file_type"); ft.ok() && kNames.count(*ft))
      return kNames.at(*ft);
  }
  return std::string(DTypeName(m.weights().layers.at(0).wq.dtype));
}

}  // namespace

int RunBench(int argc, char** argv) {
  const std::string cmd = "bench";
  std::vector<FlagSpec> specs = {
      {"--model", "-m", true, "model folder or GGUF file"},
      {"--n-prompt", "-p", true, "prompt lengths to test, comma-separated (default 512; 0 skips)"},
      {"--n-gen", "-n", true, "generation lengths to test, comma-separated (default 128; 0 skips)"},
      {"--repetitions", "-r", true, "repetitions of each test (default 5)"},
      {"--threads", "-t", true, "thread counts, comma-separated (default: all cores)"},
      {"--output", "-o", true, "md (default) or json"},
      {"--profile", "", false,
       "also time each weight matrix product: share of the time, GB/s of its bytes (generation) "
       "or GFLOP/s (prompts)"},
  };
  AddComputeFlags(&specs);
  auto args = Args::Parse(cmd, specs, argc, argv);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  const bool profile = args->Has("--profile");
  if (args->help()) {
    std::printf(
        "%s", Usage(cmd, "-m MODEL [-p 512] [-n 128] [-r 5] [-t 2] [-o md|json] [--profile]", specs)
                  .c_str());
    return 0;
  }
  auto path = args->Required("--model");
  if (!path.ok()) return Fail(cmd, path.status(), kExitUsage);
  auto pp = IntList(*args, "--n-prompt", 512, 0, 1 << 20);
  auto tg = IntList(*args, "--n-gen", 128, 0, 1 << 20);
  auto th = IntList(*args, "--threads", static_cast<int64_t>(std::thread::hardware_concurrency()),
                    1, 1024);
  auto reps = args->Int("--repetitions", 5, 1, 1000);
  for (const Status& s : {pp.status(), tg.status(), th.status(), reps.status()})
    if (!s.ok()) return Fail(cmd, s, kExitUsage);
  const std::string out_fmt = args->Get("--output").value_or("md");
  if (out_fmt != "md" && out_fmt != "json")
    return Fail(cmd, InvalidArgument("--output: '" + out_fmt + "' is not md or json"), kExitUsage);
  auto kt = kernels::MakeKernelTableFromEnv(args->Has("--int8"), args->Has("--f32-decode"));
  if (!kt.ok()) return Fail(cmd, kt.status(), kExitUsage);
  const std::string kernels_name = std::string(kernels::IsaName(kt->isa)) +
                                   (kt->int8_activations ? "+int8" : "") +
                                   (kt->int16_decode ? "+q16" : "");
  auto how = FileLoadFromArgs(*args, static_cast<int>(*std::max_element(th->begin(), th->end())));
  if (!how.ok()) return Fail(cmd, how.status(), kExitUsage);
  auto model = model::Model::Load(*path, *how);
  if (!model.ok()) return Fail(cmd, model.status(), kExitRuntime);
  const auto& cfg = (*model)->config();

  std::vector<Test> tests;
  for (int64_t t : *th) {
    for (int64_t p : *pp)
      if (p > 0) tests.push_back({p, 0, static_cast<int>(t), {}, {}});
    for (int64_t n : *tg)
      if (n > 0) tests.push_back({0, n, static_cast<int>(t), {}, {}});
  }
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> tok(
      0, static_cast<int32_t>(std::min<int64_t>(cfg.vocab_size, 151643) - 1));
  for (auto& test : tests) {
    engine::SessionOptions o;
    o.n_threads = test.threads;
    o.n_ctx = std::max<int64_t>(test.n_prompt + test.n_gen, 1);
    o.kernels = *kt;
    engine::Session s(**model, o);
    for (int64_t rep = -1; rep < *reps; ++rep) {  // rep -1 is the warm-up
      s.Reset();
      if (rep == 0 && profile) s.set_profile(&test.profile);
      auto t0 = std::chrono::steady_clock::now();
      if (test.n_prompt > 0) {
        std::vector<int32_t> ids(static_cast<size_t>(test.n_prompt));
        for (auto& x : ids) x = tok(rng);
        auto r = s.Eval(ids);
        if (!r.ok()) return Fail(cmd, r.status(), kExitRuntime);
      } else {
        for (int64_t i = 0; i < test.n_gen; ++i) {
          auto r = s.Eval({tok(rng)});
          if (!r.ok()) return Fail(cmd, r.status(), kExitRuntime);
        }
      }
      double ns =
          std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
      if (rep >= 0) test.samples_ns.push_back(ns);
    }
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  const double peak_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;
  const double size = static_cast<double>((*model)->weight_bytes());
  const double params = static_cast<double>((*model)->num_params());
  char type_buf[128];
  std::snprintf(type_buf, sizeof(type_buf), "%s %.1fB %s", cfg.model_type.c_str(), params / 1e9,
                FileTypeName(**model).c_str());
  const std::string model_type = type_buf;

  auto stats = [](const Test& t, double* avg_ts, double* sd_ts, double* avg_ns, double* sd_ns) {
    const double n = static_cast<double>(t.n_prompt + t.n_gen);
    std::vector<double> ts;
    for (double ns : t.samples_ns) ts.push_back(n / (ns * 1e-9));
    auto mean_sd = [](const std::vector<double>& v, double* m, double* sd) {
      double s = 0;
      for (double x : v) s += x;
      *m = s / static_cast<double>(v.size());
      double q = 0;
      for (double x : v) q += (x - *m) * (x - *m);
      *sd = v.size() > 1 ? std::sqrt(q / static_cast<double>(v.size() - 1)) : 0.0;
    };
    mean_sd(ts, avg_ts, sd_ts);
    mean_sd(t.samples_ns, avg_ns, sd_ns);
  };

  if (out_fmt == "json") {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    char now[32];
    std::time_t tt = std::time(nullptr);
    std::strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&tt));
    for (const auto& t : tests) {
      double avg_ts, sd_ts, avg_ns, sd_ns;
      stats(t, &avg_ts, &sd_ts, &avg_ns, &sd_ns);
      nlohmann::ordered_json j;
      j["build_commit"] = "qianwen";
      j["build_number"] = 0;
      j["cpu_info"] = "";
      j["gpu_info"] = "";
      j["backends"] = "CPU";
      j["model_filename"] = *path;
      j["model_type"] = model_type;
      j["model_size"] = static_cast<int64_t>(size);
      j["model_n_params"] = static_cast<int64_t>(params);
      j["n_batch"] = t.n_prompt > 0 ? t.n_prompt : 1;
      j["n_ubatch"] =
          t.n_prompt > 0 ? std::min<int64_t>(t.n_prompt, engine::SessionOptions{}.n_ubatch) : 1;
      j["n_threads"] = t.threads;
      j["type_k"] = "f32";
      j["type_v"] = "f32";
      j["kernels"] = kernels_name;
      j["load_mode"] = (*model)->load_mode() == FileLoad::Mode::kRead ? "read" : "mmap";
      j["use_mmap"] = (*model)->load_mode() != FileLoad::Mode::kRead;
      j["n_prompt"] = t.n_prompt;
      j["n_gen"] = t.n_gen;
      j["n_depth"] = 0;
      j["test_time"] = now;
      j["avg_ns"] = static_cast<int64_t>(avg_ns);
      j["stddev_ns"] = static_cast<int64_t>(sd_ns);
      j["avg_ts"] = avg_ts;
      j["stddev_ts"] = sd_ts;
      std::vector<int64_t> sns;
      std::vector<double> sts;
      for (double ns : t.samples_ns) {
        sns.push_back(static_cast<int64_t>(ns));
        sts.push_back(static_cast<double>(t.n_prompt + t.n_gen) / (ns * 1e-9));
      }
      j["samples_ns"] = sns;
      j["samples_ts"] = sts;
      j["peak_rss_bytes"] = static_cast<int64_t>(ru.ru_maxrss) * 1024;
      if (profile) {
        nlohmann::ordered_json prof = nlohmann::ordered_json::array();
        for (const ProfileRow& row : ProfileRows(t)) {
          nlohmann::ordered_json r;
          r["type"] = DTypeName(row.e->dtype);
          r["rows"] = row.e->rows;
          r["k"] = row.e->k;
          r["weight_bytes"] = static_cast<int64_t>(row.e->weight_bytes);
          r["calls"] = row.e->calls;
          r["tokens"] = row.e->tokens;
          r["seconds"] = row.e->seconds;
          r["share"] = row.share;
          r[t.n_prompt > 0 ? "gflops" : "gbps"] = row.rate;
          prof.push_back(r);
        }
        j["qianwen_profile"] = prof;
      }
      arr.push_back(j);
    }
    std::printf("%s\n", arr.dump(2).c_str());
    return 0;
  }
  std::printf("| %-30s | %10s | %10s | %-10s | %7s | %15s | %20s |\n", "model", "size", "params",
              "backend", "threads", "test", "t/s");
  std::printf("| %s | %s: | %s: | %s | %s: | %s: | %s: |\n", std::string(30, '-').c_str(),
              std::string(9, '-').c_str(), std::string(9, '-').c_str(),
              std::string(10, '-').c_str(), std::string(6, '-').c_str(),
              std::string(14, '-').c_str(), std::string(19, '-').c_str());
  for (const auto& t : tests) {
    double avg_ts, sd_ts, avg_ns, sd_ns;
    stats(t, &avg_ts, &sd_ts, &avg_ns, &sd_ns);
    char sz[32], pr[32], name[32], ts[48];
    std::snprintf(sz, sizeof(sz), "%.2f MiB", size / 1048576.0);
    std::snprintf(pr, sizeof(pr), "%.2f M", params / 1e6);
    std::snprintf(name, sizeof(name), "%s%lld", t.n_prompt ? "pp" : "tg",
                  static_cast<long long>(t.n_prompt + t.n_gen));
    std::snprintf(ts, sizeof(ts), "%.2f ± %.2f", avg_ts, sd_ts);
    std::printf("| %-30s | %10s | %10s | %-10s | %7d | %15s | %20s |\n", model_type.c_str(), sz, pr,
                ("CPU " + kernels_name).c_str(), t.threads, name, ts);
  }
  std::printf("\npeak memory: %.1f MiB (resident set)\n", peak_mib);
  if (profile) {
    for (const auto& t : tests) {
      const bool prompt = t.n_prompt > 0;
      std::printf("\nweight products of %s%lld (threads: %d, timed runs: %zu):\n\n",
                  prompt ? "pp" : "tg", static_cast<long long>(t.n_prompt + t.n_gen), t.threads,
                  t.samples_ns.size());
      std::printf("| %-6s | %-15s | %14s | %10s | %7s | %9s |\n", "type", "rows x k",
                  prompt ? "calls / prompt" : "calls / token", "us / call", "share",
                  prompt ? "GFLOP/s" : "GB/s");
      std::printf(
          "| ------ | --------------- | -------------: | ---------: | ------: | --------: |\n");
      double share = 0;
      for (const ProfileRow& r : ProfileRows(t)) {
        const std::string shape = std::to_string(r.e->rows) + " x " + std::to_string(r.e->k);
        std::printf("| %-6s | %-15s | %14.2f | %10.2f | %6.1f%% | %9.2f |\n",
                    std::string(DTypeName(r.e->dtype)).c_str(), shape.c_str(), r.calls_per_unit,
                    r.us_per_call, 100 * r.share, r.rate);
        share += r.share;
      }
      std::printf("\nall weight products: %.1f%% of the time\n", 100 * share);
    }
  }
  return 0;
}

}  // namespace qw::cli
