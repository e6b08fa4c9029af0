#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>

#include <tbb/task_arena.h>

#include "results/metrics.h"

namespace r1eval::results {
namespace {

TEST(EstimateMean, MeanAndStandardErrorOverProblems) {
  const Estimate e = estimate_mean({0.0, 1.0, 1.0, 0.0});
  EXPECT_DOUBLE_EQ(e.value, 0.5);
  // sample variance 1/3, four problems
  EXPECT_NEAR(e.stderr_, std::sqrt(1.0 / 3.0 / 4.0), 1e-15);
  EXPECT_LE(e.ci_low, e.value);
  EXPECT_GE(e.ci_high, e.value);
  EXPECT_GE(e.ci_low, 0.0);
  EXPECT_LE(e.ci_high, 1.0);
}

TEST(EstimateMean, OneProblemOrConstantValuesHaveNoSpread) {
  const Estimate one = estimate_mean({0.25});
  EXPECT_EQ(one.value, 0.25);
  EXPECT_EQ(one.stderr_, 0.0);
  EXPECT_EQ(one.ci_low, 0.25);
  EXPECT_EQ(one.ci_high, 0.25);
  const Estimate same = estimate_mean(std::vector<double>(30, 0.5));
  EXPECT_EQ(same.stderr_, 0.0);
  EXPECT_EQ(same.ci_low, 0.5);
  EXPECT_EQ(same.ci_high, 0.5);
}

TEST(EstimateMean, RejectsNoValues) {
  EXPECT_THROW(estimate_mean({}), std::invalid_argument);
  ScoreOptions none;
  none.bootstrap_resamples = 0;
  EXPECT_THROW(estimate_mean({1.0}, none), std::invalid_argument);
}

TEST(EstimateMean, DeterministicForASeedWhateverTheThreadCount) {
  std::vector<double> values;
  for (int i = 0; i < 200; ++i) values.push_back((i * 37 % 101) / 100.0);
  const Estimate a = estimate_mean(values);
  Estimate serial;
  tbb::task_arena one_thread(1);
  one_thread.execute([&] { serial = estimate_mean(values); });
  EXPECT_EQ(a.ci_low, serial.ci_low);
  EXPECT_EQ(a.ci_high, serial.ci_high);
  ScoreOptions other;
  other.bootstrap_seed = 7;
  const Estimate b = estimate_mean(values, other);
  EXPECT_EQ(a.value, b.value);
  EXPECT_TRUE(a.ci_low != b.ci_low || a.ci_high != b.ci_high) << "the seed should matter";
  // The interval is about mean ± 1.96 SE for a sample this size.
  EXPECT_NEAR(a.ci_high - a.ci_low, 2 * 1.96 * a.stderr_, 0.15 * (a.ci_high - a.ci_low));
}

// Replicated synthetic evaluations: each run draws 100 problems from a population whose per-problem
// success probability p has a known mean (p = u^2, u uniform: E[p] = 1/3), then 4 samples per problem.
// The 95% interval over problems must cover the population mean in about 95% of runs.
TEST(EstimateMean, BootstrapIntervalCoversTheTrueMeanAboutNinetyFivePercent) {
  constexpr int kRuns = 400;
  constexpr int kProblems = 100;
  constexpr int kSamples = 4;
  constexpr double kTrueMean = 1.0 / 3.0;
  std::mt19937_64 rng(20250122);  // fixed: the test is deterministic
  const auto uniform = [&rng] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  int bootstrap_hits = 0;
  int normal_hits = 0;
  std::vector<double> per_problem(kProblems);
  for (int run = 0; run < kRuns; ++run) {
    for (double& value : per_problem) {
      const double u = uniform();
      const double p = u * u;
      int correct = 0;
      for (int s = 0; s < kSamples; ++s) correct += uniform() < p ? 1 : 0;
      value = static_cast<double>(correct) / kSamples;
    }
    const Estimate e = estimate_mean(per_problem);
    bootstrap_hits += (e.ci_low <= kTrueMean && kTrueMean <= e.ci_high) ? 1 : 0;
    normal_hits += std::abs(e.value - kTrueMean) <= 1.96 * e.stderr_ ? 1 : 0;
  }
  const double bootstrap_coverage = static_cast<double>(bootstrap_hits) / kRuns;
  const double normal_coverage = static_cast<double>(normal_hits) / kRuns;
  RecordProperty("bootstrap_coverage", std::to_string(bootstrap_coverage));
  RecordProperty("normal_coverage", std::to_string(normal_coverage));
  EXPECT_GE(bootstrap_coverage, 0.92);
  EXPECT_LE(bootstrap_coverage, 0.98);
  EXPECT_GE(normal_coverage, 0.92);
  EXPECT_LE(normal_coverage, 0.98);
}

}  // namespace
}  // namespace r1eval::results
