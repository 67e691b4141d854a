// The qianwen command line as a user runs it: outputs, exit codes and one-line errors.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "qianwen/kernels/kernel_table.h"
#include "test_util.h"

namespace qw {
namespace {

using json = nlohmann::json;

struct Output {
  int code;
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Output Qianwen(const std::string& args) {
  test::TempDir tmp;
  std::string cmd = test::QianwenBinary() + " " + args + " >" + (tmp / "out") + " 2>" +
                    (tmp / "err") + " </dev/null";
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(tmp / "out"), Slurp(tmp / "err")};
}

std::string Join(const std::vector<int>& ids) {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(ids[i]);
  }
  return s;
}

json Case(const std::string& model, const std::string& name) {
  std::ifstream in(test::GoldenDir(model) + "/manifest.json");
  json m = json::parse(in);
  for (const auto& c : m["cases"])
    if (c["name"] == name) return c;
  return {};
}

size_t Lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(Cli, LogitsWritesTheLastPositionAsNpy) {
  test::TempDir tmp;
  json c = Case("qwen3-tiny", "long");
  Output r = Qianwen("logits -m " + test::ModelDir("qwen3-tiny") + " --ids " + Join(c["ids"]) +
                     " --out " + (tmp / "l.npy"));
  ASSERT_EQ(r.code, 0) << r.err;
  std::string bytes = Slurp(tmp / "l.npy");
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_NE(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (151936,), }"),
            std::string::npos);
  auto ours = test::LoadNpy(tmp / "l.npy");
  auto golden = test::LoadNpy(test::GoldenDir("qwen3-tiny") + "/long.last_logits.npy");
  ASSERT_EQ(ours.shape, (std::vector<int64_t>{151936}));
  for (size_t i = 0; i < golden.f32.size(); ++i)
    ASSERT_NEAR(ours.f32[i], golden.f32[i], 2e-3f) << i;

  // --all: [n, vocab], whose last row is the plain output (to float32 summation-order noise: a
  // 41-token batch runs the blocked GEMM, a single position the matrix-vector kernel).
  r = Qianwen("logits -m " + test::ModelDir("qwen3-tiny") + " --ids " + Join(c["ids"]) +
              " --all --out " + (tmp / "a.npy"));
  ASSERT_EQ(r.code, 0) << r.err;
  auto all = test::LoadNpy(tmp / "a.npy");
  ASSERT_EQ(all.shape, (std::vector<int64_t>{41, 151936}));
  for (size_t i = 0; i < ours.f32.size(); ++i)
    ASSERT_NEAR(ours.f32[i], all.f32[40 * 151936 + i], 1e-4f) << i;

  // numpy reads what we write.
  std::string py = "/usr/bin/python3 -c \"import numpy as n; a=n.load('" + (tmp / "a.npy") +
                   "'); assert a.dtype=='<f4' and a.shape==(41,151936), a.shape\"";
  EXPECT_EQ(std::system(py.c_str()), 0);
}

// --int8: 8-bit activations for quantized weights (here llama.cpp's Q8_0 of qwen2-tiny): close
// to the float32 default but not equal, and named in the run summary and the bench table.
// `bench -o json` prints llama-bench's array: one object per test with its field names, the
// repetitions' samples, and how the weights were loaded.
TEST(Cli, BenchJsonHasLlamaBenchFields) {
  const std::string gguf = test::Fixtures() + "/gguf/qwen2-tiny-Q8_0.gguf";
  for (const std::string load : {"--mmap", "--no-mmap"}) {
    SCOPED_TRACE(load);
    Output b = Qianwen("bench -m " + gguf + " -p 8 -n 3 -r 2 -t 2 -o json " + load);
    ASSERT_EQ(b.code, 0) << b.err;
    const json arr = json::parse(b.out);
    ASSERT_TRUE(arr.is_array());
    ASSERT_EQ(arr.size(), 2u);
    EXPECT_EQ(arr[0]["n_prompt"], 8);
    EXPECT_EQ(arr[0]["n_gen"], 0);
    EXPECT_EQ(arr[0]["n_ubatch"], 8);
    EXPECT_EQ(arr[1]["n_prompt"], 0);
    EXPECT_EQ(arr[1]["n_gen"], 3);
    for (const auto& t : arr) {
      EXPECT_EQ(t["n_threads"], 2);
      EXPECT_GT(t["avg_ts"].get<double>(), 0.0);
      EXPECT_GE(t["stddev_ts"].get<double>(), 0.0);
      EXPECT_EQ(t["samples_ts"].size(), 2u);
      EXPECT_EQ(t["samples_ns"].size(), 2u);
      EXPECT_EQ(t["use_mmap"], load == "--mmap");
      EXPECT_EQ(t["load_mode"], load == "--mmap" ? "mmap" : "read");
      EXPECT_GT(t["model_size"].get<int64_t>(), 0);
      EXPECT_GT(t["peak_rss_bytes"].get<int64_t>(), 0);
    }
  }
}

