#include "results/compare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace r1eval::results {
namespace {

using ::testing::HasSubstr;

// `problems` problems of `samples` samples each, solved at old_p and new_p.
PairedTask simulated(const std::string& name, int problems, double old_p, double new_p, std::uint64_t seed,
                     int samples = 4) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution old_draw(old_p), new_draw(new_p);
  PairedTask task{name, {}, 0, 0};
  for (int i = 0; i < problems; ++i) {
    PairedProblem p{std::to_string(i), 0, samples, 0, samples};
    for (int s = 0; s < samples; ++s) {
      p.old_correct += old_draw(rng) ? 1 : 0;
      p.new_correct += new_draw(rng) ? 1 : 0;
    }
    task.problems.push_back(p);
  }
  return task;
}

TEST(CompareRuns, IdenticalRunsShowNoChange) {
  PairedTask task{"math500", {{"a", 2, 4, 2, 4}, {"b", 4, 4, 4, 4}, {"c", 0, 4, 0, 4}}, 0, 0};
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
  // 30 problems x 64 samples: a 10-point drop is well outside the sampling noise.
  EXPECT_EQ(compare_runs({simulated("aime24", 30, 0.6, 0.5, 4, 64)})[0].change, Change::worse);
}

TEST(CompareRuns, SmallNoiseIsNotSignificant) {
  const auto c = compare_runs({simulated("aime24", 30, 0.5, 0.5, 3)});
  EXPECT_EQ(c[0].change, Change::no_significant_change);
  EXPECT_LT(c[0].delta.ci_low, 0);
  EXPECT_GT(c[0].delta.ci_high, 0);
}

// The noise of sampling counts even when every problem changed alike: one sample on one problem, or one
// sample in 64 on each of two problems, is no evidence (a bootstrap over problems alone saw none).
TEST(CompareRuns, OneSampleOrOneInSixtyFourIsNoEvidence) {
  const auto one = compare_runs({PairedTask{"aime24", {{"p1", 1, 1, 0, 1}}, 0, 0}});
  EXPECT_DOUBLE_EQ(one[0].delta.value, -1);
  EXPECT_EQ(one[0].change, Change::no_significant_change);
  EXPECT_EQ(one[1].change, Change::no_significant_change);
  const auto alike = compare_runs({PairedTask{"aime24", {{"p1", 32, 64, 31, 64}, {"p2", 32, 64, 31, 64}}, 0, 0}});
  EXPECT_EQ(alike[0].change, Change::no_significant_change);
  EXPECT_GT(alike[0].delta.ci_high - alike[0].delta.ci_low, 0.1);
  EXPECT_GT(alike[0].delta.stderr_, 0.03);
}

// A 64-sample run against a 4-sample one with the same solve rates: no change (a posterior per run pulled the
// 4-sample rates toward one half and called it one).
TEST(CompareRuns, RunsOfDifferentKCompareWithoutBias) {
  PairedTask none{"aime24", {}, 0, 0}, all{"math500", {}, 0, 0};
  for (int i = 0; i < 30; ++i) {
    none.problems.push_back({std::to_string(i), 0, 64, 0, 4});
    all.problems.push_back({std::to_string(i), 64, 64, 4, 4});
  }
  const auto c = compare_runs({none, all});
  for (const TaskComparison& t : c) {
    EXPECT_EQ(t.delta.value, 0) << t.task;
    EXPECT_EQ(t.change, Change::no_significant_change) << t.task;
    EXPECT_LE(t.delta.ci_low, 0) << t.task;
    EXPECT_GE(t.delta.ci_high, 0) << t.task;
  }
}

// Two runs of the same model on the same 30 problems (64 samples each) are flagged about 5% of the time.
TEST(CompareRuns, FalseAlarmsOfTheSameModelAreNearTheNominalRate) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> rate(0, 1);
  int flagged = 0;
  const int trials = 200;
  for (int t = 0; t < trials; ++t) {
    PairedTask task{"aime24", {}, 0, 0};
    for (int i = 0; i < 30; ++i) {
      std::bernoulli_distribution solve(rate(rng));
      PairedProblem p{std::to_string(i), 0, 64, 0, 64};
      for (int s = 0; s < 64; ++s) p.old_correct += solve(rng), p.new_correct += solve(rng);
      task.problems.push_back(p);
    }
    ScoreOptions options;
    options.bootstrap_resamples = 400;
    flagged += compare_runs({task}, options)[0].change != Change::no_significant_change;
  }
  EXPECT_LE(flagged, trials * 10 / 100);  // binomial(200, 0.05) stays below 20 with overwhelming odds
}

TEST(CompareRuns, OverallIsTheMeanOverTasksAndCountsUnpairedProblems) {
  PairedTask a{"aime24", {{"1", 0, 4, 4, 4}}, 2, 0};
  PairedTask b{"math500", {{"x", 4, 4, 4, 4}, {"y", 4, 4, 4, 4}, {"z", 4, 4, 4, 4}}, 0, 1};
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

TEST(CompareRuns, CountsOutsideTheirSamplesAreAnError) {
  EXPECT_THROW(compare_runs({PairedTask{"aime24", {{"p", 5, 4, 0, 4}}, 0, 0}}), std::invalid_argument);
  EXPECT_THROW(compare_runs({PairedTask{"aime24", {{"p", 0, 0, 0, 4}}, 0, 0}}), std::invalid_argument);
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
