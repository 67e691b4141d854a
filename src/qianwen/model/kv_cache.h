#pragma once
// The key/value cache, preallocated for the whole context and written in place.
// Layout per layer: k and v as [capacity, kv_dim] f32 (post-RoPE keys).

#include <cstdint>
#include <vector>

#include "qianwen/core/aligned.h"

namespace qw::model {

class KvCache {
 public:
  KvCache(int64_t n_layers, int64_t capacity, int64_t kv_dim)
      : n_layers_(n_layers),
        capacity_(capacity),
        kv_dim_(kv_dim),
        k_(static_cast<size_t>(n_layers * capacity * kv_dim)),
        v_(static_cast<size_t>(n_layers * capacity * kv_dim)) {}

  int64_t capacity() const { return capacity_; }
  int64_t kv_dim() const { return kv_dim_; }
  // Row `pos` of layer `layer`.
  float* K(int64_t layer, int64_t pos) { return k_.data() + (layer * capacity_ + pos) * kv_dim_; }
  float* V(int64_t layer, int64_t pos) { return v_.data() + (layer * capacity_ + pos) * kv_dim_; }
  size_t bytes() const { return (k_.size() + v_.size()) * sizeof(float); }

 private:
  int64_t n_layers_, capacity_, kv_dim_;
  AlignedVector<float> k_, v_;  // rows cache-line aligned where kv_dim is a multiple of 16
};

}  // namespace qw::model
