// The sampler chain against transformers' logits processors, worked by hand.

#include "qianwen/sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "qianwen/sampling/candidates.h"
#include "qianwen/sampling/penalties.h"
#include "qianwen/sampling/warpers.h"

namespace qw::sampling {
namespace {

Candidates FromLogits(const std::vector<float>& l) {
  Candidates c;
  for (size_t i = 0; i < l.size(); ++i) c.items.push_back({static_cast<int32_t>(i), l[i]});
  return c;
}

std::vector<int32_t> Ids(const Candidates& c) {
  std::vector<int32_t> out;
  for (const auto& x : c.items) out.push_back(x.id);
  return out;
}

TEST(Penalties, RepetitionPenaltyDividesPositiveAndMultipliesNegative) {
  std::vector<float> l = {2.0f, -2.0f, 1.0f, 4.0f};
  ApplyRepetitionPenalty(l.data(), 4, {0, 1, 1, 0}, 2.0f);  // repeated ids count once
  EXPECT_EQ(l, (std::vector<float>{1.0f, -4.0f, 1.0f, 4.0f}));
}

TEST(Penalties, PresenceAndFrequency) {
  std::vector<float> l = {1, 1, 1};
  ApplyPresenceFrequency(l.data(), 3, {0, 0, 2}, 0.5f, 0.25f);
  EXPECT_FLOAT_EQ(l[0], 1 - 0.5f - 0.5f);
  EXPECT_FLOAT_EQ(l[1], 1);
  EXPECT_FLOAT_EQ(l[2], 1 - 0.5f - 0.25f);
}

TEST(Warpers, TopKKeepsTies) {
  Candidates c = FromLogits({1, 5, 3, 3, 0});
  ApplyTopK(c, 2);
  EXPECT_EQ(Ids(c), (std::vector<int32_t>{1, 2, 3}));
}

TEST(Warpers, TopPDropsTheTailLikeTransformers) {
  // probs 0.5, 0.25, 0.125, 0.125: top_p 0.7 keeps {0.5, 0.25} (the tail 0.25 <= 0.3 goes).
  Candidates c = FromLogits({std::log(0.5f), std::log(0.25f), std::log(0.125f), std::log(0.125f)});
  ApplyTopP(c, 0.7f);
  EXPECT_EQ(Ids(c), (std::vector<int32_t>{0, 1}));
  // top_p 0.76: only the last 0.125 (<= 0.24) goes; adding the next would make 0.25 > 0.24.
  c = FromLogits({std::log(0.5f), std::log(0.25f), std::log(0.125f), std::log(0.125f)});
  ApplyTopP(c, 0.76f);
  EXPECT_EQ(Ids(c), (std::vector<int32_t>{0, 1, 2}));
  // Tiny top_p keeps the most likely token.
  c = FromLogits({0, 1, 2});
  ApplyTopP(c, 0.01f);
  EXPECT_EQ(Ids(c), (std::vector<int32_t>{2}));
}

TEST(Warpers, MinPRelativeToTheLargest) {
  Candidates c = FromLogits({std::log(0.5f), std::log(0.3f), std::log(0.2f)});
  ApplyMinP(c, 0.5f);  // threshold 0.25
  EXPECT_EQ(Ids(c), (std::vector<int32_t>{0, 1}));
}

TEST(Warpers, TemperatureScales) {
  Candidates c = FromLogits({2, 4});
  ApplyTemperature(c, 0.5f);
  EXPECT_EQ(c.items[1].logit, 8);
}

TEST(Sampler, GreedyTakesTheFirstMaximum) {
  SamplingParams p;
  p.greedy = true;
  Sampler s(p);
  std::vector<float> l = {1, 3, 3, 2};
  EXPECT_EQ(s.Sample(l.data(), 4, {}, {}), 1);
}

TEST(Sampler, SameSeedSameTokensAndDistributionFollowsSoftmax) {
  SamplingParams p;
  p.temperature = 1.0f;
  p.seed = 42;
  const std::vector<float> base = {0, std::log(3.0f), std::log(6.0f)};  // probs 0.1, 0.3, 0.6
  Sampler a(p), b(p);
  std::map<int32_t, int> counts;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    std::vector<float> la = base, lb = base;
    int32_t ta = a.Sample(la.data(), 3, {}, {}), tb = b.Sample(lb.data(), 3, {}, {});
    ASSERT_EQ(ta, tb);
    counts[ta]++;
  }
  EXPECT_NEAR(counts[0] / double(n), 0.1, 0.015);
  EXPECT_NEAR(counts[1] / double(n), 0.3, 0.015);
  EXPECT_NEAR(counts[2] / double(n), 0.6, 0.015);
  p.seed = 43;
  Sampler c(p);
  Sampler d({.temperature = 1.0f, .seed = 42});
  int differ = 0;
  for (int i = 0; i < 100; ++i) {
    std::vector<float> lc = base, ld = base;
    differ += c.Sample(lc.data(), 3, {}, {}) != d.Sample(ld.data(), 3, {}, {});
  }
  EXPECT_GT(differ, 10);
}

TEST(Sampler, TopKOneIsGreedy) {
  SamplingParams p;
  p.top_k = 1;
  p.seed = 1;
  Sampler s(p);
  for (int i = 0; i < 50; ++i) {
    std::vector<float> l = {0.1f, 0.3f, 0.2f};
    EXPECT_EQ(s.Sample(l.data(), 3, {}, {}), 1);
  }
}

}  // namespace
}  // namespace qw::sampling