// `bench --profile` times every weight matrix product of the timed repetitions (not the
// warm-up): qwen2-tiny has per layer q and o (64 x 64), k and v (32 x 64), gate and up
// (128 x 64) and down (64 x 128), two layers, and its tied table (151,936 x 64) makes the logits
// of the last token of each evaluation.
TEST(Cli, BenchProfileCountsEveryWeightProduct) {
  const std::string gguf = test::Fixtures() + "/gguf/qwen2-tiny-Q8_0.gguf";
  Output b = Qianwen("bench -m " + gguf + " -p 8 -n 3 -r 2 -t 2 -o json --profile");
  ASSERT_EQ(b.code, 0) << b.err;
  const json arr = json::parse(b.out);
  ASSERT_EQ(arr.size(), 2u);
  struct Want {
    int64_t rows, k, per_eval;  // calls per evaluation (a prompt or one generated token)
  };
  const std::vector<Want> want = {
      {64, 64, 4}, {32, 64, 4}, {128, 64, 4}, {64, 128, 2}, {151936, 64, 1}};
  for (const auto& t : arr) {
    const int64_t n_prompt = t["n_prompt"], n_gen = t["n_gen"];
    SCOPED_TRACE(n_prompt > 0 ? "pp8" : "tg3");
    const int64_t evals = 2 * (n_prompt > 0 ? 1 : n_gen);  // two timed repetitions
    const auto& prof = t["qianwen_profile"];
    ASSERT_EQ(prof.size(), want.size()) << prof.dump();
    double seconds = 0;
    for (const Want& w : want) {
      bool found = false;
      for (const auto& e : prof) {
        if (e["rows"] != w.rows || e["k"] != w.k) continue;
        found = true;
        EXPECT_EQ(e["type"], "Q8_0");
        EXPECT_EQ(e["calls"], w.per_eval * evals) << e.dump();
        // Every layer product takes all the evaluation's tokens; the logits only the last.
        const int64_t tokens_per_call = n_prompt > 0 && w.rows != 151936 ? n_prompt : 1;
        EXPECT_EQ(e["tokens"], w.per_eval * evals * tokens_per_call) << e.dump();
        EXPECT_EQ(e["weight_bytes"], w.rows * w.k / 32 * 34);
        EXPECT_GT(e["seconds"].get<double>(), 0.0);
        EXPECT_GT(e[n_prompt > 0 ? "gflops" : "gbps"].get<double>(), 0.0);
        seconds += e["seconds"].get<double>();
      }
      EXPECT_TRUE(found) << w.rows << " x " << w.k << " missing: " << prof.dump();
    }
    double total = 0;
    for (const auto& ns : t["samples_ns"]) total += ns.get<double>() * 1e-9;
    EXPECT_LE(seconds, total);
  }
  // The table form names each test and ends with the products' share of the time.
  Output md = Qianwen("bench -m " + gguf + " -p 0 -n 2 -r 1 -t 1 --profile");
  ASSERT_EQ(md.code, 0) << md.err;
  EXPECT_NE(md.out.find("weight products of tg2 (threads: 1, timed runs: 1)"), std::string::npos)
      << md.out;
  EXPECT_NE(md.out.find("| Q8_0   | 151936 x 64     |           1.00 |"), std::string::npos)
      << md.out;
  EXPECT_NE(md.out.find("all weight products: "), std::string::npos) << md.out;
}

