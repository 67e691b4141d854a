#pragma once
// The working set of the sampler chain: (token, logit) pairs still in play.

#include <cstdint>
#include <vector>

namespace qw::sampling {

struct Candidate {
  int32_t id;
  float logit;
};

struct Candidates {
  std::vector<Candidate> items;
  bool sorted = false;  // descending by logit, ties by lower id first

  void SortDescending();
  // Softmax probabilities of the current items (in item order), f64 for stable sums.
  std::vector<double> Probabilities() const;
};

}  // namespace qw::sampling
