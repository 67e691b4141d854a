#pragma once
// NumPy .npy files (format 1.0): little-endian float32 / int32 / int64 arrays, C order.
// `qianwen logits` writes them; tests read the golden fixtures with them.

#include <cstdint>
#include <string>
#include <vector>

#include "qianwen/core/status.h"

namespace qw::io {

Status WriteNpyF32(const std::string& path, const float* data, const std::vector<int64_t>& shape);

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> f32;     // filled for '<f4'
  std::vector<int64_t> ints;  // filled for '<i4' and '<i8'
};

Result<NpyArray> ReadNpy(const std::string& path);

}  // namespace qw::io
