#pragma once
// A loaded model: its resolved config, its weight source (the mappings) and the typed weights
// bound from it. Immutable once loaded; sessions share it.

#include <memory>
#include <optional>
#include <string>

#include "qianwen/io/gguf.h"
#include "qianwen/io/hf_config.h"
#include "qianwen/io/weight_source.h"
#include "qianwen/model/config.h"
#include "qianwen/model/weights.h"

namespace qw::model {

class Model {
 public:
  // Loads a Hugging Face model folder (config.json + safetensors, generation_config.json when
  // present) or a GGUF file. Errors name the file and what was wrong.
  // `how`: map the weight files (default) or read them into huge-page memory (mapped_file.h).
  static Result<std::unique_ptr<Model>> Load(const std::string& path, const FileLoad& how = {});
  // The GGUF file the model came from (its tokenizer and chat template live there), or null.
  const std::shared_ptr<const io::GgufFile>& gguf() const { return gguf_; }

  const ModelConfig& config() const { return config_; }
  const Weights& weights() const { return weights_; }
  const std::optional<io::GenerationConfig>& generation_config() const { return generation_; }
  const std::string& dir() const { return dir_; }
  // Bytes of weights (as stored) and number of parameters.
  size_t weight_bytes() const;
  int64_t num_params() const;
  // How the weight files were loaded (FileLoad::kMap or kRead; kAuto resolved).
  FileLoad::Mode load_mode() const { return load_mode_; }

 private:
  std::string dir_;
  ModelConfig config_;
  std::unique_ptr<io::WeightSource> source_;
  Weights weights_;
  std::optional<io::GenerationConfig> generation_;
  std::shared_ptr<const io::GgufFile> gguf_;
  FileLoad::Mode load_mode_ = FileLoad::Mode::kMap;
};

}  // namespace qw::model
