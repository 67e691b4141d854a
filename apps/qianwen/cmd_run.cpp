// qianwen run -m MODEL --ids 1,2,3 -n 16 [sampling flags] [--output ids]
// Generates from a prompt of token ids; timings go to stderr at the end.

#include <chrono>
#include <cstdio>

#include "commands.h"
#include "common.h"
#include "qianwen/engine/generate.h"
#include "qianwen/engine/sampling_defaults.h"
#include "qianwen/engine/text.h"
#include "qianwen/tokenizer/stream_decoder.h"

namespace qw::cli {

void AddSamplingFlags(std::vector<FlagSpec>* specs) {
  specs->push_back({"--greedy", "", false, "argmax decoding (same as --temp 0)"});
  specs->push_back({"--temp", "", true, "temperature (default from generation_config.json)"});
  specs->push_back({"--top-k", "", true, "top-k, 0 = off"});
  specs->push_back({"--top-p", "", true, "top-p, 1 = off"});
  specs->push_back({"--min-p", "", true, "min-p, 0 = off"});
  specs->push_back(
      {"--repeat-penalty", "", true, "repetition penalty (transformers' semantics), 1 = off"});
  specs->push_back(
      {"--presence-penalty", "", true, "presence penalty (OpenAI's semantics), 0 = off"});
  specs->push_back(
      {"--frequency-penalty", "", true, "frequency penalty (OpenAI's semantics), 0 = off"});
  specs->push_back({"--seed", "", true, "random seed, for reproducible sampling"});
}

Status ApplySamplingFlags(const Args& a, sampling::SamplingParams* p) {
  if (a.Has("--temp")) {
    QW_ASSIGN_OR_RETURN(double t, a.Number("--temp", 1.0, 0.0, 100.0));
    p->temperature = static_cast<float>(t);
    p->greedy = t == 0.0;
  }
  if (a.Has("--greedy")) p->greedy = true;
  QW_ASSIGN_OR_RETURN(int64_t k, a.Int("--top-k", p->top_k, 0, 1 << 30));
  p->top_k = static_cast<int32_t>(k);
  QW_ASSIGN_OR_RETURN(double tp, a.Number("--top-p", p->top_p, 0.0, 1.0));
  p->top_p = static_cast<float>(tp);
  QW_ASSIGN_OR_RETURN(double mp, a.Number("--min-p", p->min_p, 0.0, 1.0));
  p->min_p = static_cast<float>(mp);
  QW_ASSIGN_OR_RETURN(double rp, a.Number("--repeat-penalty", p->repetition_penalty, 1e-3, 100.0));
  p->repetition_penalty = static_cast<float>(rp);
  QW_ASSIGN_OR_RETURN(double pp, a.Number("--presence-penalty", p->presence_penalty, -2.0, 2.0));
  p->presence_penalty = static_cast<float>(pp);
  QW_ASSIGN_OR_RETURN(double fp, a.Number("--frequency-penalty", p->frequency_penalty, -2.0, 2.0));
  p->frequency_penalty = static_cast<float>(fp);
  if (a.Has("--seed")) {
    QW_ASSIGN_OR_RETURN(int64_t seed, a.Int("--seed", 0, 0, INT64_MAX));
    p->seed = static_cast<uint64_t>(seed);
  } else {
    p->seed = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
  return OkStatus();
}

int RunGenerate(int argc, char** argv) {
  const std::string cmd = "run";
  std::vector<FlagSpec> specs;
  AddModelFlags(&specs);
  specs.push_back({"--ids", "", true, "prompt token ids, comma-separated"});
  specs.push_back({"--prompt", "-p", true, "prompt text (needs the tokenizer)"});
  specs.push_back({"--n-predict", "-n", true, "tokens to generate (default 16)"});
  specs.push_back(
      {"--output", "", true, "ids (default): generated ids, comma-separated, on one line"});
  specs.push_back({"--greedy", "", false, "argmax decoding (same as --temp 0)"});
  specs.push_back({"--temp", "", true, "temperature (default from generation_config.json)"});
  specs.push_back({"--top-k", "", true, "top-k, 0 = off"});
  specs.push_back({"--top-p", "", true, "top-p, 1 = off"});
  specs.push_back({"--min-p", "", true, "min-p, 0 = off"});
  specs.push_back(
      {"--repeat-penalty", "", true, "repetition penalty (transformers' semantics), 1 = off"});
  specs.push_back(
      {"--presence-penalty", "", true, "presence penalty (OpenAI's semantics), 0 = off"});
  specs.push_back(
      {"--frequency-penalty", "", true, "frequency penalty (OpenAI's semantics), 0 = off"});
  specs.push_back({"--seed", "", true, "random seed, for reproducible sampling"});
  specs.push_back({"--ignore-eos", "", false, "do not stop at end-of-sequence tokens"});
  auto args = Args::Parse(cmd, specs, argc, argv);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  if (args->help()) {
    std::printf(
        "%s",
        Usage(cmd, "-m MODEL --ids 1,2,3 [-n 16] [sampling flags] [--output ids]", specs).c_str());
    return 0;
  }
  auto model_dir = args->Required("--model");
  if (!model_dir.ok()) return Fail(cmd, model_dir.status(), kExitUsage);
  if (args->Has("--prompt") == args->Has("--ids")) {
    return Fail(cmd, InvalidArgument("give exactly one of --ids and --prompt"), kExitUsage);
  }
  std::vector<int32_t> ids;
  if (args->Has("--ids")) {
    auto parsed = ParseIds(*args->Get("--ids"));
    if (!parsed.ok()) return Fail(cmd, parsed.status(), kExitUsage);
    ids = *parsed;
  }
  std::string output = args->Get("--output").value_or(args->Has("--prompt") ? "text" : "ids");
  if (output != "ids" && output != "text") {
    return Fail(cmd, InvalidArgument("--output: '" + output + "' is not one of ids, text"),
                kExitUsage);
  }
  auto mode = ParseSpecialMode(*args);
  if (!mode.ok()) return Fail(cmd, mode.status(), kExitUsage);
  auto n_predict = args->Int("--n-predict", 16, 0, 1 << 24);
  if (!n_predict.ok()) return Fail(cmd, n_predict.status(), kExitUsage);
  auto opts = SessionOptionsFromArgs(*args);
  if (!opts.ok()) return Fail(cmd, opts.status(), kExitUsage);

  auto t_load = std::chrono::steady_clock::now();
  auto how = FileLoadFromArgs(*args, opts->n_threads);
  if (!how.ok()) return Fail(cmd, how.status(), kExitUsage);
  auto model = model::Model::Load(*model_dir, *how);
  if (!model.ok()) return Fail(cmd, model.status(), kExitRuntime);
  sampling::SamplingParams params =
      engine::ParamsFromGenerationConfig((*model)->generation_config());
  Status st = ApplySamplingFlags(*args, &params);
  if (!st.ok()) return Fail(cmd, st, kExitUsage);
  std::unique_ptr<tokenizer::Tokenizer> tok;
  if (output == "text" || args->Has("--prompt")) {
    auto t = engine::LoadTokenizer(*model_dir, (*model)->gguf().get());
    if (!t.ok()) return Fail(cmd, t.status(), kExitRuntime);
    tok = std::move(*t);
  }
  if (args->Has("--prompt")) {
    auto enc = tok->Encode(*args->Get("--prompt"), *mode);
    if (!enc.ok()) return Fail(cmd, enc.status().WithContext("--prompt"), kExitUsage);
    ids = *enc;
    if (ids.empty()) return Fail(cmd, InvalidArgument("--prompt is empty"), kExitUsage);
  }
  engine::Session session(**model, *opts);
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();

  engine::GenerateOptions gopt;
  gopt.max_tokens = *n_predict;
  if (!args->Has("--ignore-eos")) {
    const auto& gen = (*model)->generation_config();
    gopt.stop_ids =
        gen && !gen->eos_token_ids.empty() ? gen->eos_token_ids : (*model)->config().eos_token_ids;
  }
  sampling::Sampler sampler(params);
  bool first = true;
  std::unique_ptr<tokenizer::StreamDecoder> dec;
  if (output == "text") dec = std::make_unique<tokenizer::StreamDecoder>(*tok);
  auto stats = engine::Generate(session, ids, sampler, gopt, [&](int32_t id) {
    if (dec) {
      std::string piece = dec->Push(id);
      std::fwrite(piece.data(), 1, piece.size(), stdout);
    } else {
      std::printf("%s%d", first ? "" : ",", id);
    }
    std::fflush(stdout);
    first = false;
  });
  if (dec) {
    std::string tail = dec->Finish();
    std::fwrite(tail.data(), 1, tail.size(), stdout);
  }
  std::printf("\n");
  if (!stats.ok()) return Fail(cmd, stats.status(), kExitRuntime);
  auto rate = [](int64_t n, double s) { return s > 0 ? static_cast<double>(n) / s : 0.0; };
  std::fprintf(stderr,
               "qianwen run: load %.3f s | prompt %lld tokens, %.2f tokens/s | generated %lld "
               "tokens, %.2f tokens/s (%lld decode steps) | %d threads, %s%s%s kernels\n",
               load_s, static_cast<long long>(stats->prompt_tokens),
               rate(stats->prompt_tokens, stats->prompt_seconds),
               static_cast<long long>(stats->generated_tokens),
               rate(stats->decode_steps, stats->generate_seconds),
               static_cast<long long>(stats->decode_steps), session.n_threads(),
               kernels::IsaName(opts->kernels.isa), opts->kernels.int8_activations ? "+int8" : "",
               opts->kernels.int16_decode ? "+q16" : "");
  return 0;
}

}  // namespace qw::cli
