#include "qianwen/core/half_table.h"

#include "qianwen/core/half.h"

namespace qw {
namespace {

constexpr std::array<float, 65536> MakeTable() {
  std::array<float, 65536> t{};
  for (uint32_t h = 0; h < 65536; ++h) t[h] = F16ToF32(static_cast<uint16_t>(h));
  return t;
}

}  // namespace

constinit const std::array<float, 65536> kF16ToF32Table = MakeTable();

}  // namespace qw
