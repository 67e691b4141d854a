#include "qianwen/sampling/warpers.h"

namespace qw::sampling {

void ApplyTopP(Candidates& c, float top_p) {
  if (top_p >= 1.0f || c.items.empty()) return;
  c.SortDescending();
  std::vector<double> p = c.Probabilities();
  // transformers sorts ascending and removes the prefix whose cumulative sum is <= 1 - top_p.
  // Walking from the least likely token: remove while the running sum stays <= 1 - top_p.
  double cum = 0.0;
  size_t keep = c.items.size();
  for (size_t i = c.items.size(); i-- > 1;) {  // the most likely token always stays
    cum += p[i];
    if (cum <= 1.0 - static_cast<double>(top_p))
      keep = i;
    else
      break;
  }
  c.items.resize(keep);
}

}  // namespace qw::sampling