TEST(Cli, Int8ActivationsAreOptIn) {
  test::TempDir tmp;
  json c = Case("qwen2-tiny", "long");
  const std::string gguf = test::Fixtures() + "/gguf/qwen2-tiny-Q8_0.gguf";
  Output a =
      Qianwen("logits -m " + gguf + " --ids " + Join(c["ids"]) + " --out " + (tmp / "a.npy"));
  Output b = Qianwen("logits -m " + gguf + " --ids " + Join(c["ids"]) + " --int8 --out " +
                     (tmp / "b.npy"));
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err;
  auto fa = test::LoadNpy(tmp / "a.npy"), fb = test::LoadNpy(tmp / "b.npy");
  ASSERT_EQ(fa.f32.size(), fb.f32.size());
  float diff = 0, scale = 0;
  for (size_t i = 0; i < fa.f32.size(); ++i) {
    diff = std::max(diff, std::fabs(fa.f32[i] - fb.f32[i]));
    scale = std::max(scale, std::fabs(fa.f32[i]));
  }
  Output r = Qianwen("run -m " + gguf + " --ids " + Join(c["ids"]) + " -n 2 --greedy --int8");
  ASSERT_EQ(r.code, 0) << r.err;
  Output bench = Qianwen("bench -m " + gguf + " -p 8 -n 2 -r 1 --int8");
  ASSERT_EQ(bench.code, 0) << bench.err;
  EXPECT_LT(diff, 0.05f * scale);
  if (r.err.find("scalar kernels") != std::string::npos) {
    GTEST_SKIP() << "scalar kernels (no AVX2, or QW_ISA): no int8 path";
  }
  EXPECT_NE(r.err.find("+int8 kernels"), std::string::npos) << r.err;
  EXPECT_NE(bench.out.find("+int8"), std::string::npos) << bench.out;
  // A 41-token prompt takes the 8-bit path with AVX-512 VNNI (AVX2: Q8_0 prompts stay float32).
  if (r.err.find("avx512+int8") != std::string::npos && kernels::HasAvx512Vnni()) {
    EXPECT_GT(diff, 0.0f);
  }
}

// 16-bit activations for generation steps: on by default on AVX2 tables (named "+q16" in the
// run summary and the bench table), never on AVX-512 or scalar ones; --f32-decode turns them off.
TEST(Cli, F32DecodeTurnsOffSixteenBitSteps) {
  const std::string gguf = test::Fixtures() + "/gguf/qwen2-tiny-Q8_0.gguf";
  Output d = Qianwen("run -m " + gguf + " --ids 9707,11 -n 3 --greedy");
  Output f = Qianwen("run -m " + gguf + " --ids 9707,11 -n 3 --greedy --f32-decode");
  Output bench = Qianwen("bench -m " + gguf + " -p 8 -n 2 -r 1 --f32-decode");
  ASSERT_EQ(d.code, 0) << d.err;
  ASSERT_EQ(f.code, 0) << f.err;
  ASSERT_EQ(bench.code, 0) << bench.err;
  EXPECT_EQ(f.err.find("+q16"), std::string::npos) << f.err;
  EXPECT_EQ(bench.out.find("+q16"), std::string::npos) << bench.out;
  EXPECT_NE(f.err.find(" kernels"), std::string::npos) << f.err;
  const bool avx2 = d.err.find("avx2") != std::string::npos;
  EXPECT_EQ(d.err.find("avx2+q16 kernels") != std::string::npos, avx2) << d.err;
  if (!avx2) GTEST_SKIP() << "no AVX2 table here (scalar or AVX-512): no 16-bit steps to turn off";
}

