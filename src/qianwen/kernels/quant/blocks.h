#pragma once
// ggml's block-quantized layouts, byte for byte (GGUF files store these). Each block holds
// 32 (legacy types) or 256 (K-quants, QK_K) values with fp16 scales.

#include <cstdint>
#include <cstring>

namespace qw::kernels::quant {

constexpr int kQK = 32;    // legacy block
constexpr int kQKK = 256;  // K-quant super-block

#pragma pack(push, 1)
struct BlockQ4_0 {
  uint16_t d;      // fp16 scale
  uint8_t qs[16];  // 32 nibbles: value = (q - 8) * d
};
struct BlockQ4_1 {
  uint16_t d, m;  // value = q * d + m
  uint8_t qs[16];
};
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];   // fifth bits
  uint8_t qs[16];  // value = (q5 - 16) * d
};
struct BlockQ5_1 {
  uint16_t d, m;
  uint8_t qh[4];
  uint8_t qs[16];  // value = q5 * d + m
};
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[32];  // value = q * d
};
struct BlockQ2_K {
  uint8_t scales[16];  // 4-bit scale and 4-bit min per 16 values
  uint8_t qs[64];      // 2-bit quants
  uint16_t d, dmin;
};
struct BlockQ3_K {
  uint8_t hmask[32];   // high bit
  uint8_t qs[64];      // low 2 bits
  uint8_t scales[12];  // 6-bit scales, packed
  uint16_t d;
};
struct BlockQ4_K {
  uint16_t d, dmin;
  uint8_t scales[12];  // 6-bit scales and mins, packed
  uint8_t qs[128];
};
struct BlockQ5_K {
  uint16_t d, dmin;
  uint8_t scales[12];
  uint8_t qh[32];
  uint8_t qs[128];
};
struct BlockQ6_K {
  uint8_t ql[128];  // low 4 bits
  uint8_t qh[64];   // high 2 bits
  int8_t scales[16];
  uint16_t d;
};
#pragma pack(pop)

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22 &&
              sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34 && sizeof(BlockQ2_K) == 84 &&
              sizeof(BlockQ3_K) == 110 && sizeof(BlockQ4_K) == 144 && sizeof(BlockQ5_K) == 176 &&
              sizeof(BlockQ6_K) == 210);

// The 6-bit scale and min j (0..7) of a Q4_K / Q5_K block.
inline void ScaleMinK4(int j, const uint8_t* q, uint8_t* d, uint8_t* m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4));
  }
}

// All eight (scale, min) pairs of a Q4_K / Q5_K block at once, four per 32-bit word: the same
// values as ScaleMinK4 for j = 0..7.
inline void ScalesMinsK4(const uint8_t* q, uint8_t sc[8], uint8_t m[8]) {
  constexpr uint32_t k6 = 0x3f3f3f3f, k4 = 0x0f0f0f0f, k2 = 0x03030303;
  uint32_t w[3];
  std::memcpy(w, q, 12);
  const uint32_t s[2] = {w[0] & k6, (w[2] & k4) | (((w[0] >> 6) & k2) << 4)};
  const uint32_t n[2] = {w[1] & k6, ((w[2] >> 4) & k4) | (((w[1] >> 6) & k2) << 4)};
  std::memcpy(sc, s, 8);
  std::memcpy(m, n, 8);
}

// The 16 6-bit scales of a Q3_K block (stored +32), unpacked from its 12 packed bytes.
inline void ScalesQ3_K(const uint8_t* packed, int8_t* scales) {
  constexpr uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
  uint32_t aux[4];
  std::memcpy(aux, packed, 12);
  const uint32_t tmp = aux[2];
  aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
  aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
  aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
  aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
  std::memcpy(scales, aux, 16);
}

}  // namespace qw::kernels::quant
