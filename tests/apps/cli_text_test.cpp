// The text commands as a user runs them: tokenize, template, run -p, chat through a pipe.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "qianwen/engine/text.h"
#include "test_util.h"

namespace qw {
namespace {

using json = nlohmann::ordered_json;

struct Output {
  int code;
  std::string out, err;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Output Qianwen(const std::string& args, const std::string& stdin_file = "/dev/null") {
  test::TempDir tmp;
  std::string cmd = test::QianwenBinary() + " " + args + " >" + (tmp / "out") + " 2>" +
                    (tmp / "err") + " <" + stdin_file;
  int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, Slurp(tmp / "out"), Slurp(tmp / "err")};
}

std::vector<json> Lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream ss(text);
  for (std::string l; std::getline(ss, l);)
    if (!l.empty()) out.push_back(json::parse(l));
  return out;
}

const std::string kModel = " -m " + test::ModelDir("qwen3-tiny");

TEST(CliText, TokenizeOneTextInBothModes) {
  Output a = Qianwen("tokenize" + kModel + " 'Hello world<|im_end|>'");
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, "9707,1879,151645\n");
  Output b = Qianwen("tokenize" + kModel + " --special text 'Hello world<|im_end|>'");
  EXPECT_EQ(b.out, "9707,1879,27,91,318,6213,91,29\n");
  EXPECT_EQ(Qianwen("tokenize" + kModel).code, 2);
  EXPECT_EQ(Qianwen("tokenize" + kModel + " --special maybe x").code, 2);
}

TEST(CliText, TokenizeJsonlMatchesEveryCaseInOrder) {
  const std::string cases = test::Fixtures() + "/tokenizer/tokens.jsonl";
  auto want = Lines(Slurp(cases));
  for (auto [mode, field] :
       {std::pair{"parse", "ids_special"}, std::pair{"text", "ids_split_special"}}) {
    Output r = Qianwen("tokenize" + kModel + " --special " + mode + " --jsonl " + cases);
    ASSERT_EQ(r.code, 0) << r.err;
    auto got = Lines(r.out);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_EQ(got[i]["ids"], want[i][field]) << want[i]["id"];
  }
  // A bad line gets an error line in its place, the others still come out, exit status 1.
  test::TempDir tmp;
  std::ofstream(tmp / "in.jsonl") << "{\"text\": \"a\"}\nnot json\n{\"text\": \"b\"}\n";
  Output r = Qianwen("tokenize" + kModel + " --jsonl " + (tmp / "in.jsonl"));
  EXPECT_EQ(r.code, 1);
  auto got = Lines(r.out);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0]["ids"], json::array({64}));
  EXPECT_TRUE(got[1].contains("error"));
  EXPECT_EQ(got[2]["ids"], json::array({65}));
}

TEST(CliText, TemplateJsonlRendersEveryReferenceCase) {
  // Group the reference cases by template and render each group with `qianwen template`.
  std::map<std::string, std::vector<json>> by_template;
  for (const auto& c : Lines(Slurp(test::Fixtures() + "/chat/cases.jsonl")))
    by_template[c["template"]].push_back(c);
  test::TempDir tmp;
  int checked = 0;
  for (const auto& [name, cases] : by_template) {
    std::ofstream f(tmp / "in.jsonl");
    for (const auto& c : cases) f << c.dump() << "\n";
    f.close();
    Output r = Qianwen("template --template " + test::Fixtures() + "/chat/templates/" + name +
                       " --now 2025-01-15T10:30:00 --jsonl " + (tmp / "in.jsonl"));
    ASSERT_EQ(r.code, 0) << r.err;
    auto got = Lines(r.out);
    ASSERT_EQ(got.size(), cases.size()) << name;
    for (size_t i = 0; i < cases.size(); ++i) {
      if (cases[i].contains("error")) {
        EXPECT_TRUE(got[i].contains("error")) << cases[i]["id"];
      } else {
        EXPECT_EQ(got[i]["rendered"], cases[i]["rendered"]) << cases[i]["id"];
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 1030);
}

TEST(CliText, TemplateFromTheModelFolder) {
  test::TempDir tmp;
  std::ofstream(tmp / "in.jsonl")
      << R"({"messages": [{"role": "user", "content": "hi"}], "kwargs": {"add_generation_prompt": true, "enable_thinking": false}})"
      << "\n";
  Output r = Qianwen("template" + kModel + " --jsonl " + (tmp / "in.jsonl"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out)[0]["rendered"],
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
}

TEST(CliText, RunWithATextPromptContinuesLikeTheGolden) {
  // "The capital of France is" tokenizes to the golden `short` prompt; greedy with the model's
  // repetition penalty 1.05 must give the golden continuation, as ids and as streamed text.
  std::ifstream in(test::GoldenDir("qwen3-tiny") + "/manifest.json");
  json m = json::parse(in);
  json short_case;
  for (const auto& c : m["cases"])
    if (c["name"] == "short") short_case = c;
  std::vector<int32_t> want = short_case["greedy_repetition_penalty_1.05"]["new_ids"];
  std::string want_ids;
  for (size_t i = 0; i < want.size(); ++i) want_ids += (i ? "," : "") + std::to_string(want[i]);
  Output ids =
      Qianwen("run" + kModel + " -p 'The capital of France is' -n 16 --greedy --output ids");
  ASSERT_EQ(ids.code, 0) << ids.err;
  EXPECT_EQ(ids.out, want_ids + "\n");
  Output text = Qianwen("run" + kModel + " -p 'The capital of France is' -n 16 --greedy");
  ASSERT_EQ(text.code, 0) << text.err;
  auto tok = engine::LoadTokenizer(test::ModelDir("qwen3-tiny"));
  ASSERT_TRUE(tok.ok());
  EXPECT_EQ(text.out, (*tok)->Decode(want) + "\n");
}

TEST(CliText, ChatThroughAPipe) {
  test::TempDir tmp;
  std::ofstream(tmp / "in.txt")
      << "Hello!\nWhat is 2+2?\n/clear\nNew topic <|im_start|>system\n/exit\nnever read\n";
  Output r =
      Qianwen("chat" + kModel + " --system 'Be brief.' --no-think --greedy -n 12", tmp / "in.txt");
  ASSERT_EQ(r.code, 0) << r.err;
  // A reply per user turn (3), each followed by a tokens/s report on stderr; nothing after /exit.
  EXPECT_FALSE(r.out.empty());
  std::vector<std::string> reports;
  std::istringstream err(r.err);
  for (std::string l; std::getline(err, l);)
    if (l.find(" t/s]") != std::string::npos) reports.push_back(l);
  ASSERT_EQ(reports.size(), 3u) << r.err;
  // The second turn reuses the cached prefix of the first; /clear starts again from nothing.
  EXPECT_NE(reports[0].find("(0 reused)"), std::string::npos) << reports[0];
  EXPECT_EQ(reports[1].find("(0 reused)"), std::string::npos) << reports[1];
  EXPECT_NE(reports[2].find("(0 reused)"), std::string::npos) << reports[2];
}

}  // namespace
}  // namespace qw
