#pragma once
// Element types of stored tensors and their sizes.

#include <cstddef>
#include <optional>
#include <string_view>

namespace qw {

enum class DType { kF64, kF32, kF16, kBF16, kI64, kI32, kI16, kI8, kU8, kBool };

// Bytes per element.
size_t DTypeSize(DType t);
// The safetensors spelling: "F32", "BF16", ...
std::string_view DTypeName(DType t);
// Parses a safetensors dtype name; nullopt if unknown.
std::optional<DType> DTypeFromName(std::string_view name);

}  // namespace qw
