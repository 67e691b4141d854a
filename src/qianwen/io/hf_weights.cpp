#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "qianwen/core/mapped_file.h"
#include "qianwen/io/safetensors.h"
#include "qianwen/io/weight_source.h"

namespace qw::io {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class HfWeights : public WeightSource {
 public:
  const TensorView* Find(const std::string& name) const override {
    auto it = views_.find(name);
    return it == views_.end() ? nullptr : &it->second.view;
  }
  std::string Where(const std::string& name) const override {
    auto it = views_.find(name);
    return it == views_.end() ? missing_where_ : it->second.file;
  }
  std::vector<std::string> Names() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : views_) out.push_back(k);
    return out;
  }

  Status AddFile(const std::string& file_name, const std::vector<std::string>* only) {
    std::string path = (fs::path(dir_) / file_name).string();
    QW_ASSIGN_OR_RETURN(SafetensorsFile f, SafetensorsFile::Open(path, how_));
    files_.push_back(std::make_unique<SafetensorsFile>(std::move(f)));
    const SafetensorsFile& sf = *files_.back();
    auto add = [&](const SafetensorsEntry& e) {
      Entry en{sf.View(e), path};
      size_t align = DTypeSize(e.dtype);
      if (reinterpret_cast<uintptr_t>(en.view.data) % align != 0) {
        // Misaligned data (legal in the format, never written by the reference tools): copy it.
        auto buf = std::make_unique<uint64_t[]>((en.view.nbytes + 7) / 8);
        std::memcpy(buf.get(), en.view.data, en.view.nbytes);
        en.view.data = reinterpret_cast<const uint8_t*>(buf.get());
        copies_.push_back(std::move(buf));
      }
      views_[e.name] = std::move(en);
    };
    if (only == nullptr) {
      for (const auto& e : sf.header().entries) add(e);
      return OkStatus();
    }
    for (const auto& name : *only) {
      const SafetensorsEntry* e = sf.Find(name);
      if (e == nullptr) {
        return Corrupt(dir_ + "/model.safetensors.index.json: tensor '" + name +
                       "' is listed under " + file_name + " but that file does not contain it");
      }
      add(*e);
    }
    return OkStatus();
  }

  std::string dir_;
  FileLoad how_;
  std::string missing_where_;  // names the source in messages about absent tensors

 private:
  struct Entry {
    TensorView view;
    std::string file;
  };
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::vector<std::unique_ptr<uint64_t[]>> copies_;
  std::map<std::string, Entry> views_;
};

}  // namespace

Result<std::unique_ptr<WeightSource>> OpenHfWeights(const std::string& dir, const FileLoad& how) {
  auto src = std::make_unique<HfWeights>();
  src->dir_ = dir;
  src->how_ = how;
  fs::path index_path = fs::path(dir) / "model.safetensors.index.json";
  std::error_code ec;
  if (fs::exists(index_path, ec)) {
    std::string ipath = index_path.string();
    src->missing_where_ = ipath;
    QW_ASSIGN_OR_RETURN(std::string text, ReadFileToString(ipath));
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return Corrupt(ipath + ": not valid JSON");
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object()) {
      return Corrupt(ipath + ": missing object 'weight_map'");
    }
    std::map<std::string, std::vector<std::string>> by_file;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it->is_string())
        return Corrupt(ipath + ": weight_map['" + it.key() + "'] is not a string");
      std::string f = it->get<std::string>();
      if (f.empty() || f.find('/') != std::string::npos || f.find('\\') != std::string::npos ||
          f == "." || f == "..") {
        return Corrupt(ipath + ": weight_map['" + it.key() + "'] names '" + f +
                       "', which is not a file name inside the folder");
      }
      by_file[f].push_back(it.key());
    }
    if (by_file.empty()) return Corrupt(ipath + ": weight_map is empty");
    for (const auto& [file, names] : by_file) {
      if (!fs::exists(fs::path(dir) / file, ec)) {
        return NotFound(ipath + ": shard '" + file + "' (holding " + std::to_string(names.size()) +
                        " tensors, e.g. '" + names.front() + "') is missing from " + dir);
      }
      QW_TRY(src->AddFile(file, &names));
    }
    return std::unique_ptr<WeightSource>(std::move(src));
  }
  if (!fs::exists(fs::path(dir) / "model.safetensors", ec)) {
    if (!fs::is_directory(dir, ec)) return NotFound(dir + ": no such model folder");
    return NotFound(dir + ": neither model.safetensors nor model.safetensors.index.json found");
  }
  src->missing_where_ = (fs::path(dir) / "model.safetensors").string();
  QW_TRY(src->AddFile("model.safetensors", nullptr));
  return std::unique_ptr<WeightSource>(std::move(src));
}

}  // namespace qw::io
