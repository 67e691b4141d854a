// Generation-step row dots with 16-bit activations (q16.h): the quantizer's contract, every
// AVX2 kernel against the scalar reference on odd shapes, and which tables use them.

#include "qianwen/kernels/q16.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/random_blocks.h"
#include "qianwen/core/aligned.h"
#include "qianwen/kernels/avx2/rowdot_q16_avx2.h"
#include "qianwen/kernels/kernel_table.h"
#include "qianwen/kernels/quant/dequant.h"

namespace qw::kernels {
namespace {

struct Quantized {
  AlignedVector<int16_t> q, qn;
  std::vector<float> dx, fq, fq16;
  q16::Acts acts() const { return {q.data(), qn.data(), dx.data(), fq.data(), fq16.data()}; }
};

Quantized QuantizeAll(const std::vector<float>& x) {
  const auto k = static_cast<int64_t>(x.size());
  Quantized r;
  r.q.resize(x.size());
  r.qn.resize(x.size());
  r.dx.resize(x.size() / 32);
  r.fq.resize(x.size() / 32);
  r.fq16.resize(x.size() / 16);
  q16::Quantize(x.data(), k, r.q.data(), r.qn.data(), r.dx.data(), r.fq.data(), r.fq16.data());
  return r;
}

TEST(Q16, QuantizeKeepsEveryValueWithinHalfAStep) {
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.0f, 3.0f);
  std::vector<float> x(32 * 9);
  for (auto& v : x) v = nd(rng);
  for (int j = 0; j < 32; ++j) x[32 + j] = 0.0f;        // an all-zero block
  x[64 + 5] = 1e30f;                                    // a huge value among ordinary ones
  for (int j = 0; j < 32; ++j) x[96 + j] = 1e-30f * j;  // tiny values
  x[128 + 31] = -x[128 + 31] - 100.0f;                  // the largest is negative
  const Quantized a = QuantizeAll(x);
  for (size_t b = 0; b < x.size() / 32; ++b) {
    SCOPED_TRACE(b);
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * b + j]));
    EXPECT_FLOAT_EQ(a.dx[b], amax / 32767.0f);
    int64_t sum[2] = {0, 0};
    for (int j = 0; j < 32; ++j) {
      const int16_t q = a.q[32 * b + static_cast<size_t>(q16::Position(j))];
      EXPECT_EQ(a.qn[32 * b + static_cast<size_t>(j)], q);
      EXPECT_GE(q, -32767);
      EXPECT_LE(std::fabs(static_cast<double>(a.dx[b]) * q - x[32 * b + j]),
                0.5 * a.dx[b] * (1 + 1e-6))
          << "value " << j;
      sum[j / 16] += q;
    }
    EXPECT_FLOAT_EQ(a.fq[b], a.dx[b] * static_cast<float>(sum[0] + sum[1]));
    EXPECT_FLOAT_EQ(a.fq16[2 * b], a.dx[b] * static_cast<float>(sum[0]));
    EXPECT_FLOAT_EQ(a.fq16[2 * b + 1], a.dx[b] * static_cast<float>(sum[1]));
  }
  EXPECT_EQ(a.dx[1], 0.0f);
  for (int j = 0; j < 32; ++j) EXPECT_EQ(a.q[32 + j], 0);
  // The largest value maps to +-32767, the order is the unpacks' (0..7, 16..23, 8..15, 24..31).
  EXPECT_EQ(a.q[64 + q16::Position(5)], 32767);
  EXPECT_EQ(a.q[128 + q16::Position(31)], -32767);
  EXPECT_EQ(q16::Position(8), 16);
  EXPECT_EQ(q16::Position(16), 8);
  EXPECT_EQ(q16::Position(24), 24);
}

TEST(Q16, Avx2QuantizerIsBitIdentical) {
  if (DetectIsa() < Isa::kAvx2) GTEST_SKIP() << "this CPU has no avx2";
  std::mt19937 rng(9);
  std::normal_distribution<float> nd(0.0f, 2.0f);
  std::vector<float> x(32 * 40);
  for (auto& v : x) v = nd(rng);
  for (int j = 0; j < 32; ++j) x[32 * 3 + j] = 0.0f;
  for (int j = 0; j < 32; ++j) x[32 * 4 + j] = (j % 2 ? -0.5f : 0.5f) * 32767.0f / 16384.0f;
  x[32 * 5 + 9] = -3e38f;
  const Quantized ref = QuantizeAll(x);
  AlignedVector<int16_t> q(x.size()), qn(x.size());
  std::vector<float> dx(x.size() / 32), fq(dx.size()), fq16(2 * dx.size());
  avx2::QuantizeQ16(x.data(), static_cast<int64_t>(x.size()), q.data(), qn.data(), dx.data(),
                    fq.data(), fq16.data());
  for (size_t j = 0; j < x.size(); ++j) {
    ASSERT_EQ(q[j], ref.q[j]) << j;
    ASSERT_EQ(qn[j], ref.qn[j]) << j;
  }
  for (size_t b = 0; b < dx.size(); ++b) {
    EXPECT_EQ(dx[b], ref.dx[b]);
    EXPECT_EQ(fq[b], ref.fq[b]);
    EXPECT_EQ(fq16[2 * b], ref.fq16[2 * b]);
    EXPECT_EQ(fq16[2 * b + 1], ref.fq16[2 * b + 1]);
  }
}

