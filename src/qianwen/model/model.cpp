#include "qianwen/model/model.h"

#include <filesystem>

#include "qianwen/core/mapped_file.h"

namespace qw::model {

namespace {

// The bytes of a model's weight files: the GGUF file, or every .safetensors file of the folder.
size_t WeightFileBytes(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return static_cast<size_t>(fs::file_size(path, ec));
  size_t total = 0;
  for (const auto& e : fs::directory_iterator(path, ec)) {
    if (e.path().extension() == ".safetensors" && e.is_regular_file(ec)) {
      total += static_cast<size_t>(e.file_size(ec));
    }
  }
  return total;
}

}  // namespace

Result<std::unique_ptr<Model>> Model::Load(const std::string& dir, const FileLoad& requested) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const FileLoad how = ResolveFileLoad(requested, WeightFileBytes(dir));
  if (fs::is_regular_file(dir, ec)) {
    if (!io::LooksLikeGguf(dir)) {
      return InvalidArgument(dir +
                             ": not a GGUF file (give a GGUF file or a Hugging Face model folder)");
    }
    auto m = std::unique_ptr<Model>(new Model());
    m->dir_ = dir;
    m->load_mode_ = how.mode;
    QW_ASSIGN_OR_RETURN(std::shared_ptr<io::GgufFile> g, io::GgufFile::Open(dir, how));
    m->gguf_ = g;
    QW_ASSIGN_OR_RETURN(m->config_, ResolveGgufConfig(*g));
    m->source_ = io::GgufWeights(g);
    QW_ASSIGN_OR_RETURN(m->weights_, BindWeights(m->config_, *m->source_));
    // Sampling defaults the converter copied from generation_config.json.
    if (g->Find("general.sampling.temp") || g->Find("general.sampling.top_k") ||
        g->Find("general.sampling.top_p")) {
      io::GenerationConfig gen;
      gen.do_sample = true;
      if (auto t = g->GetFloat("general.sampling.temp"); t.ok()) gen.temperature = *t;
      if (auto t = g->GetFloat("general.sampling.top_p"); t.ok()) gen.top_p = *t;
      if (auto t = g->GetInt("general.sampling.top_k"); t.ok()) gen.top_k = *t;
      gen.eos_token_ids = m->config_.eos_token_ids;
      m->generation_ = gen;
    }
    return m;
  }
  if (!fs::exists(dir, ec)) return NotFound(dir + ": no such model folder");
  if (!fs::is_directory(dir, ec))
    return InvalidArgument(dir + ": not a folder (a Hugging Face model folder is expected)");
  auto m = std::unique_ptr<Model>(new Model());
  m->dir_ = dir;
  m->load_mode_ = how.mode;
  const std::string cfg_path = (fs::path(dir) / "config.json").string();
  QW_ASSIGN_OR_RETURN(io::HfConfig hf, io::ReadHfConfig(cfg_path));
  QW_ASSIGN_OR_RETURN(m->config_, ResolveConfig(hf));
  const std::string gen_path = (fs::path(dir) / "generation_config.json").string();
  if (fs::exists(gen_path, ec)) {
    QW_ASSIGN_OR_RETURN(std::string text, ReadFileToString(gen_path));
    QW_ASSIGN_OR_RETURN(m->generation_, io::ParseGenerationConfig(text, gen_path));
  }
  QW_ASSIGN_OR_RETURN(m->source_, io::OpenHfWeights(dir, how));
  QW_ASSIGN_OR_RETURN(m->weights_, BindWeights(m->config_, *m->source_));
  return m;
}

static void Count(const TensorView& v, size_t* bytes, int64_t* params) {
  if (v.empty()) return;
  *bytes += v.nbytes;
  *params += v.numel();
}

size_t Model::weight_bytes() const {
  size_t b = 0;
  int64_t p = 0;
  for (const auto& name : source_->Names()) Count(*source_->Find(name), &b, &p);
  return b;
}

int64_t Model::num_params() const {
  size_t b = 0;
  int64_t p = 0;
  for (const auto& name : source_->Names()) Count(*source_->Find(name), &b, &p);
  return p;
}

}  // namespace qw::model
