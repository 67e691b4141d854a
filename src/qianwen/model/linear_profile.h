#pragma once
// Wall time of each weight matrix product of the forward pass, summed per matrix shape, for
// `qianwen bench --profile`: where a token's time goes and how fast each matrix's bytes stream
// (generation is bound by memory, so bytes per second of each product say which ones fall
// short of the bus, which a whole-run tokens/s on a noisy machine cannot).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "qianwen/core/dtype.h"

namespace qw::model {

struct LinearProfile {
  struct Entry {
    int64_t rows = 0, k = 0;  // the weight matrix: rows x k values of dtype
    DType dtype = DType::kF32;
    size_t weight_bytes = 0;  // bytes of the matrix, read once per call
    int64_t calls = 0;
    int64_t tokens = 0;  // tokens over all calls (multiply-adds = rows * k * tokens)
    double seconds = 0;
  };
  std::vector<Entry> entries;  // in order of first call

  void Add(int64_t rows, int64_t k, DType dtype, size_t weight_bytes, int64_t tokens,
           double seconds) {
    for (Entry& e : entries) {
      if (e.rows == rows && e.k == k && e.dtype == dtype) {
        ++e.calls;
        e.tokens += tokens;
        e.seconds += seconds;
        return;
      }
    }
    entries.push_back({rows, k, dtype, weight_bytes, 1, tokens, seconds});
  }
};

}  // namespace qw::model
