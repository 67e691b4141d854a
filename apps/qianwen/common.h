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

inline constexpr const char* kF32DecodeHelp =
    "generation steps in float32 on CPUs without AVX-512 too (default there: 16-bit activations "
    "for quantized weights, ~1.5e-5 of each 32 values' largest, for speed)";

inline constexpr const char* kMmapHelp =
    "map the weight files instead of reading them (default: read into huge-page memory when the "
    "file takes at most half the available memory: generation up to 12-14 % faster, slower "
    "start)";
inline constexpr const char* kNoMmapHelp = "always read the weight files into memory";

// Flags every model command takes: --model, --threads, --ctx-size and the compute flags.
void AddModelFlags(std::vector<FlagSpec>* specs);
// --int8, --f32-decode, --mmap, --no-mmap (for commands with their own --model/--threads: bench,
// kld).
void AddComputeFlags(std::vector<FlagSpec>* specs);
// How to bring the weights into memory, from --mmap / --no-mmap; `threads` readers (0: one per
// core).
Result<FileLoad> FileLoadFromArgs(const Args& args, int threads);
Result<engine::SessionOptions> SessionOptionsFromArgs(const Args& args);

// --special parse|text (default parse).
Result<tokenizer::SpecialMode> ParseSpecialMode(const Args& args);
// Sampling flags shared by run and chat.
void AddSamplingFlags(std::vector<FlagSpec>* specs);
Status ApplySamplingFlags(const Args& a, sampling::SamplingParams* p);

}  // namespace qw::cli
