#include "results/compare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace r1eval::results {
namespace {

using ::testing::HasSubstr;

PairedTask simulated(const std::string& name, int problems, double old_p, double new_p, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution old_draw(old_p), new_draw(new_p);
  PairedTask task{name, {}, 0, 0};
  for (int i = 0; i < problems; ++i) {
    double o = 0, n = 0;
    for (int s = 0; s < 4; ++s) {
      o += old_draw(rng) ? 0.25 : 0.0;
      n += new_draw(rng) ? 0.25 : 0.0;
    }
    task.problems.push_back({std::to_string(i), o, n});
  }
  return task;
}

TEST(CompareRuns, IdenticalRunsShowNoChange) {
  PairedTask task{"math500", {{"a", 0.5, 0.5}, {"b", 1, 1}, {"c", 0, 0}}, 0, 0};
  const auto c = compare_runs({task});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].delta.value, 0);
  EXPECT_EQ(c[0].change, Change::no_significant_change);
  EXPECT_EQ(c[1].task, "overall");
}

TEST(CompareRuns, AClearDropIsWorseAndAClearGainBetter) {
  const auto drop = compare_runs({simulated("math500", 500, 0.8, 0.6, 1)});
  EXPECT_EQ(drop[0].change, Change::worse);
  EXPECT_NEAR(drop[0].delta.value, -0.2, 0.03);
  EXPECT_LT(drop[0].delta.ci_high, 0);
  const auto gain = compare_runs({simulated("aime24", 300, 0.3, 0.5, 2)});
  EXPECT_EQ(gain[0].change, Change::better);
}

TEST(CompareRuns, SmallNoiseIsNotSignificant) {
  const auto c = compare_runs({simulated("aime24", 30, 0.5, 0.5, 3)});
  EXPECT_EQ(c[0].change, Change::no_significant_change);
  EXPECT_LT(c[0].delta.ci_low, 0);
  EXPECT_GT(c[0].delta.ci_high, 0);
}

TEST(CompareRuns, OverallIsTheMeanOverTasksAndCountsUnpairedProblems) {
  PairedTask a{"aime24", {{"1", 0, 1}}, 2, 0};
  PairedTask b{"math500", {{"x", 1, 1}, {"y", 1, 1}, {"z", 1, 1}}, 0, 1};
  PairedTask empty{"gpqa_diamond", {}, 5, 0};
  const auto c = compare_runs({a, b, empty});
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[2].task, "overall");
  EXPECT_EQ(c[2].problems, 4);
  EXPECT_DOUBLE_EQ(c[2].delta.value, 0.5);  // (1 + 0) / 2, not 1/4
  EXPECT_EQ(c[2].only_in_old, 7);
  EXPECT_EQ(c[2].only_in_new, 1);
  EXPECT_THAT(render_comparison_markdown(c), HasSubstr("| overall | 4 | 50.0 | 100.0 | +50.0 ["));
}

TEST(CompareRuns, NothingInCommonIsAnError) {
  EXPECT_THROW(compare_runs({PairedTask{"aime24", {}, 3, 3}}), std::invalid_argument);
}

TEST(EstimateStratifiedMean, OneStratumIsEstimateMean) {
  const std::vector<double> values = {0, 0.25, 1, 0.5, 0.75, 1, 0};
  const Estimate a = estimate_mean(values), b = estimate_stratified_mean({values});
  EXPECT_DOUBLE_EQ(a.value, b.value);
  EXPECT_DOUBLE_EQ(a.stderr_, b.stderr_);
  EXPECT_DOUBLE_EQ(a.ci_low, b.ci_low);
  EXPECT_DOUBLE_EQ(a.ci_high, b.ci_high);
  EXPECT_THROW(estimate_stratified_mean({values, {}}), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::results
