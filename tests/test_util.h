#pragma once
// Helpers shared by the tests: where the fixtures are, reading goldens, temp folders.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "qianwen/io/npy.h"

namespace qw::test {

// ../shared/fixtures relative to the repository root (QW_SOURCE_DIR is set by CMake).
inline std::string Fixtures() { return std::string(QW_SOURCE_DIR) + "/../shared/fixtures"; }
inline std::string ModelDir(const std::string& name) { return Fixtures() + "/models/" + name; }
inline std::string GoldenDir(const std::string& name) { return Fixtures() + "/golden/" + name; }
inline std::string QianwenBinary() { return QW_BINARY_PATH; }

inline io::NpyArray LoadNpy(const std::string& path) {
  auto a = io::ReadNpy(path);
  EXPECT_TRUE(a.ok()) << a.status().ToString();
  return a.ok() ? *a : io::NpyArray{};
}

// A fresh empty folder under the system temp dir, removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "qianwen-test-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    path_ = mkdtemp(buf.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace qw::test
