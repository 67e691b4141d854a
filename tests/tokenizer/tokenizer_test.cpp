// The tokenizer against Hugging Face tokenizers' ids for 352 cases in three modes
// (fixtures/tokenizer/tokens.jsonl), llama.cpp's Qwen2 vectors, decoding and streaming.

#include "qianwen/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "qianwen/core/utf8.h"
#include "qianwen/tokenizer/nfc.h"
#include "qianwen/tokenizer/stream_decoder.h"
#include "qianwen/tokenizer/tokenizer_json.h"
#include "test_util.h"

namespace qw::tokenizer {
namespace {

using json = nlohmann::json;

const Tokenizer& Qwen() {
  static std::unique_ptr<Tokenizer> tok = [] {
    auto spec = ReadTokenizerJson(test::Fixtures() + "/tokenizer/qwen3/tokenizer.json");
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    auto t = Tokenizer::FromSpec(std::move(*spec));
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(*t);
  }();
  return *tok;
}

std::vector<json> Cases() {
  std::vector<json> out;
  std::ifstream in(test::Fixtures() + "/tokenizer/tokens.jsonl");
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

TEST(Tokenizer, AllCasesInAllThreeModes) {
  const auto cases = Cases();
  ASSERT_EQ(cases.size(), 352u);
  int failures = 0;
  for (const auto& c : cases) {
    const std::string text = c["text"];
    const std::string id = c["id"];
    for (auto [mode, field] : {std::pair{SpecialMode::kParse, "ids_special"},
                               std::pair{SpecialMode::kText, "ids_split_special"},
                               std::pair{SpecialMode::kNone, "ids_plain"}}) {
      auto ids = Qwen().Encode(text, mode);
      ASSERT_TRUE(ids.ok()) << id << ": " << ids.status().ToString();
      auto want = c[field].get<std::vector<int32_t>>();
      if (*ids != want) {
        ++failures;
        ADD_FAILURE() << id << " (" << field << ")";
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

TEST(Tokenizer, DecodeGivesBackTheNormalizedText) {
  for (const auto& c : Cases()) {
    const std::string text = c["text"];
    SCOPED_TRACE(c["id"].get<std::string>());
    // No added token matched: the whole text is one NFC stretch.
    EXPECT_EQ(Qwen().Decode(c["ids_plain"].get<std::vector<int32_t>>()), NfcUnicode9(text));
    // Added tokens matched: each stretch between them is normalized on its own, so decoding
    // and encoding again gives the same ids.
    std::vector<int32_t> ids = c["ids_special"];
    std::string decoded = Qwen().Decode(ids);
    auto again = Qwen().Encode(decoded);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, ids) << "encode(decode(ids)) must give the ids back";
  }
}

TEST(Tokenizer, StreamingPiecesAreValidAndConcatenateToTheDecode) {
  for (const auto& c : Cases()) {
    SCOPED_TRACE(c["id"].get<std::string>());
    std::vector<int32_t> ids = c["ids_special"];
    StreamDecoder sd(Qwen());
    std::string all;
    for (int32_t id : ids) {
      std::string piece = sd.Push(id);
      EXPECT_EQ(FindInvalidUtf8(piece), std::string::npos);
      all += piece;
    }
    all += sd.Finish();
    EXPECT_EQ(all, Qwen().Decode(ids));
  }
}

TEST(Tokenizer, StreamingHoldsPartialCharactersAndReplacesBrokenOnes) {
  // "é" is bytes C3 A9: byte-level tokens for single bytes exist (ids of 'Ã' and '©').
  const int32_t c3 = Qwen().TokenId("\xC3");
  const int32_t a9 = Qwen().TokenId("\xA9");
  ASSERT_GE(c3, 0);
  ASSERT_GE(a9, 0);
  StreamDecoder sd(Qwen());
  EXPECT_EQ(sd.Push(c3), "");
  EXPECT_EQ(sd.Push(a9), "\xC3\xA9");
  // A lone continuation byte can never become valid: U+FFFD at once.
  EXPECT_EQ(sd.Push(a9), "\xEF\xBF\xBD");
  // An unfinished lead byte at the end becomes U+FFFD at Finish.
  EXPECT_EQ(sd.Push(c3), "");
  EXPECT_EQ(sd.Finish(), "\xEF\xBF\xBD");
  EXPECT_EQ(Qwen().Decode({c3, a9, a9, c3}), "\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Tokenizer, LlamaCppQwen2Vectors) {
  auto read = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::string inp = read(test::Fixtures() + "/tokenizer/llama.cpp-vocab/ggml-vocab-qwen2.gguf.inp");
  std::string out = read(test::Fixtures() + "/tokenizer/llama.cpp-vocab/ggml-vocab-qwen2.gguf.out");
  std::vector<std::string> inputs;
  const std::string sep = "\n__ggml_vocab_test__\n";
  size_t pos = 0;
  for (size_t f; (f = inp.find(sep, pos)) != std::string::npos; pos = f + sep.size())
    inputs.push_back(inp.substr(pos, f - pos));
  std::vector<std::vector<int32_t>> outputs;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream ss(line);
    std::vector<int32_t> ids;
    for (int32_t v; ss >> v;) ids.push_back(v);
    outputs.push_back(ids);
  }
  ASSERT_EQ(inputs.size(), 46u);
  ASSERT_EQ(outputs.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto ids = Qwen().Encode(inputs[i]);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, outputs[i]) << "input " << i << ": '" << inputs[i] << "'";
  }
}

TEST(Tokenizer, InvalidUtf8IsAnError) {
  auto r = Qwen().Encode(
      "ab\xFF"
      "c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "text is not valid UTF-8 (byte 2)");
}

TEST(TokenizerJson, MergesAsPairsOrStringsAndErrors) {
  const std::string base = R"({"model":{"type":"BPE","vocab":VOCAB,"merges":MERGES},
    "normalizer":null,"pre_tokenizer":{"type":"Sequence","pretokenizers":[
      {"type":"Split","pattern":{"Regex":"\\s+|\\S+"},"behavior":"Isolated","invert":false},
      {"type":"ByteLevel","add_prefix_space":false,"use_regex":false}]},"added_tokens":[]})";
  auto make = [&](const std::string& vocab, const std::string& merges) {
    std::string s = base;
    s.replace(s.find("VOCAB"), 5, vocab);
    s.replace(s.find("MERGES"), 6, merges);
    return ParseTokenizerJson(s, "t.json");
  };
  auto a = make(R"({"a":0,"b":1,"ab":2})", R"(["a b"])");
  auto b = make(R"({"a":0,"b":1,"ab":2})", R"([["a","b"]])");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->merges, b->merges);
  EXPECT_NE(make(R"({"a":0})", R"(["ab"])").status().message().find("merge 'ab' is not two tokens"),
            std::string::npos);
  EXPECT_NE(
      make(R"({"a":"x"})", "[]").status().message().find("model.vocab['a'] is not an integer"),
      std::string::npos);
  EXPECT_NE(ParseTokenizerJson("{", "t.json").status().message().find("t.json: not valid JSON"),
            std::string::npos);
  // A vocabulary without the 256 byte tokens cannot build.
  auto t = Tokenizer::FromSpec(*a);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("lacks the byte-level token for byte 0"), std::string::npos);
}

}  // namespace
}  // namespace qw::tokenizer
