#pragma once
// Random block-quantized weights for kernel tests: random bytes with sane fp16 scales.

#include <cstdint>
#include <random>
#include <vector>

#include "qianwen/core/dtype.h"
#include "qianwen/core/half.h"
#include "qianwen/kernels/quant/blocks.h"

namespace qw::kernels {

// Random blocks with sane fp16 scales (random bytes elsewhere).
inline std::vector<uint8_t> RandomBlocks(DType t, int64_t rows, int64_t k, std::mt19937& rng) {
  const size_t nb = static_cast<size_t>(k) / DTypeBlockElements(t) * static_cast<size_t>(rows);
  const size_t bb = DTypeBlockBytes(t);
  std::vector<uint8_t> w(nb * bb);
  for (auto& b : w) b = static_cast<uint8_t>(rng());
  using namespace quant;
  std::uniform_real_distribution<float> sc(0.002f, 0.05f);
  auto h = [&]() { return F32ToF16(sc(rng)); };
  for (size_t i = 0; i < nb; ++i) {
    uint8_t* p = w.data() + i * bb;
    switch (t) {
      case DType::kQ4_0:
        reinterpret_cast<BlockQ4_0*>(p)->d = h();
        break;
      case DType::kQ4_1:
        reinterpret_cast<BlockQ4_1*>(p)->d = h();
        reinterpret_cast<BlockQ4_1*>(p)->m = h();
        break;
      case DType::kQ5_0:
        reinterpret_cast<BlockQ5_0*>(p)->d = h();
        break;
      case DType::kQ5_1:
        reinterpret_cast<BlockQ5_1*>(p)->d = h();
        reinterpret_cast<BlockQ5_1*>(p)->m = h();
        break;
      case DType::kQ8_0:
        reinterpret_cast<BlockQ8_0*>(p)->d = h();
        break;
      case DType::kQ2_K:
        reinterpret_cast<BlockQ2_K*>(p)->d = h();
        reinterpret_cast<BlockQ2_K*>(p)->dmin = h();
        break;
      case DType::kQ3_K:
        reinterpret_cast<BlockQ3_K*>(p)->d = h();
        break;
      case DType::kQ4_K:
        reinterpret_cast<BlockQ4_K*>(p)->d = h();
        reinterpret_cast<BlockQ4_K*>(p)->dmin = h();
        break;
      case DType::kQ5_K:
        reinterpret_cast<BlockQ5_K*>(p)->d = h();
        reinterpret_cast<BlockQ5_K*>(p)->dmin = h();
        break;
      case DType::kQ6_K:
        reinterpret_cast<BlockQ6_K*>(p)->d = h();
        break;
      default:
        break;
    }
  }
  return w;
}

}  // namespace qw::kernels
