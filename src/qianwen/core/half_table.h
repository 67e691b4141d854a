#pragma once
// Every binary16 value widened to float32, indexed by its bits. The generation-step dot products
// widen one block scale per 32 weights; on x86 the scalar conversion (insert, VCVTPH2PS,
// broadcast) takes three vector-port micro-ops where a table load with broadcast takes none,
// and those ports are what bounds the dots (docs/PERFORMANCE.md). 256 KiB, made at compile time
// from F16ToF32, read-only; a block type's scales span few distinct values, so the lines used
// stay in cache.

#include <array>
#include <cstdint>

namespace qw {

extern const std::array<float, 65536> kF16ToF32Table;

inline float F16ToF32Table(uint16_t h) { return kF16ToF32Table[h]; }

}  // namespace qw