TEST(Q16, ReferenceIsTheDequantizedProduct) {
  std::mt19937 rng(6);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int64_t k = 512;
  auto w = RandomBlocks(DType::kQ4_K, 1, k, rng);
  std::vector<float> x(k), row(k);
  for (auto& v : x) v = nd(rng);
  const Quantized a = QuantizeAll(x);
  quant::DequantizerFor(DType::kQ4_K)(w.data(), row.data(), k);
  double s = 0;
  for (int64_t j = 0; j < k; ++j)
    s += row[j] * static_cast<double>(a.dx[j / 32]) * a.q[j / 32 * 32 + q16::Position(j % 32)];
  EXPECT_NEAR(q16::RowDotRef(DType::kQ4_K, w.data(), a.acts(), k), s, 1e-6 * std::fabs(s) + 1e-9);
}

struct Kernel {
  DType type;
  q16::RowDotFn fn;
};

class Q16Avx2Test : public ::testing::TestWithParam<Kernel> {};

TEST_P(Q16Avx2Test, MatchesTheScalarReference) {
  if (DetectIsa() < Isa::kAvx2) GTEST_SKIP() << "this CPU has no avx2";
  const Kernel kern = GetParam();
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int64_t blk = static_cast<int64_t>(DTypeBlockElements(kern.type));
  // One block, a few, an odd count, and a long row (Qwen2.5's FFN width for the 32-blocks).
  for (int64_t kb : {int64_t{1}, int64_t{2}, int64_t{3}, int64_t{7}, 4864 / blk}) {
    const int64_t k = kb * blk;
    SCOPED_TRACE(testing::Message() << DTypeName(kern.type) << " k=" << k);
    const int64_t rows = 5;
    auto w = RandomBlocks(kern.type, rows, k, rng);
    std::vector<float> x(static_cast<size_t>(k)), row(static_cast<size_t>(k));
    for (auto& v : x) v = nd(rng);
    if (kb == 3) x[17] = 1e4f;  // one large value: its block's steps are coarse
    const Quantized a = QuantizeAll(x);
    size_t row_bytes = 0;
    RowBytes(kern.type, k, &row_bytes);
    for (int64_t r = 0; r < rows; ++r) {
      const uint8_t* wr = w.data() + static_cast<size_t>(r) * row_bytes;
      const float ref = q16::RowDotRef(kern.type, wr, a.acts(), k);
      quant::DequantizerFor(kern.type)(wr, row.data(), k);
      double mag = 0;
      for (int64_t j = 0; j < k; ++j)
        mag += std::fabs(row[j] * static_cast<double>(a.dx[j / 32]) *
                         a.q[j / 32 * 32 + q16::Position(j % 32)]);
      EXPECT_NEAR(kern.fn(wr, a.acts(), k), ref, 2e-6 * mag + 1e-6) << "row " << r;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, Q16Avx2Test,
                         ::testing::Values(Kernel{DType::kQ8_0, avx2::RowDotQ16_Q8_0},
                                           Kernel{DType::kQ4_0, avx2::RowDotQ16_Q4_0},
                                           Kernel{DType::kQ5_0, avx2::RowDotQ16_Q5_0},
                                           Kernel{DType::kQ4_K, avx2::RowDotQ16_Q4_K},
                                           Kernel{DType::kQ6_K, avx2::RowDotQ16_Q6_K}));

// Which tables use them: AVX2 tables by default; not with float32_decode, not with int8
// activations, not the scalar or AVX-512 tables.
TEST(Q16, TablesUseThemOnAvx2Only) {
  EXPECT_FALSE(MakeKernelTable(Isa::kScalar).int16_decode);
  if (DetectIsa() < Isa::kAvx2) GTEST_SKIP() << "this CPU has no avx2";
  EXPECT_TRUE(MakeKernelTable(Isa::kAvx2).int16_decode);
  EXPECT_FALSE(MakeKernelTable(Isa::kAvx2, false, true).int16_decode);
  EXPECT_FALSE(MakeKernelTable(Isa::kAvx2, true).int16_decode);
  if (DetectIsa() >= Isa::kAvx512) {
    EXPECT_FALSE(MakeKernelTable(Isa::kAvx512).int16_decode);
  }
  // With float32_decode a generation step is float32 to the last bit of the reference's
  // tolerance; by default it is within the 16-bit steps (quant_matmul_test checks both bounds).
  std::mt19937 rng(8);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int64_t k = 896, rows = 8;
  auto w = RandomBlocks(DType::kQ5_0, rows, k, rng);
  std::vector<float> x(k), y16(rows), y32(rows);
  for (auto& v : x) v = nd(rng);
  MakeKernelTable(Isa::kAvx2)
      .MatmulFor(DType::kQ5_0)(x.data(), 1, k, w.data(), 0, rows, y16.data(), rows);
  MakeKernelTable(Isa::kAvx2, false, true)
      .MatmulFor(DType::kQ5_0)(x.data(), 1, k, w.data(), 0, rows, y32.data(), rows);
  // A row may land on the same float by chance (one of 8 did); most must not.
  int differ = 0;
  for (int64_t r = 0; r < rows; ++r) {
    differ += y16[r] != y32[r];
    EXPECT_NEAR(y16[r], y32[r], 1e-3 * std::fabs(y32[r]) + 1e-4);
  }
  EXPECT_GE(differ, rows / 2) << "the two paths should differ in the last bits";
}

}  // namespace
}  // namespace qw::kernels
