#include "generator/random_source.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

namespace riskstream {
namespace {

// The generator's promise of identical streams everywhere rests on this value, which the C++
// standard fixes for std::mt19937_64 ([rand.predef]).
TEST(RandomSource, EngineIsTheStandardMersenneTwister) {
  RandomSource rng(5489);
  uint64_t value = 0;
  for (int i = 0; i < 10000; ++i) value = rng.NextU64();
  EXPECT_EQ(value, 9981545732273789042ULL);
}

TEST(RandomSource, UniformIntCoversBothEndsAndNothingElse) {
  RandomSource rng(1);
  std::set<int64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const int64_t value = rng.UniformInt(-2, 3);
    ASSERT_GE(value, -2);
    ASSERT_LE(value, 3);
    seen.insert(value);
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(RandomSource, ContinuousHelpersStayInRangeWithTheRightMoments) {
  RandomSource rng(2);
  double normal_sum = 0, normal_sq = 0, exp_sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.Uniform(2, 5);
    ASSERT_TRUE(u >= 2 && u < 5);
    const double l = rng.LogUniform(10, 1000);
    ASSERT_TRUE(l >= 10 && l < 1000);
    const double x = rng.Normal(1, 2);
    normal_sum += x;
    normal_sq += (x - 1) * (x - 1);
    exp_sum += rng.Exponential(3);
  }
  EXPECT_NEAR(normal_sum / n, 1, 0.02);
  EXPECT_NEAR(std::sqrt(normal_sq / n), 2, 0.02);
  EXPECT_NEAR(exp_sum / n, 3, 0.05);
}

TEST(RandomSource, PickWeightedFollowsTheWeightsAndSkipsZeros) {
  RandomSource rng(3);
  const std::vector<double> weights = {1, 0, 3};
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 40000; ++i) ++counts[rng.PickWeighted(weights)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(static_cast<double>(counts[2]) / counts[0], 3, 0.2);
}

TEST(Mix64, DistinctInputsGiveDistinctOutputs) {
  std::set<uint64_t> outputs;
  for (uint64_t i = 0; i < 100000; ++i) outputs.insert(Mix64(i));
  EXPECT_EQ(outputs.size(), 100000u);
}

}  // namespace
}  // namespace riskstream
