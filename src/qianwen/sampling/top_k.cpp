#include <algorithm>

#include "qianwen/sampling/warpers.h"

namespace qw::sampling {

void ApplyTopK(Candidates& c, int32_t k) {
  if (k <= 0 || static_cast<size_t>(k) >= c.items.size()) return;
  if (!c.sorted) {
    // Partial selection: O(V) to find the k-th largest instead of sorting the whole vocabulary.
    auto greater = [](const Candidate& a, const Candidate& b) {
      return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
    };
    std::nth_element(c.items.begin(), c.items.begin() + (k - 1), c.items.end(), greater);
    const float kth = c.items[static_cast<size_t>(k) - 1].logit;
    // Keep every candidate tied with the k-th (transformers keeps ties), then sort the few left.
    auto end = std::partition(c.items.begin(), c.items.end(),
                              [&](const Candidate& x) { return x.logit >= kth; });
    c.items.erase(end, c.items.end());
    c.SortDescending();
    return;
  }
  const float kth = c.items[static_cast<size_t>(k) - 1].logit;
  size_t keep = static_cast<size_t>(k);
  while (keep < c.items.size() && c.items[keep].logit >= kth) ++keep;  // ties with the k-th stay
  c.items.resize(keep);
}

}  // namespace qw::sampling
