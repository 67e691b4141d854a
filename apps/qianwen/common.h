#pragma once
// Pieces shared by the subcommands: error printing, model and session set-up.

#include <memory>
#include <string>

#include "args.h"
#include "qianwen/engine/session.h"
#include "qianwen/model/model.h"
#include "qianwen/sampling/params.h"
#include "qianwen/tokenizer/tokenizer.h"

namespace qw::cli {

constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

// Prints "qianwen CMD: message" on stderr and returns the exit code for the status.
int Fail(const std::string& command, const Status& status, int code);

inline constexpr const char* kInt8Help =
    "8-bit activations for quantized weights where the CPU has integer dot products, as "
    "llama.cpp does: faster prompts, logits a little further from float32 (default: float32)";

// Flags every model command takes: --model, --threads, --ctx-size, --int8.
void AddModelFlags(std::vector<FlagSpec>* specs);
Result<engine::SessionOptions> SessionOptionsFromArgs(const Args& args);

// --special parse|text (default parse).
Result<tokenizer::SpecialMode> ParseSpecialMode(const Args& args);
// Sampling flags shared by run and chat.
void AddSamplingFlags(std::vector<FlagSpec>* specs);
Status ApplySamplingFlags(const Args& a, sampling::SamplingParams* p);

}  // namespace qw::cli
