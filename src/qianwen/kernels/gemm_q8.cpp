#include "qianwen/kernels/gemm_q8.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "qianwen/core/half.h"
#include "qianwen/core/status.h"
#include "qianwen/kernels/gemm.h"
#include "qianwen/kernels/quant/blocks.h"

namespace qw::kernels::q8 {

using namespace quant;

Layout LayoutOf(DType t) {
  switch (t) {
    case DType::kQ8_0:
      return {32, 128, false};
    case DType::kQ4_0:
      return {32, 8, false};
    case DType::kQ5_0:
      return {32, 16, false};
    case DType::kQ4_1:
    case DType::kQ5_1:
    case DType::kQ4_K:
    case DType::kQ5_K:
      return {32, 0, true};
    case DType::kQ2_K:
      return {16, 0, true};
    case DType::kQ3_K:
      return {16, 4, false};
    case DType::kQ6_K:
      return {16, 32, false};
    default:
      return {};
  }
}

void QuantizeRef(const float* x, int64_t ldx, int64_t n, int64_t k, const Layout& l, int8_t* q,
                 float* d, int32_t* ic, float* fc) {
  const int per = 32 / l.sub;  // sub-blocks per 32 values
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t b = 0; b < k / 32; ++b) {
      const float* xb = x + i * ldx + b * 32;
      int8_t* qb = q + i * k + b * 32;
      float amax = 0.0f;
      for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(xb[j]));
      const float db = amax / 127.0f;
      const float id = db != 0.0f ? 1.0f / db : 0.0f;
      for (int j = 0; j < 32; ++j) {
        // fmax/fmin also map NaN to a bound: no undefined conversion.
        const float v = std::fmin(std::fmax(xb[j] * id, -127.0f), 127.0f);
        qb[j] = static_cast<int8_t>(std::nearbyint(v));
      }
      for (int p = 0; p < per; ++p) {
        int32_t sum = 0;
        for (int j = 0; j < l.sub; ++j) sum += qb[p * l.sub + j];
        const int64_t c = i * (k / l.sub) + b * per + p;
        d[c] = db;
        ic[c] = l.offset * sum;
        fc[c] = db * static_cast<float>(sum);
      }
    }
  }
}

void PrepareLanes(const int32_t* ic, const float* d, int64_t k, int sub, int32_t* c16, float* d16) {
  const int64_t per = sub / 4, lanes = 16 * ((k + 63) / 64);
  std::fill_n(c16, lanes, 0);
  std::fill_n(d16, lanes, 0.0f);
  for (int64_t s = 0; s < k / sub; ++s) {
    c16[per * s] = -ic[s];
    std::fill_n(d16 + per * s, per, d[s]);
  }
}

void PanelRef(const Layout& l, const ActsView& a, int64_t n, const uint8_t* panel, int64_t nsub,
              int64_t rows, float* y, int64_t ldy, bool accumulate) {
  const int64_t sb = SubBytes(l.sub), gb = GroupBytes(l.sub);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t g = r / kGroupRows, lane = r % kGroupRows;
      float acc = 0.0f;
      for (int64_t b = 0; b < nsub; ++b) {
        const uint8_t* gp = panel + b * sb + g * gb;
        const int8_t* qb = a.q + i * a.ldq + b * l.sub;
        int32_t dot = 0;
        for (int j = 0; j < l.sub / 4; ++j)
          for (int e = 0; e < 4; ++e) dot += gp[j * 64 + lane * 4 + e] * qb[4 * j + e];
        float s, m;
        std::memcpy(&s, gp + l.sub * kGroupRows + lane * 4, 4);
        std::memcpy(&m, gp + l.sub * kGroupRows + 64 + lane * 4, 4);
        const int64_t c = i * a.ldc + b;
        if (!l.has_min) dot -= a.ic[c];
        acc += static_cast<float>(dot) * a.d[c] * s;
        if (l.has_min) acc += m * a.fc[c];
      }
      float* o = y + i * ldy + r;
      *o = accumulate ? *o + acc : acc;
    }
  }
}

