// The 8-bit-activation prompt product (gemm_q8.h): the scalar reference against a float64
// product of the dequantized weights and the dequantized 8-bit activations (which checks every
// type's unpacking), every SIMD kernel against the reference on odd shapes, and the kernel
// table's switch between float32 and 8-bit prompts.

#include "qianwen/kernels/gemm_q8.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <tuple>

#include "kernels/random_blocks.h"
#include "qianwen/kernels/avx2/rowdot_q8_avx2.h"
#include "qianwen/kernels/avx512/gemm_q8_avx512.h"
#include "qianwen/kernels/kernel_table.h"
#include "qianwen/kernels/quant/dequant.h"

namespace qw::kernels {
namespace {

struct Quantized {
  std::vector<int8_t> q;
  std::vector<float> d, fc;
  std::vector<int32_t> ic;
};

Quantized Quantize(q8::QuantizeFn fn, const std::vector<float>& x, int64_t n, int64_t k,
                   const q8::Layout& l) {
  Quantized a;
  a.q.resize(static_cast<size_t>(n * k));
  a.d.resize(static_cast<size_t>(n * k / l.sub));
  a.fc.resize(a.d.size());
  a.ic.resize(a.d.size());
  fn(x.data(), k, n, k, l, a.q.data(), a.d.data(), a.ic.data(), a.fc.data());
  return a;
}

// One case's operands: weights [rows, kb blocks] of type t, then activations [n, k] from nd,
// each times 1 + rng() % spread when spread > 0 (blocks of very different sizes side by side).
struct Operands {
  int64_t k;
  std::vector<uint8_t> w;
  std::vector<float> x;
};

Operands Draw(DType t, int64_t n, int64_t kb, int64_t rows, uint32_t spread, std::mt19937& rng,
              std::normal_distribution<float>& nd) {
  Operands o;
  o.k = kb * static_cast<int64_t>(DTypeBlockElements(t));
  o.w = RandomBlocks(t, rows, o.k, rng);
  o.x.resize(static_cast<size_t>(n * o.k));
  for (auto& v : o.x)
    v = spread > 0 ? nd(rng) * (1.0f + static_cast<float>(rng() % spread)) : nd(rng);
  return o;
}

// y = x8 . W^T in float64, x8 the activations after 8-bit quantization; also sum |x8 * w|.
void Expected(DType t, const std::vector<uint8_t>& w, const Quantized& a, int64_t n, int64_t k,
              int64_t rows, std::vector<double>* y, std::vector<double>* mag) {
  const q8::Layout l = q8::LayoutOf(t);
  std::vector<float> dq(static_cast<size_t>(rows * k));
  quant::DequantizerFor(t)(w.data(), dq.data(), rows * k);
  y->assign(static_cast<size_t>(n * rows), 0.0);
  mag->assign(y->size(), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t r = 0; r < rows; ++r) {
      double s = 0, m = 0;
      for (int64_t j = 0; j < k; ++j) {
        const double xv = static_cast<double>(a.q[static_cast<size_t>(i * k + j)]) *
                          a.d[static_cast<size_t>(i * (k / l.sub) + j / l.sub)];
        s += xv * dq[static_cast<size_t>(r * k + j)];
        m += std::fabs(xv * dq[static_cast<size_t>(r * k + j)]);
      }
      (*y)[static_cast<size_t>(i * rows + r)] = s;
      (*mag)[static_cast<size_t>(i * rows + r)] = m;
    }
  }
}

const DType kTypes[] = {DType::kQ8_0, DType::kQ4_0, DType::kQ4_1, DType::kQ5_0, DType::kQ5_1,
                        DType::kQ2_K, DType::kQ3_K, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};

// (tokens, k in blocks, rows): a single row, rows not a multiple of 16 or 48, several panels,
// token counts around the 4-token tile and past the 96-token block, k past the 512 slice.
const std::tuple<int64_t, int64_t, int64_t> kShapes[] = {{4, 1, 1},   {5, 3, 17},  {7, 2, 49},
                                                         {100, 1, 3}, {9, 20, 50}, {6, 3, 96}};

class GemmQ8Test : public ::testing::TestWithParam<DType> {};

TEST_P(GemmQ8Test, ReferenceMatchesDequantizedProduct) {
  const DType t = GetParam();
  const q8::Layout l = q8::LayoutOf(t);
  ASSERT_NE(l.sub, 0);
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (auto [n, kb, rows] : kShapes) {
    const auto [k, w, x] = Draw(t, n, kb, rows, 0, rng, nd);
    SCOPED_TRACE(testing::Message()
                 << DTypeName(t) << " n=" << n << " k=" << k << " rows=" << rows);
    Quantized a = Quantize(q8::QuantizeRef, x, n, k, l);
    std::vector<double> want, mag;
    Expected(t, w, a, n, k, rows, &want, &mag);
    // Rows [1, rows) only, into a wider output: r0 != 0 and ldy != rows.
    const int64_t ldy = rows + 3;
    std::vector<float> y(static_cast<size_t>(n * ldy), -7.0f);
    q8::Gemm(t, q8::QuantizeRef, q8::PanelRef, x.data(), n, k, w.data(), 0, 1, y.data(), ldy);
    q8::Gemm(t, q8::QuantizeRef, q8::PanelRef, x.data(), n, k, w.data(), 1, rows, y.data(), ldy);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t r = 0; r < rows; ++r) {
        const size_t e = static_cast<size_t>(i * rows + r);
        ASSERT_NEAR(y[static_cast<size_t>(i * ldy + r)], want[e], 1e-5 * mag[e] + 1e-6)
            << "i=" << i << " r=" << r;
      }
      for (int64_t r = rows; r < ldy; ++r) ASSERT_EQ(y[static_cast<size_t>(i * ldy + r)], -7.0f);
    }
  }
}

