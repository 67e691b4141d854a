// Every matmul path the CPU has against the scalar reference, on odd shapes: k not a multiple
// of the vector width, a single row, many tokens, large k. Paths the CPU lacks are skipped.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

#include "qianwen/core/half.h"
#include "qianwen/core/half_table.h"
#include "qianwen/kernels/gemm.h"
#include "qianwen/kernels/kernel_table.h"
#include "qianwen/kernels/ops.h"

namespace qw::kernels {
namespace {

struct Shape3 {
  int64_t n, k, rows;
};

std::vector<uint8_t> RandomWeights(DType t, int64_t count, std::mt19937& rng) {
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<uint8_t> out(static_cast<size_t>(count) * DTypeSize(t));
  for (int64_t i = 0; i < count; ++i) {
    float f = d(rng);
    if (t == DType::kF32) std::memcpy(out.data() + 4 * i, &f, 4);
    uint16_t h = t == DType::kF16 ? F32ToF16(f) : F32ToBf16(f);
    if (t != DType::kF32) std::memcpy(out.data() + 2 * i, &h, 2);
  }
  return out;
}

class MatmulTest : public ::testing::TestWithParam<std::tuple<Isa, DType>> {};

TEST_P(MatmulTest, MatchesScalarReference) {
  const auto [isa, dtype] = GetParam();
  if (static_cast<int>(DetectIsa()) < static_cast<int>(isa)) {
    GTEST_SKIP() << "this CPU has no " << IsaName(isa);
  }
  KernelTable simd = MakeKernelTable(isa), ref = MakeKernelTable(Isa::kScalar);
  ASSERT_EQ(simd.isa, isa);
  std::mt19937 rng(7);
  std::normal_distribution<float> d(0.0f, 1.0f);
  for (Shape3 s : {Shape3{1, 1, 1}, Shape3{1, 7, 3}, Shape3{1, 64, 5}, Shape3{3, 33, 17},
                   Shape3{4, 64, 16}, Shape3{5, 100, 9}, Shape3{9, 37, 1}, Shape3{1, 4099, 3},
                   Shape3{6, 896, 13}, Shape3{7, 530, 100}, Shape3{12, 50, 49}, Shape3{5, 896, 250},
                   Shape3{8, 24, 5}, Shape3{4, 1000, 7}, Shape3{5, 1032, 11}}) {
    SCOPED_TRACE(testing::Message() << "n=" << s.n << " k=" << s.k << " rows=" << s.rows);
    auto w = RandomWeights(dtype, s.rows * s.k, rng);
    std::vector<float> x(static_cast<size_t>(s.n * s.k));
    for (auto& v : x) v = d(rng);
    // Output with a leading dimension wider than rows, and a sub-range of rows, as threads use it.
    const int64_t ldy = s.rows + 3;
    std::vector<float> y_ref(static_cast<size_t>(s.n * ldy), -7.0f), y(y_ref);
    ref.MatmulFor(dtype)(x.data(), s.n, s.k, w.data(), 0, s.rows, y_ref.data(), ldy);
    int64_t half = s.rows / 2;
    simd.MatmulFor(dtype)(x.data(), s.n, s.k, w.data(), 0, half, y.data(), ldy);
    simd.MatmulFor(dtype)(x.data(), s.n, s.k, w.data(), half, s.rows, y.data(), ldy);
    for (int64_t i = 0; i < s.n; ++i) {
      for (int64_t r = 0; r < ldy; ++r) {
        float a = y[i * ldy + r], b = y_ref[i * ldy + r];
        if (r >= s.rows) {
          EXPECT_EQ(a, -7.0f) << "wrote outside its rows";
          continue;
        }
        // Different summation order only: relative to the sqrt(k) scale of these dot products.
        EXPECT_NEAR(a, b, 1e-5f * std::sqrt(static_cast<float>(s.k)) * 4)
            << "i=" << i << " r=" << r;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Paths, MatmulTest,
    ::testing::Combine(::testing::Values(Isa::kScalar, Isa::kAvx2, Isa::kAvx512),
                       ::testing::Values(DType::kF32, DType::kF16, DType::kBF16)));

TEST(KernelTable, QwIsaCapsTheTable) {
  EXPECT_EQ(MakeKernelTable(Isa::kScalar).isa, Isa::kScalar);
  EXPECT_FALSE(ParseIsa("avx9").ok());
  EXPECT_NE(ParseIsa("avx9").status().message().find("unknown ISA 'avx9'"), std::string::npos);
  setenv("QW_ISA", "scalar", 1);
  auto t = MakeKernelTableFromEnv();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->isa, Isa::kScalar);
  setenv("QW_ISA", "bogus", 1);
  EXPECT_FALSE(MakeKernelTableFromEnv().ok());
  unsetenv("QW_ISA");
}

// The AVX-512 panel packer (16 x 16 register transposes) against the scalar one: every weight
// type, partial row groups, k not a multiple of 16.
TEST(Pack, Avx512TransposedPanelsEqualTheReference) {
  if (DetectIsa() < Isa::kAvx512) GTEST_SKIP() << "this CPU has no avx512";
  std::mt19937 rng(9);
  for (DType t : {DType::kF32, DType::kF16, DType::kBF16, DType::kQ8_0, DType::kQ4_0, DType::kQ5_0,
                  DType::kQ4_K, DType::kQ6_K, DType::kQ5_K, DType::kQ3_K}) {
    const int64_t blk = static_cast<int64_t>(DTypeBlockElements(t));
    for (int64_t kc : {int64_t{1}, int64_t{17}, int64_t{64}, int64_t{256}, int64_t{512}}) {
      if (kc % blk != 0) continue;
      for (int64_t rows : {1, 15, 16, 33, 48}) {
        SCOPED_TRACE(testing::Message() << DTypeName(t) << " kc=" << kc << " rows=" << rows);
        std::vector<uint8_t> w;
        if (blk == 1) {
          w = RandomWeights(t, rows * kc, rng);
        } else {
          w.resize(static_cast<size_t>(rows * kc / blk) * DTypeBlockBytes(t));
          for (auto& b : w) b = static_cast<uint8_t>(rng() & 0x3b);  // small, finite scales
        }
        size_t row_bytes = 0;
        ASSERT_TRUE(RowBytes(t, kc, &row_bytes));
        std::vector<float> tmp(static_cast<size_t>(kRb * kKc)), a(static_cast<size_t>(kRb * kc), 1),
            b(a.size(), 2);
        PackTransposedRef(t, w.data(), row_bytes, rows, kc, tmp.data(), a.data());
        avx512::PackTransposed(t, w.data(), row_bytes, rows, kc, tmp.data(), b.data());
        for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << i;
      }
    }
  }
}

TEST(Ops, RmsNormSoftmaxRopeSilu) {
  float x[4] = {1, 2, 3, 4}, w[4] = {1, 1, 2, 0.5f}, out[4];
  RmsNorm(x, w, DType::kF32, 4, 0.0f, out);
  const float inv = 1.0f / std::sqrt(30.0f / 4);
  EXPECT_FLOAT_EQ(out[0], 1 * inv);
  EXPECT_FLOAT_EQ(out[2], 2 * 3 * inv);
  EXPECT_FLOAT_EQ(out[3], 0.5f * 4 * inv);

  float s[3] = {10, 10, 10 - std::log(2.0f)};
  Softmax(s, 3);
  EXPECT_NEAR(s[0], 0.4f, 1e-6);
  EXPECT_NEAR(s[2], 0.2f, 1e-6);

  // rotate-half: pairs (0,2), (1,3).
  float q[4] = {1, 2, 3, 4}, c[2] = {0, 1}, sn[2] = {1, 0};
  RopeRotateHalf(q, 4, c, sn);
  EXPECT_FLOAT_EQ(q[0], -3);  // 1*0 - 3*1
  EXPECT_FLOAT_EQ(q[2], 1);   // 3*0 + 1*1
  EXPECT_FLOAT_EQ(q[1], 2);
  EXPECT_FLOAT_EQ(q[3], 4);

  float g[2] = {0, 2}, u[2] = {5, 3};
  SiluMul(g, u, 2);
  EXPECT_FLOAT_EQ(g[0], 0);
  EXPECT_NEAR(g[1], 2 / (1 + std::exp(-2.0f)) * 3, 1e-6);
}

TEST(Ops, SoftmaxOfEveryPathMatchesTheReference) {
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.0f, 8.0f);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (static_cast<int>(DetectIsa()) < static_cast<int>(isa)) {
      std::printf("skipped: this CPU has no %s\n", IsaName(isa));
      continue;
    }
    KernelTable kt = MakeKernelTable(isa);
    for (int64_t n : {1, 2, 7, 8, 9, 15, 16, 17, 33, 1000}) {
      std::vector<float> x(static_cast<size_t>(n));
      for (auto& v : x) v = nd(rng);
      if (n > 3) x[2] = -1e30f;  // a masked-like score: exactly 0 after softmax
      std::vector<float> ref = x;
      Softmax(ref.data(), n);
      kt.softmax(x.data(), n);
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        EXPECT_NEAR(x[i], ref[i], 2e-6f * ref[i] + 1e-12f)
            << IsaName(isa) << " n=" << n << " i=" << i;
        sum += x[i];
      }
      EXPECT_NEAR(sum, 1.0, 1e-5) << IsaName(isa) << " n=" << n;
      if (n > 3) {
        EXPECT_EQ(x[2], 0.0f) << IsaName(isa);
      }
    }
  }
}

TEST(Ops, SiluMulOfEveryPathMatchesTheReference) {
  std::vector<float> g, u;
  for (float v = -100.0f; v <= 100.0f; v += 0.0137f) {
    g.push_back(v);
    u.push_back(0.5f + v * 0.01f);
  }
  g.push_back(0.0f);
  u.push_back(1.0f);
  std::vector<float> ref = g;
  SiluMul(ref.data(), u.data(), static_cast<int64_t>(ref.size()));
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512}) {
    if (static_cast<int>(DetectIsa()) < static_cast<int>(isa)) continue;
    KernelTable kt = MakeKernelTable(isa);
    for (int64_t n : {int64_t{1}, int64_t{15}, int64_t{17}, static_cast<int64_t>(g.size())}) {
      std::vector<float> y(g.begin(), g.begin() + n);
      kt.silu_mul(y.data(), u.data(), n);
      for (int64_t i = 0; i < n; ++i) {
        EXPECT_NEAR(y[i], ref[i], 4e-7f * std::fabs(ref[i]) + 1e-30f)
            << IsaName(isa) << " x=" << g[i];
      }
    }
  }
}

