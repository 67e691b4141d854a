#pragma once
// Rotary position embedding angles as transformers' Qwen*RotaryEmbedding computes them
// (modeling_rope_utils.py: default and YaRN).

#include <vector>

#include "qianwen/model/config.h"

namespace qw::model {

class Rope {
 public:
  explicit Rope(const ModelConfig& cfg);
  // cos and sin of the angles at `pos`, head_dim/2 each, scaled by the attention factor.
  void Angles(int64_t pos, float* cos, float* sin) const;
  const std::vector<double>& inv_freq() const { return inv_freq_; }
  double attention_scaling() const { return scaling_; }

 private:
  std::vector<double> inv_freq_;  // [head_dim / 2]
  double scaling_ = 1.0;
};

}  // namespace qw::model