// An ISA path (quantizer, panel, packer) against the reference on every shape: the quantized
// activations equal bit for bit, the products to float32 rounding. pad > 0 widens the output
// (ldy = rows + pad) and checks that nothing past the rows is written.
void ExpectPathMatchesReference(DType t, uint32_t seed, q8::QuantizeFn quantize, q8::PanelFn panel,
                                q8::PackPanelFn pack, int64_t pad) {
  const q8::Layout l = q8::LayoutOf(t);
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (auto [n, kb, rows] : kShapes) {
    // Large activations too: every byte at +-127 is where 16-bit pair sums would saturate.
    const auto [k, w, x] = Draw(t, n, kb, rows, 100, rng, nd);
    SCOPED_TRACE(testing::Message()
                 << DTypeName(t) << " n=" << n << " k=" << k << " rows=" << rows);
    Quantized a = Quantize(q8::QuantizeRef, x, n, k, l);
    Quantized as = Quantize(quantize, x, n, k, l);
    ASSERT_EQ(a.q, as.q);
    ASSERT_EQ(a.d, as.d);
    ASSERT_EQ(a.ic, as.ic);
    ASSERT_EQ(a.fc, as.fc);
    const int64_t ldy = rows + pad;
    std::vector<float> yr(static_cast<size_t>(n * ldy), -3.0f), ys(yr);
    q8::Gemm(t, q8::QuantizeRef, q8::PanelRef, x.data(), n, k, w.data(), 0, rows, yr.data(), ldy);
    q8::Gemm(t, quantize, panel, x.data(), n, k, w.data(), 0, rows, ys.data(), ldy, pack);
    std::vector<double> want, mag;
    Expected(t, w, a, n, k, rows, &want, &mag);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t r = 0; r < rows; ++r) {
        const size_t e = static_cast<size_t>(i * ldy + r), m = static_cast<size_t>(i * rows + r);
        ASSERT_NEAR(ys[e], yr[e], 1e-5 * mag[m] + 1e-6) << "i=" << i << " r=" << r;
      }
      for (int64_t r = rows; r < ldy; ++r)
        ASSERT_EQ(ys[static_cast<size_t>(i * ldy + r)], -3.0f);  // nothing past the rows
    }
  }
}

