// Rendering then tokenizing chats: transformers' ids (fixtures/tokenizer/chat-ids.jsonl) in the
// HF mode, and the safe default that keeps special-token literals typed in messages as text.

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "qianwen/engine/text.h"
#include "qianwen/template/json_value.h"
#include "test_util.h"

namespace qw::engine {
namespace {

using tmpl::Value;

const tokenizer::Tokenizer& Tok() {
  static auto t = LoadTokenizer(test::ModelDir("qwen3-tiny"));
  return **t;
}

std::vector<Value> JsonLines(const std::string& path) {
  std::vector<Value> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(*tmpl::ParseJsonValue(line));
  return out;
}

bool HasLiteral(const Value& v, const std::vector<std::string>& lits) {
  if (v.is_string()) {
    for (const auto& l : lits)
      if (v.str().find(l) != std::string::npos) return true;
    return false;
  }
  if (v.is_sequence_like()) {
    for (const auto& x : v.list())
      if (HasLiteral(x, lits)) return true;
  }
  if (v.is_dict()) {
    for (const auto& [k, x] : v.dict())
      if (HasLiteral(x, lits)) return true;
  }
  return false;
}

TEST(ChatTokens, RenderedChatsTokenizeLikeTransformers) {
  auto lines = JsonLines(test::Fixtures() + "/tokenizer/chat-ids.jsonl");
  ASSERT_EQ(lines.size(), 615u);
  for (const auto& c : lines) {
    std::vector<int32_t> want;
    for (const auto& v : c.Find("ids")->list()) want.push_back(static_cast<int32_t>(v.integer()));
    auto ids = Tok().Encode(c.Find("rendered")->str());
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, want) << c.Find("id")->str();
  }
}

TEST(ChatTokens, SafeModeKeepsLiteralsInMessagesAsText) {
  std::map<std::string, std::vector<int32_t>> reference;
  for (const auto& c : JsonLines(test::Fixtures() + "/tokenizer/chat-ids.jsonl")) {
    std::vector<int32_t> ids;
    for (const auto& v : c.Find("ids")->list()) ids.push_back(static_cast<int32_t>(v.integer()));
    reference[c.Find("id")->str()] = ids;
  }
  const auto lits = Tok().SpecialTokenTexts();
  int same = 0, protected_cases = 0;
  for (const auto& c : JsonLines(test::Fixtures() + "/chat/cases.jsonl")) {
    const std::string id = c.Find("id")->str();
    if (!reference.count(id)) continue;
    auto fmt =
        ChatFormat::Load("", test::Fixtures() + "/chat/templates/" + c.Find("template")->str());
    ASSERT_TRUE(fmt.ok());
    auto in = tmpl::ChatInputFromJson(c);
    ASSERT_TRUE(in.ok());
    auto safe = fmt->Render(*in, &Tok());
    ASSERT_TRUE(safe.ok()) << id << ": " << safe.status().message();
    auto plain = fmt->Render(*in, nullptr);
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(safe->text, plain->text) << id;  // marking never changes the text
    auto ids = Tok().Encode(safe->text, tokenizer::SpecialMode::kParse, safe->protected_spans);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(Tok().Decode(*ids), Tok().Decode(reference[id])) << id;
    if (HasLiteral(*c.Find("messages"), lits)) {
      ++protected_cases;
      EXPECT_FALSE(safe->protected_spans.empty()) << id;
      // Fewer special ids than transformers' parse-everything result: the typed ones are text.
      auto count_special = [&](const std::vector<int32_t>& v) {
        return std::count_if(v.begin(), v.end(), [&](int32_t t) { return Tok().IsSpecial(t); });
      };
      EXPECT_LT(count_special(*ids), count_special(reference[id])) << id;
    } else {
      EXPECT_EQ(*ids, reference[id]) << id;
      ++same;
    }
  }
  EXPECT_GT(protected_cases, 10);
  EXPECT_GT(same, 400);
}

}  // namespace
}  // namespace qw::engine
