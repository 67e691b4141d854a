// qianwen chat -m MODEL [--system TEXT] [--think|--no-think]
// Interactive multi-turn chat with the model's own template: one user turn per line (a
// terminal or a pipe), streamed replies, /clear and /exit, tokens/s after each reply on stderr.
// The KV cache keeps the prefix the new prompt shares with the previous turn.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "qianwen/engine/generate.h"
#include "qianwen/engine/sampling_defaults.h"
#include "qianwen/engine/text.h"
#include "qianwen/tokenizer/stream_decoder.h"

namespace qw::cli {

int RunChat(int argc, char** argv) {
  const std::string cmd = "chat";
  std::vector<FlagSpec> specs;
  AddModelFlags(&specs);
  specs.push_back({"--system", "", true, "system message"});
  specs.push_back({"--think", "", false, "enable_thinking=true for templates that have it"});
  specs.push_back({"--no-think", "", false, "enable_thinking=false"});
  specs.push_back(
      {"--chat-template", "", true, "a Jinja chat template file instead of the model's"});
  specs.push_back(
      {"--special", "", true,
       "how special-token literals typed in messages are read: text (default) or parse"});
  specs.push_back({"--n-predict", "-n", true, "largest reply in tokens (default 512)"});
  AddSamplingFlags(&specs);
  auto args = Args::Parse(cmd, specs, argc, argv);
  if (!args.ok()) return Fail(cmd, args.status(), kExitUsage);
  if (args->help()) {
    std::printf("%s", Usage(cmd, "-m MODEL [--system TEXT] [--think|--no-think]", specs).c_str());
    return 0;
  }
  auto dir = args->Required("--model");
  if (!dir.ok()) return Fail(cmd, dir.status(), kExitUsage);
  if (args->Has("--think") && args->Has("--no-think")) {
    return Fail(cmd, InvalidArgument("--think and --no-think exclude each other"), kExitUsage);
  }
  std::string special = args->Get("--special").value_or("text");
  if (special != "text" && special != "parse") {
    return Fail(cmd, InvalidArgument("--special: '" + special + "' is not one of text, parse"),
                kExitUsage);
  }
  auto n_predict = args->Int("--n-predict", 512, 1, 1 << 24);
  if (!n_predict.ok()) return Fail(cmd, n_predict.status(), kExitUsage);
  auto opts = SessionOptionsFromArgs(*args);
  if (!opts.ok()) return Fail(cmd, opts.status(), kExitUsage);

  auto how = FileLoadFromArgs(*args, opts->n_threads);
  if (!how.ok()) return Fail(cmd, how.status(), kExitUsage);
  auto model = model::Model::Load(*dir, *how);
  if (!model.ok()) return Fail(cmd, model.status(), kExitRuntime);
  auto tok = engine::LoadTokenizer(*dir, (*model)->gguf().get());
  if (!tok.ok()) return Fail(cmd, tok.status(), kExitRuntime);
  auto fmt = engine::ChatFormat::Load(*dir, args->Get("--chat-template").value_or(""),
                                      (*model)->gguf().get());
  if (!fmt.ok()) return Fail(cmd, fmt.status(), kExitRuntime);
  sampling::SamplingParams params =
      engine::ParamsFromGenerationConfig((*model)->generation_config());
  Status st = ApplySamplingFlags(*args, &params);
  if (!st.ok()) return Fail(cmd, st, kExitUsage);
  engine::Session session(**model, *opts);
  sampling::Sampler sampler(params);
  engine::GenerateOptions gopt;
  gopt.max_tokens = *n_predict;
  const auto& gen = (*model)->generation_config();
  gopt.stop_ids =
      gen && !gen->eos_token_ids.empty() ? gen->eos_token_ids : (*model)->config().eos_token_ids;

  const bool tty = isatty(STDIN_FILENO) != 0;
  tmpl::List history;
  auto add_system = [&] {
    if (auto sys = args->Get("--system")) {
      history.push_back(
          tmpl::Value::MakeDict({{tmpl::Value::Str("role"), tmpl::Value::Str("system")},
                                 {tmpl::Value::Str("content"), tmpl::Value::Str(*sys)}}));
    }
  };
  add_system();
  std::vector<int32_t> cached;  // the tokens the KV cache holds
  std::string line;
  while (true) {
    if (tty) {
      std::fprintf(stderr, "> ");
      std::fflush(stderr);
    }
    if (!std::getline(std::cin, line)) break;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "/exit" || line == "/quit") break;
    if (line == "/clear") {
      history.clear();
      add_system();
      session.Reset();
      cached.clear();
      if (tty) std::fprintf(stderr, "(conversation cleared)\n");
      continue;
    }
    if (line.empty()) continue;
    history.push_back(
        tmpl::Value::MakeDict({{tmpl::Value::Str("role"), tmpl::Value::Str("user")},
                               {tmpl::Value::Str("content"), tmpl::Value::Str(line)}}));
    tmpl::ChatInput in;
    in.messages = tmpl::Value::MakeList(history);
    in.add_generation_prompt = true;
    if (args->Has("--think")) in.kwargs.emplace_back("enable_thinking", tmpl::Value::Bool(true));
    if (args->Has("--no-think"))
      in.kwargs.emplace_back("enable_thinking", tmpl::Value::Bool(false));
    auto rendered = fmt->Render(in, special == "text" ? tok->get() : nullptr);
    if (!rendered.ok()) {
      Fail(cmd, rendered.status(), kExitRuntime);
      history.pop_back();
      continue;
    }
    auto ids =
        (*tok)->Encode(rendered->text, tokenizer::SpecialMode::kParse, rendered->protected_spans);
    if (!ids.ok()) {
      Fail(cmd, ids.status(), kExitRuntime);
      history.pop_back();
      continue;
    }
    // Reuse the cached prefix the new prompt shares with what the cache holds.
    size_t common = 0;
    while (common < cached.size() && common < ids->size() && cached[common] == (*ids)[common])
      ++common;
    if (common == ids->size()) --common;  // at least one token must be evaluated for logits
    session.Truncate(static_cast<int64_t>(common));
    std::vector<int32_t> fresh(ids->begin() + static_cast<long>(common), ids->end());
    tokenizer::StreamDecoder dec(**tok, /*skip_special=*/true);
    std::vector<int32_t> reply;
    auto stats = engine::Generate(session, fresh, sampler, gopt, [&](int32_t t) {
      reply.push_back(t);
      std::string piece = dec.Push(t);
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::fflush(stdout);
    });
    std::string tail = dec.Finish();
    std::fwrite(tail.data(), 1, tail.size(), stdout);
    std::printf("\n");
    std::fflush(stdout);
    if (!stats.ok()) {
      Fail(cmd, stats.status(), kExitRuntime);
      history.pop_back();
      session.Reset();
      cached.clear();
      continue;
    }
    cached.assign(ids->begin(), ids->end());
    cached.insert(cached.end(), reply.begin(), reply.end());
    // The last sampled token is never evaluated: the cache ends before it.
    cached.resize(static_cast<size_t>(
        std::min<int64_t>(static_cast<int64_t>(cached.size()), session.n_past())));
    history.push_back(tmpl::Value::MakeDict(
        {{tmpl::Value::Str("role"), tmpl::Value::Str("assistant")},
         {tmpl::Value::Str("content"), tmpl::Value::Str((*tok)->Decode(reply, true))}}));
    auto rate = [](int64_t n, double s) { return s > 0 ? static_cast<double>(n) / s : 0.0; };
    std::fprintf(stderr,
                 "[%lld prompt tokens (%lld reused), %.1f t/s | %lld generated, %.1f t/s]\n",
                 static_cast<long long>(ids->size()), static_cast<long long>(common),
                 rate(stats->prompt_tokens, stats->prompt_seconds),
                 static_cast<long long>(stats->generated_tokens),
                 rate(stats->decode_steps, stats->generate_seconds));
  }
  return 0;
}

}  // namespace qw::cli