TEST_P(GemmQ8Test, Avx512VnniMatchesReference) {
  if (!HasAvx512Vnni()) GTEST_SKIP() << "this CPU has no AVX-512 VNNI";
  ExpectPathMatchesReference(GetParam(), 6, avx512::QuantizeQ8, avx512::PanelQ8,
                             avx512::PackPanelQ8, 0);
}

TEST_P(GemmQ8Test, Avx2PanelMatchesReference) {
  if (DetectIsa() < Isa::kAvx2) GTEST_SKIP() << "this CPU has no AVX2";
  ExpectPathMatchesReference(GetParam(), 7, avx2::QuantizeQ8, avx2::PanelQ8, q8::PackPanelRef, 1);
}

// The gathering panel packer writes the reference packer's bytes (codes, scales, mins and the
// zero padding of missing rows), for full and partial panels and k slices.
TEST_P(GemmQ8Test, Avx512PanelPackerEqualsReference) {
  if (!HasAvx512Vnni()) GTEST_SKIP() << "this CPU has no AVX-512 VNNI";
  const DType t = GetParam();
  const q8::Layout l = q8::LayoutOf(t);
  std::mt19937 rng(9);
  const int64_t kb_total = 19, k = kb_total * static_cast<int64_t>(DTypeBlockElements(t));
  auto w = RandomBlocks(t, q8::kPanelRows, k, rng);
  size_t row_bytes = 0;
  ASSERT_TRUE(RowBytes(t, k, &row_bytes));
  const size_t panel_bytes = static_cast<size_t>(q8::kKc / l.sub * q8::SubBytes(l.sub));
  for (int64_t rows : {int64_t{48}, int64_t{1}, int64_t{17}, int64_t{33}}) {
    for (int64_t kc_blocks : {kb_total, int64_t{1}, int64_t{2}}) {
      const int64_t kc = std::min<int64_t>(q8::kKc, kc_blocks * DTypeBlockElements(t));
      SCOPED_TRACE(testing::Message() << DTypeName(t) << " rows=" << rows << " kc=" << kc);
      alignas(64) static uint8_t a[64 * 1024], b[64 * 1024];
      ASSERT_LE(panel_bytes, sizeof(a));
      std::fill_n(a, panel_bytes, 0xAB);
      std::fill_n(b, panel_bytes, 0xAB);
      q8::PackPanelRef(t, w.data(), row_bytes, rows, kc, a);
      avx512::PackPanelQ8(t, w.data(), row_bytes, rows, kc, b);
      const size_t used = static_cast<size_t>(kc / l.sub * q8::SubBytes(l.sub));
      ASSERT_EQ(std::memcmp(a, b, used), 0);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, GemmQ8Test, ::testing::ValuesIn(kTypes),
                         [](const auto& info) { return std::string(DTypeName(info.param)); });

// Generation steps (1-3 tokens) with 8-bit activations: every ISA's integer row dots against
// the reference product with the same quantized activations, on odd shapes.
class RowDotQ8Test : public ::testing::TestWithParam<std::tuple<Isa, DType>> {};

TEST_P(RowDotQ8Test, MatchesReference) {
  const auto [isa, t] = GetParam();
  if (static_cast<int>(DetectIsa()) < static_cast<int>(isa))
    GTEST_SKIP() << "this CPU has no " << IsaName(isa);
  const KernelTable kt = MakeKernelTable(isa, true);
  ASSERT_TRUE(kt.int8_activations);
  const q8::Layout l = q8::LayoutOf(t);
  std::mt19937 rng(8);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  // Block counts 1, 3, 19 (odd: the 512-bit kernels' last block pairs with nothing), 2 and 28
  // (Qwen2.5-0.5B's 896 for 32-value blocks).
  for (auto [n, kb, rows] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1},
                             {2, 3, 7},
                             {3, 2, 17},
                             {1, 19, 5},
                             {1, 28, 9}}) {
    const auto [k, w, x] = Draw(t, n, kb, rows, 50, rng, nd);
    SCOPED_TRACE(testing::Message()
                 << DTypeName(t) << " n=" << n << " k=" << k << " rows=" << rows);
    Quantized a = Quantize(q8::QuantizeRef, x, n, k, l);
    std::vector<double> want, mag;
    Expected(t, w, a, n, k, rows, &want, &mag);
    const int64_t ldy = rows + 2;
    std::vector<float> y(static_cast<size_t>(n * ldy), -7.0f);
    kt.MatmulFor(t)(x.data(), n, k, w.data(), 0, rows / 2, y.data(), ldy);
    kt.MatmulFor(t)(x.data(), n, k, w.data(), rows / 2, rows, y.data(), ldy);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t r = 0; r < rows; ++r) {
        const size_t e = static_cast<size_t>(i * rows + r);
        ASSERT_NEAR(y[static_cast<size_t>(i * ldy + r)], want[e], 1e-5 * mag[e] + 1e-6)
            << "i=" << i << " r=" << r;
      }
      for (int64_t r = rows; r < ldy; ++r) ASSERT_EQ(y[static_cast<size_t>(i * ldy + r)], -7.0f);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, RowDotQ8Test,
                         ::testing::Combine(::testing::Values(Isa::kAvx2, Isa::kAvx512),
                                            ::testing::Values(DType::kQ8_0, DType::kQ4_0,
                                                              DType::kQ5_0, DType::kQ4_K,
                                                              DType::kQ6_K)));

