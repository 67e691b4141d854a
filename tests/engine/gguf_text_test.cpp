// A GGUF file runs with no other file: its tokenizer (tokenizer.ggml.*) gives transformers' ids,
// and its chat template renders like the model folder's.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "qianwen/engine/text.h"
#include "test_util.h"

namespace qw::engine {
namespace {

const std::string kGguf = test::Fixtures() + "/gguf/qwen3-k64-MIX.gguf";

TEST(GgufText, TokenizerFromMetadataMatchesEveryCase) {
  auto tok = LoadTokenizer(kGguf);
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  std::ifstream in(test::Fixtures() + "/tokenizer/tokens.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto c = nlohmann::json::parse(line);
    auto ids = (*tok)->Encode(c["text"].get<std::string>());
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, c["ids_special"].get<std::vector<int32_t>>()) << c["id"];
    EXPECT_EQ((*tok)->Decode(*ids), (*tok)->Decode(c["ids_special"].get<std::vector<int32_t>>()));
    ++n;
  }
  EXPECT_EQ(n, 352);
}

TEST(GgufText, ChatTemplateFromMetadata) {
  auto from_gguf = ChatFormat::Load(kGguf, "");
  auto from_dir = ChatFormat::Load(test::ModelDir("qwen3-tiny"), "");
  ASSERT_TRUE(from_gguf.ok()) << from_gguf.status().ToString();
  ASSERT_TRUE(from_dir.ok());
  tmpl::ChatInput in;
  in.messages = tmpl::Value::MakeList(
      {tmpl::Value::MakeDict({{tmpl::Value::Str("role"), tmpl::Value::Str("user")},
                              {tmpl::Value::Str("content"), tmpl::Value::Str("Hi")}})});
  in.add_generation_prompt = true;
  auto a = from_gguf->Render(in), b = from_dir->Render(in);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->text, b->text);
  EXPECT_EQ(a->text, "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
}

TEST(GgufText, UnknownPreTokenizerIsRefused) {
  std::ifstream in(kGguf, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  size_t p = bytes.find("tokenizer.ggml.pre");
  ASSERT_NE(p, std::string::npos);
  size_t v = bytes.find("qwen2", p);  // the value follows its key
  bytes.replace(v, 5, "qwenX");
  test::TempDir tmp;
  std::ofstream(tmp / "m.gguf", std::ios::binary) << bytes;
  auto tok = LoadTokenizer(tmp / "m.gguf");
  ASSERT_FALSE(tok.ok());
  EXPECT_NE(tok.status().message().find("tokenizer.ggml.pre 'qwenX' is not supported"),
            std::string::npos);
}

}  // namespace
}  // namespace qw::engine
