// qianwen: run Qwen models on your own machine.

#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"

namespace {

const char kUsage[] =
    "usage: qianwen COMMAND [flags]\n"
    "\n"
    "commands:\n"
    "  run       generate from a prompt (text or token ids)\n"
    "  chat      interactive chat with the model's chat template\n"
    "  tokenize  print the token ids of a text (or of JSON lines)\n"
    "  template  render chats (JSON lines) with a chat template\n"
    "  logits    write a prompt's logits as a float32 .npy\n"
    "  bench     prompt and generation speed, llama-bench style\n"
    "  convert   write a Hugging Face folder as a GGUF file (f32, f16, bf16)\n"
    "  quantize  write a quantized GGUF file (q8_0, q4_0, q4_k_m, q6_k, ...)\n"
    "  kld       KL divergence and top-1 agreement of a model against a reference\n"
    "\n"
    "qianwen COMMAND --help describes a command's flags.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::printf("%s", kUsage);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("qianwen 0.1.0\n");
    return 0;
  }
  if (cmd == "run") return qw::cli::RunGenerate(argc - 2, argv + 2);
  if (cmd == "logits") return qw::cli::RunLogits(argc - 2, argv + 2);
  if (cmd == "tokenize") return qw::cli::RunTokenize(argc - 2, argv + 2);
  if (cmd == "template") return qw::cli::RunTemplate(argc - 2, argv + 2);
  if (cmd == "chat") return qw::cli::RunChat(argc - 2, argv + 2);
  if (cmd == "bench") return qw::cli::RunBench(argc - 2, argv + 2);
  if (cmd == "convert") return qw::cli::RunConvert(argc - 2, argv + 2);
  if (cmd == "quantize") return qw::cli::RunQuantize(argc - 2, argv + 2);
  if (cmd == "kld") return qw::cli::RunKld(argc - 2, argv + 2);
  std::fprintf(stderr,
               "qianwen: unknown command '%s' (commands: run, chat, tokenize, template, logits, "
               "bench, convert, quantize, kld; "
               "see qianwen --help)\n",
               cmd.c_str());
  return 2;
}
