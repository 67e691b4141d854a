#include "qianwen/core/dtype.h"

namespace qw {
namespace {

struct DTypeInfo {
  DType type;
  std::string_view name;
  size_t size;         // bytes per element, 0 for block types
  size_t block_elems;  // elements per block
  size_t block_bytes;  // bytes per block
};

constexpr DTypeInfo kDTypes[] = {
    {DType::kF64, "F64", 8, 1, 8},       {DType::kF32, "F32", 4, 1, 4},
    {DType::kF16, "F16", 2, 1, 2},       {DType::kBF16, "BF16", 2, 1, 2},
    {DType::kI64, "I64", 8, 1, 8},       {DType::kI32, "I32", 4, 1, 4},
    {DType::kI16, "I16", 2, 1, 2},       {DType::kI8, "I8", 1, 1, 1},
    {DType::kU8, "U8", 1, 1, 1},         {DType::kBool, "BOOL", 1, 1, 1},
    {DType::kQ4_0, "Q4_0", 0, 32, 18},   {DType::kQ4_1, "Q4_1", 0, 32, 20},
    {DType::kQ5_0, "Q5_0", 0, 32, 22},   {DType::kQ5_1, "Q5_1", 0, 32, 24},
    {DType::kQ8_0, "Q8_0", 0, 32, 34},   {DType::kQ2_K, "Q2_K", 0, 256, 84},
    {DType::kQ3_K, "Q3_K", 0, 256, 110}, {DType::kQ4_K, "Q4_K", 0, 256, 144},
    {DType::kQ5_K, "Q5_K", 0, 256, 176}, {DType::kQ6_K, "Q6_K", 0, 256, 210},
};

const DTypeInfo* Info(DType t) {
  for (const auto& d : kDTypes)
    if (d.type == t) return &d;
  return nullptr;
}

}  // namespace

size_t DTypeSize(DType t) { return Info(t) ? Info(t)->size : 0; }
bool IsQuantized(DType t) { return Info(t) && Info(t)->size == 0; }
size_t DTypeBlockElements(DType t) { return Info(t) ? Info(t)->block_elems : 1; }
size_t DTypeBlockBytes(DType t) { return Info(t) ? Info(t)->block_bytes : 0; }

bool RowBytes(DType t, int64_t n, size_t* bytes) {
  const DTypeInfo* d = Info(t);
  if (!d || n < 0 || static_cast<size_t>(n) % d->block_elems != 0) return false;
  *bytes = static_cast<size_t>(n) / d->block_elems * d->block_bytes;
  return true;
}

std::string_view DTypeName(DType t) { return Info(t) ? Info(t)->name : "?"; }

std::optional<DType> DTypeFromName(std::string_view name) {
  for (const auto& d : kDTypes)
    if (d.name == name && d.size != 0) return d.type;  // safetensors names: plain types only
  return std::nullopt;
}

}  // namespace qw
