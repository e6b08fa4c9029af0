#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "results/sample_curves.h"

namespace r1eval::results {
namespace {

SampleRecord sample(const std::string& task, const std::string& problem, int index, bool correct,
                    std::int64_t tokens = -1, std::size_t chars = 0, const std::string& finish = "stop") {
  SampleRecord s;
  s.task = task;
  s.problem_id = problem;
  s.sample_index = index;
  s.correct = correct;
  s.completion_tokens = tokens;
  s.response = std::string(chars, 'y');
  s.finish_reason = finish;
  return s;
}

TEST(PassAtKCurve, AveragesTheUnbiasedEstimateOverProblems) {
  std::vector<SampleRecord> samples;
  // Problem a: 1 of 4 correct; problem b: 4 of 4; a sample of another task must not count.
  for (int i = 0; i < 4; ++i) samples.push_back(sample("t", "a", i, i == 2));
  for (int i = 0; i < 4; ++i) samples.push_back(sample("t", "b", i, true));
  samples.push_back(sample("other", "a", 4, false));
  const std::vector<double> curve = pass_at_k_curve(samples, "t");
  ASSERT_EQ(curve.size(), 4U);
  EXPECT_DOUBLE_EQ(curve[0], (0.25 + 1) / 2);
  EXPECT_DOUBLE_EQ(curve[1], ((1 - 3.0 / 6) + 1) / 2);  // 1 - C(3,2)/C(4,2) for problem a
  EXPECT_DOUBLE_EQ(curve[2], ((1 - 1.0 / 4) + 1) / 2);  // 1 - C(3,3)/C(4,3)
  EXPECT_DOUBLE_EQ(curve[3], 1.0);
}

TEST(PassAtKCurve, StopsAtTheFewestSamplesOfAnyProblem) {
  std::vector<SampleRecord> samples;
  for (int i = 0; i < 5; ++i) samples.push_back(sample("t", "a", i, i == 0));
  for (int i = 0; i < 2; ++i) samples.push_back(sample("t", "b", i, false));
  const std::vector<double> curve = pass_at_k_curve(samples, "t");
  ASSERT_EQ(curve.size(), 2U);
  EXPECT_DOUBLE_EQ(curve[0], 0.2 / 2);
  EXPECT_DOUBLE_EQ(curve[1], (1 - 6.0 / 10) / 2);  // 1 - C(4,2)/C(5,2)
  EXPECT_TRUE(pass_at_k_curve(samples, "missing").empty());
}

TEST(LengthProfile, UsesTokensWhenEverySampleHasThem) {
  std::vector<SampleRecord> samples = {sample("t", "a", 0, true, 5, 999), sample("t", "a", 1, false, 100, 1),
                                       sample("t", "b", 0, false, 97, 1, "length"), sample("t", "b", 1, true, 0, 3),
                                       sample("u", "a", 0, true, -1, 5000)};
  const LengthProfile p = length_profile(samples, "t", 10);
  EXPECT_EQ(p.unit, "tokens");
  EXPECT_DOUBLE_EQ(p.bin_width, 10);
  ASSERT_EQ(p.bins.size(), 10U);  // the longest (100) lands in the last bin, [90, 100]
  EXPECT_EQ(p.samples, 4);
  EXPECT_EQ(p.truncated, 1);
  EXPECT_EQ(p.bins[0].samples, 2);
  EXPECT_EQ(p.bins[0].correct, 2);
  EXPECT_EQ(p.bins[9].samples, 2);
  EXPECT_EQ(p.bins[9].correct, 0);
  EXPECT_EQ(p.bins[9].truncated, 1);
  EXPECT_DOUBLE_EQ(p.bins[9].low, 90);
  EXPECT_DOUBLE_EQ(p.bins[9].high, 100);
}

TEST(LengthProfile, FallsBackToCharactersAndRoundsTheBinWidth) {
  std::vector<SampleRecord> samples = {sample("t", "a", 0, true, 12, 0), sample("t", "a", 1, false, -1, 1234)};
  const LengthProfile p = length_profile(samples, "t", 20);
  EXPECT_EQ(p.unit, "characters");
  EXPECT_DOUBLE_EQ(p.bin_width, 100);  // 1234 / 20 = 61.7, rounded up to 1, 2 or 5 times a power of ten
  ASSERT_EQ(p.bins.size(), 13U);
  EXPECT_EQ(p.bins[0].samples, 1);
  EXPECT_EQ(p.bins[12].samples, 1);
  int total = 0;
  for (const LengthBin& b : p.bins) total += b.samples;
  EXPECT_EQ(total, 2);
}

TEST(LengthProfile, EmptyAndDegenerateInputs) {
  EXPECT_TRUE(length_profile({}, "t", 5).bins.empty());
  const LengthProfile zero = length_profile({sample("t", "a", 0, true, 0)}, "t", 5);
  ASSERT_EQ(zero.bins.size(), 1U);
  EXPECT_DOUBLE_EQ(zero.bin_width, 1);
  EXPECT_EQ(zero.bins[0].samples, 1);
  EXPECT_THROW(length_profile({}, "t", 0), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::results