// The table's switch: exact tables (float32_decode: no 16-bit generation steps either, q16_test
// covers those) compute everything in float32; with int8_activations,
// generation steps and prompts use 8-bit activations on AVX2 and up (for Q4_K here; on AVX2
// without AVX-512 VNNI, Q8_0 prompts stay float32).
TEST(GemmQ8Table, Int8ActivationsSwitch) {
  const DType t = DType::kQ4_K;
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  const int64_t k = 512, rows = 40;
  auto w = RandomBlocks(t, rows, k, rng);
  std::vector<float> dq(static_cast<size_t>(rows * k));
  quant::DequantizerFor(t)(w.data(), dq.data(), rows * k);
  for (int64_t n : {1, 3, 4, 33}) {
    std::vector<float> x(static_cast<size_t>(n * k));
    for (auto& v : x) v = nd(rng);
    const KernelTable exact = MakeKernelTable(DetectIsa(), false, /*float32_decode=*/true);
    const KernelTable fast = MakeKernelTable(DetectIsa(), true);
    EXPECT_FALSE(exact.int8_activations);
    EXPECT_EQ(fast.int8_activations, DetectIsa() >= Isa::kAvx2);
    std::vector<float> ye(static_cast<size_t>(n * rows)), yf(ye.size());
    exact.MatmulFor(t)(x.data(), n, k, w.data(), 0, rows, ye.data(), rows);
    fast.MatmulFor(t)(x.data(), n, k, w.data(), 0, rows, yf.data(), rows);
    double max_exact = 0, max_fast = 0, scale = 0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t r = 0; r < rows; ++r) {
        double s = 0;
        for (int64_t j = 0; j < k; ++j)
          s += static_cast<double>(x[static_cast<size_t>(i * k + j)]) *
               dq[static_cast<size_t>(r * k + j)];
        const size_t e = static_cast<size_t>(i * rows + r);
        max_exact = std::max(max_exact, std::fabs(ye[e] - s));
        max_fast = std::max(max_fast, std::fabs(yf[e] - s));
        scale = std::max(scale, std::fabs(s));
      }
    }
    SCOPED_TRACE(testing::Message() << "n=" << n);
    EXPECT_LT(max_exact, 1e-5 * scale);
    const bool int8 = fast.int8_activations;
    if (int8) {  // 8-bit activations: small but visible error
      EXPECT_GT(max_fast, 1e-5 * scale);
      EXPECT_LT(max_fast, 2e-2 * scale);
    } else {
      EXPECT_LT(max_fast, 1e-5 * scale);
    }
  }
}

}  // namespace
}  // namespace qw::kernels
