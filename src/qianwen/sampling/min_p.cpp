#include "qianwen/sampling/warpers.h"

namespace qw::sampling {

void ApplyMinP(Candidates& c, float min_p) {
  if (min_p <= 0.0f || c.items.empty()) return;
  c.SortDescending();
  std::vector<double> p = c.Probabilities();
  const double threshold = static_cast<double>(min_p) * p[0];
  size_t keep = 1;
  while (keep < c.items.size() && p[keep] >= threshold) ++keep;
  c.items.resize(keep);
}

}  // namespace qw::sampling
