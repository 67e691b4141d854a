#include "qianwen/model/rope.h"

#include <algorithm>
#include <cmath>

namespace qw::model {

Rope::Rope(const ModelConfig& c) {
  const int64_t dim = c.head_dim;
  const double base = c.rope_theta;
  inv_freq_.resize(static_cast<size_t>(dim / 2));
  std::vector<double> pos_freq(inv_freq_.size());
  for (int64_t i = 0; i < dim / 2; ++i) {
    pos_freq[i] = std::pow(base, static_cast<double>(2 * i) / static_cast<double>(dim));
    inv_freq_[i] = 1.0 / pos_freq[i];
  }
  if (c.rope_type != RopeType::kYarn) return;
  // _compute_yarn_parameters: frequencies above the high-frequency cut keep their value, those
  // below the low cut are divided by `factor`, with a linear ramp between.
  const double factor = c.rope_factor;
  const double orig = static_cast<double>(c.rope_original_max_position);
  auto correction_dim = [&](double rotations) {
    return static_cast<double>(dim) * std::log(orig / (rotations * 2 * M_PI)) /
           (2 * std::log(base));
  };
  double low = correction_dim(c.rope_beta_fast), high = correction_dim(c.rope_beta_slow);
  if (c.rope_truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(dim - 1));
  if (low == high) high += 0.001;
  for (int64_t i = 0; i < dim / 2; ++i) {
    double ramp = std::clamp((static_cast<double>(i) - low) / (high - low), 0.0, 1.0);
    double extrapolation = 1.0 - ramp;
    inv_freq_[i] = (1.0 / (factor * pos_freq[i])) * (1.0 - extrapolation) +
                   (1.0 / pos_freq[i]) * extrapolation;
  }
  scaling_ = c.rope_attention_factor;
}

void Rope::Angles(int64_t pos, float* cos, float* sin) const {
  for (size_t i = 0; i < inv_freq_.size(); ++i) {
    double a = static_cast<double>(pos) * inv_freq_[i];
    cos[i] = static_cast<float>(std::cos(a) * scaling_);
    sin[i] = static_cast<float>(std::sin(a) * scaling_);
  }
}

}  // namespace qw::model
