#pragma once
// A WeightSource maps tensor names to bounds-checked views, whatever the file format. Models bind
// their weights through this interface only, so safetensors folders and (later) GGUF files look
// the same to them.

#include <memory>
#include <string>
#include <vector>

#include "qianwen/core/mapped_file.h"
#include "qianwen/core/status.h"
#include "qianwen/core/tensor.h"

namespace qw::io {

class WeightSource {
 public:
  virtual ~WeightSource() = default;
  // nullptr when the tensor is absent.
  virtual const TensorView* Find(const std::string& name) const = 0;
  // The file that holds `name` (or the folder when absent), for error messages.
  virtual std::string Where(const std::string& name) const = 0;
  virtual std::vector<std::string> Names() const = 0;
};

// A Hugging Face model folder: model.safetensors, or the shards named by
// model.safetensors.index.json. Tensors are memory-mapped; only a tensor whose bytes are not
// aligned to its element size is copied (into aligned memory).
Result<std::unique_ptr<WeightSource>> OpenHfWeights(const std::string& dir,
                                                    const FileLoad& how = {});

}  // namespace qw::io
