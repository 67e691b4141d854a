#pragma once
// Element types of stored tensors and their sizes.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace qw {

// Plain element types, then ggml's block-quantized types (a block of DTypeBlockElements values
// stored in DTypeBlockBytes bytes; layouts in kernels/quant/blocks.h).
enum class DType {
  kF64,
  kF32,
  kF16,
  kBF16,
  kI64,
  kI32,
  kI16,
  kI8,
  kU8,
  kBool,
  kQ4_0,
  kQ4_1,
  kQ5_0,
  kQ5_1,
  kQ8_0,
  kQ2_K,
  kQ3_K,
  kQ4_K,
  kQ5_K,
  kQ6_K,
};

// Bytes per element (0 for block-quantized types).
size_t DTypeSize(DType t);
bool IsQuantized(DType t);
// Elements per block (1 for plain types) and bytes per block.
size_t DTypeBlockElements(DType t);
size_t DTypeBlockBytes(DType t);
// Bytes of a row of `n` elements; false when n is not a whole number of blocks.
bool RowBytes(DType t, int64_t n, size_t* bytes);
// The safetensors spelling: "F32", "BF16", ...
std::string_view DTypeName(DType t);
// Parses a safetensors dtype name; nullopt if unknown.
std::optional<DType> DTypeFromName(std::string_view name);

}  // namespace qw
