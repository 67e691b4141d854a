#include "qianwen/sampling/warpers.h"

namespace qw::sampling {

void ApplyTopK(Candidates& c, int32_t k) {
  if (k <= 0 || static_cast<size_t>(k) >= c.items.size()) return;
  c.SortDescending();
  const float kth = c.items[static_cast<size_t>(k) - 1].logit;
  size_t keep = static_cast<size_t>(k);
  while (keep < c.items.size() && c.items[keep].logit >= kth) ++keep;  // ties with the k-th stay
  c.items.resize(keep);
}

}  // namespace qw::sampling
