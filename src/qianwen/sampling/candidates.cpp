#include "qianwen/sampling/candidates.h"

#include <algorithm>
#include <cmath>

namespace qw::sampling {

void Candidates::SortDescending() {
  if (sorted) return;
  std::sort(items.begin(), items.end(), [](const Candidate& a, const Candidate& b) {
    return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
  });
  sorted = true;
}

std::vector<double> Candidates::Probabilities() const {
  std::vector<double> p(items.size());
  if (items.empty()) return p;
  float mx = items[0].logit;
  for (const auto& c : items) mx = std::max(mx, c.logit);
  double sum = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    p[i] = std::exp(static_cast<double>(items[i].logit) - mx);
    sum += p[i];
  }
  for (auto& v : p) v /= sum;
  return p;
}

}  // namespace qw::sampling