namespace {

float H(uint16_t h) { return F16ToF32(h); }

void UnpackQ8_0(const BlockQ8_0* x, int64_t nb, uint8_t* u, float* s, float* m) {
  for (int64_t i = 0; i < nb; ++i) {
    for (int j = 0; j < 32; ++j) u[i * 32 + j] = static_cast<uint8_t>(x[i].qs[j] + 128);
    s[i] = H(x[i].d);
    m[i] = 0.0f;
  }
}

// Q4_0 and Q4_1: low nibbles are values 0..15 of the block, high nibbles 16..31.
template <typename B>
void UnpackQ4(const B* x, int64_t nb, uint8_t* u, float* s, float* m) {
  for (int64_t i = 0; i < nb; ++i) {
    for (int j = 0; j < 16; ++j) {
      u[i * 32 + j] = x[i].qs[j] & 0x0F;
      u[i * 32 + j + 16] = x[i].qs[j] >> 4;
    }
    s[i] = H(x[i].d);
    if constexpr (std::is_same_v<B, BlockQ4_1>) {
      m[i] = H(x[i].m);
    } else {
      m[i] = 0.0f;
    }
  }
}

template <typename B>
void UnpackQ5(const B* x, int64_t nb, uint8_t* u, float* s, float* m) {
  for (int64_t i = 0; i < nb; ++i) {
    uint32_t qh;
    std::memcpy(&qh, x[i].qh, 4);
    for (int j = 0; j < 16; ++j) {
      u[i * 32 + j] = static_cast<uint8_t>((x[i].qs[j] & 0x0F) | (((qh >> j) & 1) << 4));
      u[i * 32 + j + 16] = static_cast<uint8_t>((x[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4));
    }
    s[i] = H(x[i].d);
    if constexpr (std::is_same_v<B, BlockQ5_1>) {
      m[i] = H(x[i].m);
    } else {
      m[i] = 0.0f;
    }
  }
}

void UnpackQ2_K(const BlockQ2_K* x, int64_t nb, uint8_t* u, float* s, float* m) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = H(x[i].d), dmin = H(x[i].dmin);
    const uint8_t* q = x[i].qs;
    int is = 0;
    for (int k = 0; k < kQKK; k += 128) {
      int shift = 0;
      for (int j = 0; j < 4; ++j) {
        for (int half = 0; half < 2; ++half) {
          const uint8_t sc = x[i].scales[is];
          s[i * 16 + is] = d * static_cast<float>(sc & 0xF);
          m[i * 16 + is] = -(dmin * static_cast<float>(sc >> 4));
          for (int l = 0; l < 16; ++l) *u++ = (q[l + 16 * half] >> shift) & 3;
          ++is;
        }
        shift += 2;
      }
      q += 32;
    }
  }
}

void UnpackQ3_K(const BlockQ3_K* x, int64_t nb, uint8_t* u, float* s, float* m) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d_all = H(x[i].d);
    const uint8_t* q = x[i].qs;
    const uint8_t* hm = x[i].hmask;
    int8_t scales[16];
    ScalesQ3_K(x[i].scales, scales);
    uint8_t bit = 1;
    int is = 0;
    for (int k = 0; k < kQKK; k += 128) {
      int shift = 0;
      for (int j = 0; j < 4; ++j) {
        for (int half = 0; half < 2; ++half) {
          s[i * 16 + is] = d_all * static_cast<float>(scales[is] - 32);
          m[i * 16 + is] = 0.0f;
          for (int l = 16 * half; l < 16 * half + 16; ++l)
            *u++ = static_cast<uint8_t>(((q[l] >> shift) & 3) + ((hm[l] & bit) ? 4 : 0));
          ++is;
        }
        shift += 2;
        bit = static_cast<uint8_t>(bit << 1);
      }
      q += 32;
    }
  }
}