TEST(Half, ConversionsAreExactOrRoundToNearestEven) {
  EXPECT_EQ(Bf16ToF32(0x3f80), 1.0f);
  EXPECT_EQ(F32ToBf16(1.0f), 0x3f80);
  EXPECT_EQ(F32ToBf16(Bf16ToF32(0xc123)), 0xc123);
  // 1 + 2^-8 is exactly halfway between two bf16 values: ties to even (down).
  EXPECT_EQ(F32ToBf16(1.00390625f), 0x3f80);
  EXPECT_TRUE(std::isnan(Bf16ToF32(F32ToBf16(NAN))));
  for (uint32_t h = 0; h < 0x10000; ++h) {
    float f = F16ToF32(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(F32ToF16(f), h) << std::hex << h;  // every half survives a round trip
  }
  EXPECT_EQ(F16ToF32(0x3c00), 1.0f);
  EXPECT_EQ(F16ToF32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(F32ToF16(65520.0f), 0x7c00);               // rounds to infinity
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -25)), 0x0000);  // halfway to the smallest subnormal: even
  EXPECT_EQ(F32ToF16(std::ldexp(1.5f, -25)), 0x0001);
}

// The kernels' scale table (half_table.h) holds F16ToF32 of every half, NaN payloads included.
TEST(Half, TableIsTheConversionBitForBit) {
  static_assert(F16ToF32(0x3c00) == 1.0f);  // made at compile time
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const auto bits = static_cast<uint16_t>(h);
    ASSERT_EQ(std::bit_cast<uint32_t>(F16ToF32Table(bits)), std::bit_cast<uint32_t>(F16ToF32(bits)))
        << std::hex << h;
  }
  EXPECT_EQ(F16ToF32Table(0xc000), -2.0f);
  EXPECT_TRUE(std::isinf(F16ToF32Table(0x7c00)));
}

}  // namespace
}  // namespace qw::kernels
