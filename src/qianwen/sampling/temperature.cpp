#include "qianwen/sampling/warpers.h"

namespace qw::sampling {

void ApplyTemperature(Candidates& c, float temperature) {
  if (temperature == 1.0f || temperature <= 0.0f) return;
  for (auto& x : c.items) x.logit /= temperature;
}

}  // namespace qw::sampling
