#include "qianwen/kernels/gemm.h"

#include <algorithm>
#include <memory>

#include "qianwen/kernels/quant/dequant.h"

namespace qw::kernels {

void PanelRef(const float* x, int64_t ldx, int64_t n, const float* p, int64_t rows, int64_t kc,
              float* y, int64_t ldy, bool accumulate) {
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t r = 0; r < rows; ++r) {
      float s = 0.0f;
      for (int64_t j = 0; j < kc; ++j) s += x[i * ldx + j] * p[j * kRb + r];
      y[i * ldy + r] = accumulate ? y[i * ldy + r] + s : s;
    }
  }
}

void PackTransposedRef(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                       float* tmp, float* p) {
  const quant::DequantFn dq = quant::DequantizerFor(t);
  for (int64_t r = 0; r < kRb; ++r) {
    if (r < rows) dq(src + static_cast<size_t>(r) * row_bytes, tmp, kc);
    for (int64_t j = 0; j < kc; ++j) p[j * kRb + r] = r < rows ? tmp[j] : 0.0f;
  }
}

void PrefetchNextPanel(DType t, const uint8_t* base, size_t row_bytes, int64_t k, int64_t slice,
                       int64_t kb, int64_t rb, int64_t panel_rows, int64_t r0, int64_t r1) {
  int64_t next_kb = kb, next_rb = rb + panel_rows;
  if (next_rb >= r1) {
    next_kb = kb + slice;
    next_rb = r0;
    if (next_kb >= k) return;
  }
  const size_t be = DTypeBlockElements(t), bb = DTypeBlockBytes(t);
  const size_t off = static_cast<size_t>(next_kb) / be * bb;
  const size_t bytes = static_cast<size_t>(std::min(slice, k - next_kb)) / be * bb;
  for (int64_t r = next_rb; r < std::min(next_rb + panel_rows, r1); ++r) {
    const uint8_t* p = base + static_cast<size_t>(r) * row_bytes + off;
    for (size_t o = 0; o < bytes; o += 64) __builtin_prefetch(p + o, 0, 2);
  }
}

void Gemm(DType t, PanelFn panel, PanelFormat format, PackFn pack, const float* x, int64_t n,
          int64_t k, const void* w, int64_t r0, int64_t r1, float* y, int64_t ldy) {
  const quant::DequantFn dq = quant::DequantizerFor(t);
  size_t row_bytes = 0;
  RowBytes(t, k, &row_bytes);
  const size_t be = DTypeBlockElements(t), bb = DTypeBlockBytes(t);
  // Scratch left uninitialized (every panel is written in full before it is read): zeroing
  // 576 KB per call was 2 % of a prompt.
  const auto buf = std::make_unique_for_overwrite<float[]>(static_cast<size_t>(kMb * kRb * kKc));
  const auto tmp = std::make_unique_for_overwrite<float[]>(static_cast<size_t>(kRb * kKc));
  const auto* base = static_cast<const uint8_t*>(w);
  const int64_t kblock = KBlock(format, k);
  // Panels packed together: kMb, fewer for blocks wider than kKc (the same buffer).
  const int64_t max_panels = kblock > kKc ? std::max<int64_t>(1, kMb * kKc / kblock) : kMb;
  for (int64_t kb = 0; kb < k; kb += kblock) {
    const int64_t kc = std::min(kblock, k - kb);
    const size_t slice_off = static_cast<size_t>(kb) / be * bb;
    for (int64_t mb = r0; mb < r1; mb += max_panels * kRb) {
      // Pack up to max_panels panels (they stay in L2) ...
      const int64_t np = std::min(max_panels, (r1 - mb + kRb - 1) / kRb);
      for (int64_t p = 0; p < np; ++p) {
        const int64_t rb = mb + p * kRb, rows = std::min(kRb, r1 - rb);
        const uint8_t* src = base + static_cast<size_t>(rb) * row_bytes + slice_off;
        float* pan = buf.get() + p * kRb * kblock;
        if (format == PanelFormat::kRowMajor) {
          for (int64_t r = 0; r < rows; ++r)
            dq(src + static_cast<size_t>(r) * row_bytes, pan + r * kc, kc);
        } else {
          pack(t, src, row_bytes, rows, kc, tmp.get(), pan);
        }
        PrefetchNextPanel(t, base, row_bytes, k, kblock, kb, rb, kRb, r0, r1);
      }
      // ... then each small block of tokens (its x slice stays in L1) runs across all of them.
      for (int64_t tb = 0; tb < n; tb += kTb) {
        const int64_t nt = std::min(kTb, n - tb);
        for (int64_t p = 0; p < np; ++p) {
          const int64_t rb = mb + p * kRb, rows = std::min(kRb, r1 - rb);
          panel(x + tb * k + kb, k, nt, buf.get() + p * kRb * kblock, rows, kc, y + tb * ldy + rb,
                ldy, kb > 0);
        }
      }
    }
  }
}

}  // namespace qw::kernels