template <typename B>
void UnpackK4(const B* x, int64_t nb, uint8_t* u, float* s, float* m) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = H(x[i].d), dmin = H(x[i].dmin);
    const uint8_t* q = x[i].qs;
    uint8_t hbit = 1;
    for (int j = 0; j < 8; j += 2) {
      for (int half = 0; half < 2; ++half) {
        uint8_t sc, mn;
        ScaleMinK4(j + half, x[i].scales, &sc, &mn);
        s[i * 8 + j + half] = d * static_cast<float>(sc);
        m[i * 8 + j + half] = -(dmin * static_cast<float>(mn));
        for (int l = 0; l < 32; ++l) {
          uint8_t v = half == 0 ? (q[l] & 0x0F) : (q[l] >> 4);
          if constexpr (std::is_same_v<B, BlockQ5_K>) {
            if (x[i].qh[l] & hbit) v = static_cast<uint8_t>(v + 16);
          }
          *u++ = v;
        }
        hbit = static_cast<uint8_t>(hbit << 1);
      }
      q += 32;
    }
  }
}

void UnpackQ6_K(const BlockQ6_K* x, int64_t nb, uint8_t* u, float* s, float* m) {
  for (int64_t i = 0; i < nb; ++i) {
    const float d = H(x[i].d);
    const uint8_t* ql = x[i].ql;
    const uint8_t* qh = x[i].qh;
    for (int c = 0; c < 2; ++c) {  // two chunks of 128 values, 8 sub-blocks of 16 each
      uint8_t* uc = u + i * kQKK + c * 128;
      for (int l = 0; l < 32; ++l) {
        uc[l + 0] = static_cast<uint8_t>((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4));
        uc[l + 32] = static_cast<uint8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
        uc[l + 64] = static_cast<uint8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
        uc[l + 96] = static_cast<uint8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
      }
      for (int b = 0; b < 8; ++b) {
        s[i * 16 + c * 8 + b] = d * static_cast<float>(x[i].scales[c * 8 + b]);
        m[i * 16 + c * 8 + b] = 0.0f;
      }
      ql += 64;
      qh += 32;
    }
  }
}

}  // namespace

void Unpack(DType t, const void* src, int64_t kc, uint8_t* u, float* s, float* m) {
  const int64_t nb = kc / static_cast<int64_t>(DTypeBlockElements(t));
  switch (t) {
    case DType::kQ8_0:
      return UnpackQ8_0(static_cast<const BlockQ8_0*>(src), nb, u, s, m);
    case DType::kQ4_0:
      return UnpackQ4(static_cast<const BlockQ4_0*>(src), nb, u, s, m);
    case DType::kQ4_1:
      return UnpackQ4(static_cast<const BlockQ4_1*>(src), nb, u, s, m);
    case DType::kQ5_0:
      return UnpackQ5(static_cast<const BlockQ5_0*>(src), nb, u, s, m);
    case DType::kQ5_1:
      return UnpackQ5(static_cast<const BlockQ5_1*>(src), nb, u, s, m);
    case DType::kQ2_K:
      return UnpackQ2_K(static_cast<const BlockQ2_K*>(src), nb, u, s, m);
    case DType::kQ3_K:
      return UnpackQ3_K(static_cast<const BlockQ3_K*>(src), nb, u, s, m);
    case DType::kQ4_K:
      return UnpackK4(static_cast<const BlockQ4_K*>(src), nb, u, s, m);
    case DType::kQ5_K:
      return UnpackK4(static_cast<const BlockQ5_K*>(src), nb, u, s, m);
    case DType::kQ6_K:
      return UnpackQ6_K(static_cast<const BlockQ6_K*>(src), nb, u, s, m);
    default:
      return;
  }
}

