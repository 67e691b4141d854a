#pragma once
// A non-owning view of a stored tensor: element type, shape and bytes (usually inside a mapping).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "qianwen/core/dtype.h"

namespace qw {

using Shape = std::vector<int64_t>;

// "[128, 64]"
std::string ShapeToString(const Shape& shape);
// Product of the dimensions; false when it overflows int64 or a dimension is negative.
bool ShapeNumElements(const Shape& shape, int64_t* out);

struct TensorView {
  DType dtype = DType::kF32;
  Shape shape;
  const uint8_t* data = nullptr;
  size_t nbytes = 0;

  int rank() const { return static_cast<int>(shape.size()); }
  int64_t dim(int i) const { return shape[static_cast<size_t>(i)]; }
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  bool empty() const { return data == nullptr; }
};

}  // namespace qw