TEST(Cli, RunOutputIdsIsTheGreedyContinuation) {
  for (const char* model : {"qwen2-tiny", "qwen3-tiny"}) {
    json c = Case(model, "code");
    // Plain greedy (the goldens' definition) needs the repetition penalty turned off ...
    Output r = Qianwen("run -m " + test::ModelDir(model) + " --ids " + Join(c["ids"]) +
                       " -n 16 --greedy --repeat-penalty 1 --output ids");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, Join(c["greedy"]["new_ids"]) + "\n");
    // ... because by default generation_config.json's repetition_penalty 1.05 applies, as in
    // transformers' generate(do_sample=False).
    Output p =
        Qianwen("run -m " + test::ModelDir(model) + " --ids " + Join(c["ids"]) + " -n 16 --greedy");
    ASSERT_EQ(p.code, 0) << p.err;
    EXPECT_EQ(p.out, Join(c["greedy_repetition_penalty_1.05"]["new_ids"]) + "\n");
    EXPECT_NE(r.err.find("prompt 23 tokens"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("generated 16 tokens"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("tokens/s"), std::string::npos);
    EXPECT_NE(r.err.find("load "), std::string::npos);
    // --temp 0 is greedy too.
    Output t =
        Qianwen("run -m " + test::ModelDir(model) + " --ids " + Join(c["ids"]) + " -n 16 --temp 0");
    EXPECT_EQ(t.out, p.out);
  }
}

TEST(Cli, SamplingIsReproducibleWithASeed) {
  std::string base = "run -m " + test::ModelDir("qwen3-tiny") +
                     " --ids 9707 -n 24 --temp 1.5 --top-k 0 --top-p 1 --seed ";
  Output a = Qianwen(base + "7"), b = Qianwen(base + "7"), c = Qianwen(base + "8");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out, c.out);
  EXPECT_EQ(Lines(a.out), 1u);
}

TEST(Cli, BadInputGivesOneLineAndNonZeroExit) {
  const std::string m = " -m " + test::ModelDir("qwen2-tiny");
  struct Bad {
    std::string args;
    int code;
    std::string message;
  };
  const Bad cases[] = {
      {"frobnicate", 2, "unknown command 'frobnicate'"},
      {"run" + m + " --ids 1 --bogus", 2, "unknown flag '--bogus'"},
      {"run" + m + " --ids 1 -n abc", 2, "--n-predict: 'abc' is not an integer"},
      {"run" + m + " --ids 1 -n -4", 2, "--n-predict: -4 is out of range"},
      {"run" + m + " --ids 1,x,3", 2, "--ids: 'x' is not a token id"},
      {"run" + m + " --ids ''", 2, "--ids: '' is not a token id"},
      {"run" + m, 2, "give exactly one of --ids and --prompt"},
      {"run" + m + " --ids 1 -p hi", 2, "give exactly one of --ids and --prompt"},
      {"run --ids 1", 2, "missing required flag --model"},
      {"run" + m + " --ids 1 --temp hot", 2, "--temp: 'hot' is not a number"},
      {"run" + m + " --ids 1 --top-p 2", 2, "--top-p: 2 is out of range"},
      {"run" + m + " --ids 1 --output xml", 2, "--output: 'xml' is not one of ids, text"},
      {"run" + m + " --ids 1 -n", 2, "flag --n-predict needs a value"},
      {"run" + m + " --ids 151936", 1, "token id 151936 is out of range [0, 151936)"},
      {"run -m /nonexistent/model --ids 1", 1, "/nonexistent/model: no such model folder"},
      {"logits" + m + " --ids 1", 2, "missing required flag --out"},
      {"run" + m + " --ids 1 --mmap --no-mmap", 2, "give at most one of --mmap and --no-mmap"},
      {"logits" + m + " --ids 1 --out /nonexistent/dir/x.npy", 1,
       "/nonexistent/dir/x.npy: cannot open for writing"},
      {"logits -m " + test::Fixtures() + "/models --ids 1 --out x.npy", 1, "config.json"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args);
    Output r = Qianwen(c.args);
    EXPECT_EQ(r.code, c.code) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(Lines(r.err), 1u) << r.err;
  }
}

TEST(Cli, HelpForEveryCommand) {
  for (const char* cmd : {"run", "logits"}) {
    Output r = Qianwen(std::string(cmd) + " --help");
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find(std::string("usage: qianwen ") + cmd), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("--model"), std::string::npos);
  }
  Output r = Qianwen("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("commands:"), std::string::npos);
  EXPECT_EQ(Qianwen("").code, 2);
}

}  // namespace
}  // namespace qw