void PackPanelRef(DType t, const uint8_t* src, size_t row_bytes, int64_t rows, int64_t kc,
                  uint8_t* pan) {
  const Layout l = LayoutOf(t);
  const int64_t sub = l.sub, nsub = kc / sub;
  const int64_t sb = SubBytes(l.sub), gb = GroupBytes(l.sub);
  QW_CHECK(kc <= kKc);
  // One row's unpacked slice, on the stack: this runs once per panel.
  uint8_t u[kKc];
  float s[kKc / 16], m[kKc / 16];
  for (int64_t r = 0; r < kPanelRows; ++r) {
    if (r < rows) {
      Unpack(t, src + static_cast<size_t>(r) * row_bytes, kc, u, s, m);
    } else {  // padding rows: zero codes and scales contribute nothing
      std::fill_n(u, kc, 0);
      std::fill_n(s, kc / 16, 0.0f);
      std::fill_n(m, kc / 16, 0.0f);
    }
    const int64_t g = r / kGroupRows, lane = r % kGroupRows;
    for (int64_t b = 0; b < nsub; ++b) {
      uint8_t* gp = pan + b * sb + g * gb;
      for (int64_t j = 0; j < sub / 4; ++j)
        std::memcpy(gp + j * 64 + lane * 4, u + b * sub + 4 * j, 4);
      std::memcpy(gp + sub * kGroupRows + lane * 4, &s[b], 4);
      std::memcpy(gp + sub * kGroupRows + 64 + lane * 4, &m[b], 4);
    }
  }
}

void Gemm(DType t, QuantizeFn quantize, PanelFn panel, const float* x, int64_t n, int64_t k,
          const void* w, int64_t r0, int64_t r1, float* y, int64_t ldy, PackPanelFn pack) {
  const Layout l = LayoutOf(t);
  const int64_t sub = l.sub;
  // The activations of one k slice at a time (all tokens): a few hundred KiB per thread.
  // Scratch left uninitialized: quantize and pack write all of it before it is read.
  const size_t nq = static_cast<size_t>(n * std::min(k, kKc)), nd = nq / static_cast<size_t>(sub);
  const auto q = std::make_unique_for_overwrite<int8_t[]>(nq);
  const auto d = std::make_unique_for_overwrite<float[]>(nd);
  const auto fc = std::make_unique_for_overwrite<float[]>(nd);
  const auto ic = std::make_unique_for_overwrite<int32_t[]>(nd);

  size_t row_bytes = 0;
  RowBytes(t, k, &row_bytes);
  const size_t be = DTypeBlockElements(t), bb = DTypeBlockBytes(t);
  const int64_t sb = SubBytes(l.sub);
  const int64_t pan_bytes = kKc / sub * sb;  // a multiple of 64
  const auto buf =
      std::make_unique_for_overwrite<uint8_t[]>(static_cast<size_t>(kMb * pan_bytes + 64));
  uint8_t* pans = buf.get() + (64 - reinterpret_cast<uintptr_t>(buf.get()) % 64) % 64;
  const auto* base = static_cast<const uint8_t*>(w);
  for (int64_t kb = 0; kb < k; kb += kKc) {
    const int64_t kc = std::min(kKc, k - kb), nsub = kc / sub;
    const size_t slice_off = static_cast<size_t>(kb) / be * bb;
    quantize(x + kb, k, n, kc, l, q.get(), d.get(), ic.get(), fc.get());
    for (int64_t mb = r0; mb < r1; mb += kMb * kPanelRows) {
      // kMb panels packed together, then each token block runs across them (as gemm.cpp).
      const int64_t np = std::min(kMb, (r1 - mb + kPanelRows - 1) / kPanelRows);
      for (int64_t p = 0; p < np; ++p) {
        const int64_t rb = mb + p * kPanelRows, rows = std::min(kPanelRows, r1 - rb);
        pack(t, base + static_cast<size_t>(rb) * row_bytes + slice_off, row_bytes, rows, kc,
             pans + p * pan_bytes);
        PrefetchNextPanel(t, base, row_bytes, k, kKc, kb, rb, kPanelRows, r0, r1);
      }
      for (int64_t tb = 0; tb < n; tb += kTb) {
        const int64_t nt = std::min(kTb, n - tb);
        const int64_t c0 = tb * nsub;
        const ActsView a{q.get() + tb * kc, d.get() + c0, ic.get() + c0, fc.get() + c0, kc, nsub};
        for (int64_t p = 0; p < np; ++p) {
          const int64_t rb = mb + p * kPanelRows, rows = std::min(kPanelRows, r1 - rb);
          panel(l, a, nt, pans + p * pan_bytes, nsub, rows, y + tb * ldy + rb, ldy, kb > 0);
        }
      }
    }
  }
}

}  // namespace qw::kernels::q8
