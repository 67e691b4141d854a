// safetensors parsing: a file written here round-trips, and every kind of corruption gives a
// Corrupt/Unsupported status naming the file and what was wrong, never a crash.

#include "qianwen/io/safetensors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "model_folder.h"
#include "qianwen/model/model.h"
#include "test_util.h"

namespace qw {
namespace {

// A file: 8-byte length, the header text, then `data_bytes` zero bytes.
std::string MakeFile(const std::string& header, size_t data_bytes,
                     uint64_t length_override = ~0ull) {
  uint64_t n = length_override == ~0ull ? header.size() : length_override;
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s + header + std::string(data_bytes, '\0');
}

Result<io::SafetensorsHeader> Parse(const std::string& file) {
  return io::ParseSafetensorsHeader(reinterpret_cast<const uint8_t*>(file.data()), file.size(),
                                    "x.safetensors");
}

#define EXPECT_ERROR(result, code_, substring)                                  \
  do {                                                                          \
    auto r_ = (result);                                                         \
    ASSERT_FALSE(r_.ok());                                                      \
    EXPECT_EQ(r_.status().code(), code_) << r_.status().ToString();             \
    EXPECT_NE(r_.status().message().find(substring), std::string::npos)         \
        << "message: " << r_.status().message() << "\nwanted: " << (substring); \
  } while (0)

TEST(Safetensors, ParsesAValidHeader) {
  auto h = Parse(MakeFile(
      R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]}})",
      32));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->entries.size(), 2u);
  EXPECT_EQ(h->metadata.at("format"), "pt");
  EXPECT_EQ(h->entries[0].name, "a");
  EXPECT_EQ(h->entries[0].shape, (Shape{2, 3}));
  EXPECT_EQ(h->entries[1].dtype, DType::kBF16);
}

TEST(Safetensors, RejectsEveryCorruption) {
  const std::string ok_entry = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  EXPECT_ERROR(Parse("abc"), Code::kCorrupt, "x.safetensors: file is 3 bytes, too short");
  EXPECT_ERROR(Parse(MakeFile("{" + ok_entry + "}", 8, 1ull << 40)), Code::kCorrupt,
               "header length 1099511627776 is past the end of the file");
  EXPECT_ERROR(Parse(MakeFile("{" + ok_entry, 8)), Code::kCorrupt, "header is not valid JSON");
  EXPECT_ERROR(Parse(MakeFile("[1,2]", 8)), Code::kCorrupt, "header is not a JSON object");
  EXPECT_ERROR(Parse(MakeFile("{" + ok_entry + "}", 4)), Code::kCorrupt,
               "tensor 'a': data_offsets end 8 is past the end of the data section (4 bytes; file "
               "truncated?)");
  EXPECT_ERROR(Parse(MakeFile(R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", 2)),
               Code::kUnsupported, "tensor 'a': unknown dtype 'F8_E4M3'");
  EXPECT_ERROR(Parse(MakeFile(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8)),
               Code::kCorrupt, "shape [3] of F32 needs 12 bytes but data_offsets span 8");
  EXPECT_ERROR(Parse(MakeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8)),
               Code::kCorrupt, "data_offsets begin 8 > end 0");
  EXPECT_ERROR(
      Parse(MakeFile(
          R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
          12)),
      Code::kCorrupt, "tensors 'a' and 'b' overlap");
  EXPECT_ERROR(
      Parse(MakeFile(
          R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
          16)),
      Code::kCorrupt, "tensor 'a' appears twice");
  EXPECT_ERROR(Parse(MakeFile(R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8)),
               Code::kCorrupt, "shape holds a non-integer or negative value");
  EXPECT_ERROR(
      Parse(MakeFile(
          R"({"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8)),
      Code::kCorrupt, "tensor 'a'");
  EXPECT_ERROR(Parse(MakeFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8)),
               Code::kCorrupt, "'data_offsets' must be two non-negative integers");
  EXPECT_ERROR(Parse(MakeFile(R"({"a":{"shape":[2],"data_offsets":[0,8]}})", 8)), Code::kCorrupt,
               "missing string 'dtype'");
  EXPECT_ERROR(Parse(MakeFile(R"({"a":5})", 8)), Code::kCorrupt, "header entry is not an object");
  EXPECT_ERROR(Parse(MakeFile(R"({"__metadata__":{"format":1}})", 0)), Code::kCorrupt,
               "__metadata__['format'] is not a string");
}

TEST(Safetensors, RandomByteFlipsNeverCrash) {
  // Flip bytes all over a real header: each parse must end in OK or an error status.
  auto f = MappedFile::Open(test::ModelDir("qwen2-tiny") + "/model.safetensors");
  ASSERT_TRUE(f.ok());
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | f->data()[i];
  std::string base(reinterpret_cast<const char*>(f->data()), 8 + n);
  std::mt19937 rng(1234);
  int errors = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string s = base;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) s[rng() % s.size()] ^= static_cast<char>(1 + rng() % 255);
    auto r =
        io::ParseSafetensorsHeader(reinterpret_cast<const uint8_t*>(s.data()), f->size(), "flip");
    if (!r.ok()) {
      ++errors;
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  EXPECT_GT(errors, 100);  // most flips land in JSON syntax or numbers and must be caught
}

TEST(Safetensors, TruncatedModelFileFailsToLoad) {
  test::TempDir tmp;
  test::CopyModel("qwen2-tiny", tmp.path());
  std::filesystem::remove(tmp / "model.safetensors");
  auto f = MappedFile::Open(test::ModelDir("qwen2-tiny") + "/model.safetensors");
  ASSERT_TRUE(f.ok());
  std::ofstream(tmp / "model.safetensors", std::ios::binary)
      .write(reinterpret_cast<const char*>(f->data()),
             static_cast<std::streamsize>(f->size() - 1000));
  auto m = model::Model::Load(tmp.path());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), Code::kCorrupt);
  EXPECT_NE(m.status().message().find("model.safetensors: tensor '"), std::string::npos)
      << m.status().message();
  EXPECT_NE(m.status().message().find("is past the end of the data section"), std::string::npos);

  // Header cut in the middle.
  std::ofstream(tmp / "model.safetensors", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(f->data()), 500);
  m = model::Model::Load(tmp.path());
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("is past the end of the file"), std::string::npos)
      << m.status().message();

  // Empty file.
  std::ofstream(tmp / "model.safetensors", std::ios::binary | std::ios::trunc);
  m = model::Model::Load(tmp.path());
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("too short"), std::string::npos) << m.status().message();
}

TEST(Safetensors, WriterRoundTripsWithAlignedData) {
  test::TempDir tmp;
  float a[3] = {1.5f, -2.0f, 3.25f};
  uint16_t b[2] = {0x3f80, 0xc000};
  Status s = io::WriteSafetensors(tmp / "t.safetensors",
                                  {{"a", {DType::kF32, {3}, reinterpret_cast<uint8_t*>(a), 12}},
                                   {"b", {DType::kBF16, {1, 2}, reinterpret_cast<uint8_t*>(b), 4}}},
                                  {{"format", "pt"}});
  ASSERT_TRUE(s.ok());
  auto f = io::SafetensorsFile::Open(tmp / "t.safetensors");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->header().data_start % 8, 0u);
  const auto* e = f->Find("a");
  ASSERT_NE(e, nullptr);
  TensorView v = f->View(*e);
  EXPECT_EQ(std::memcmp(v.data, a, 12), 0);
  EXPECT_EQ(f->Find("b")->shape, (Shape{1, 2}));
  EXPECT_EQ(f->Find("c"), nullptr);
}

}  // namespace
}  // namespace qw
