#pragma once
// The qianwen subcommands. Each returns the process exit code: 0 success, 1 a runtime error
// (bad model file, ...), 2 a usage error (bad flag or value).

namespace qw::cli {

int RunLogits(int argc, char** argv);
int RunGenerate(int argc, char** argv);
int RunTokenize(int argc, char** argv);
int RunTemplate(int argc, char** argv);
int RunChat(int argc, char** argv);
int RunBench(int argc, char** argv);
int RunConvert(int argc, char** argv);
int RunQuantize(int argc, char** argv);
int RunKld(int argc, char** argv);

}  // namespace qw::cli
