// Block-quantized matmuls: every ISA path against the scalar reference, on random blocks, and
// the reference against a plain dequantize-then-multiply.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "kernels/random_blocks.h"
#include "qianwen/core/half.h"
#include "qianwen/kernels/gemm.h"
#include "qianwen/kernels/kernel_table.h"
#include "qianwen/kernels/quant/blocks.h"
#include "qianwen/kernels/quant/dequant.h"

namespace qw::kernels {
namespace {

using namespace quant;

class QuantMatmulTest : public ::testing::TestWithParam<std::tuple<Isa, DType>> {};

TEST_P(QuantMatmulTest, MatchesDequantizeThenMultiply) {
  const auto [isa, t] = GetParam();
  if (static_cast<int>(DetectIsa()) < static_cast<int>(isa))
    GTEST_SKIP() << "this CPU has no " << IsaName(isa);
  KernelTable kt = MakeKernelTable(isa);
  MatmulFn fn = kt.MatmulFor(t);
  ASSERT_NE(fn, nullptr);
  std::mt19937 rng(11);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int64_t blk = static_cast<int64_t>(DTypeBlockElements(t));
  for (auto [n, kb, rows] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1},
                             {1, 3, 7},
                             {1, 2, 23},
                             {4, 2, 5},
                             {5, 7, 3},
                             {9, 1, 2},
                             {5, 0, 230}}) {
    // kb 0: rows as wide as the AVX2 prompt GEMM takes in one k block (gemm.h's kKcWhole), and
    // more rows than one pack of its wide panels holds.
    const int64_t k = kb > 0 ? kb * blk : kKcWhole / blk * blk;
    SCOPED_TRACE(testing::Message()
                 << DTypeName(t) << " n=" << n << " k=" << k << " rows=" << rows);
    auto w = RandomBlocks(t, rows, k, rng);
    std::vector<float> x(static_cast<size_t>(n * k));
    for (auto& v : x) v = nd(rng);
    std::vector<float> y(static_cast<size_t>(n * rows), -1.0f);
    // Two row ranges, as the threads split them (the second starts mid-matrix).
    fn(x.data(), n, k, w.data(), 0, rows / 3, y.data(), rows);
    fn(x.data(), n, k, w.data(), rows / 3, rows, y.data(), rows);
    // Reference: dequantize all rows, multiply in double.
    std::vector<float> dq(static_cast<size_t>(rows * k));
    DequantizerFor(t)(w.data(), dq.data(), rows * k);
    // Generation steps with 16-bit activations (q16.h) may also lose half a step of each value,
    // max|x| / 32767 / 2 of its 32-value block, times the weight.
    const bool q16 = kt.int16_decode && n < 4 && t != DType::kQ4_1 && t != DType::kQ5_1 &&
                     t != DType::kQ2_K && t != DType::kQ3_K && t != DType::kQ5_K;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t r = 0; r < rows; ++r) {
        double s = 0, mag = 0, step = 0;
        for (int64_t j = 0; j < k; ++j) {
          s += static_cast<double>(x[i * k + j]) * dq[r * k + j];
          mag += std::fabs(static_cast<double>(x[i * k + j]) * dq[r * k + j]);
          if (q16) {
            double amax = 0;
            for (int64_t e = j / 32 * 32; e < j / 32 * 32 + 32; ++e)
              amax = std::max(amax, std::fabs(static_cast<double>(x[i * k + e])));
            step += std::fabs(static_cast<double>(dq[r * k + j])) * amax / 32767.0 / 2;
          }
        }
        EXPECT_NEAR(y[i * rows + r], s, 1e-5 * mag + step + 1e-6) << "i=" << i << " r=" << r;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Paths, QuantMatmulTest,
    ::testing::Combine(::testing::Values(Isa::kScalar, Isa::kAvx2, Isa::kAvx512),
                       ::testing::Values(DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1,
                                         DType::kQ8_0, DType::kQ2_K, DType::kQ3_K, DType::kQ4_K,
                                         DType::kQ5_K, DType::kQ6_K)));

// The word-at-a-time unpacking of the Q4_K / Q5_K scales and mins equals the per-index one.
TEST(BlockScales, AllEightAtOnceEqualOneByOne) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20000; ++trial) {
    uint8_t packed[12];
    for (auto& v : packed) v = static_cast<uint8_t>(rng());
    uint8_t sc[8], m[8];
    ScalesMinsK4(packed, sc, m);
    for (int j = 0; j < 8; ++j) {
      uint8_t d1, m1;
      ScaleMinK4(j, packed, &d1, &m1);
      ASSERT_EQ(sc[j], d1) << "j=" << j;
      ASSERT_EQ(m[j], m1) << "j=" << j;
    }
  }
}

}  // namespace
}  // namespace qw::kernels
