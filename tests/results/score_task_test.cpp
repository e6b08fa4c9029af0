#include <gtest/gtest.h>

#include <stdexcept>

#include "results/metrics.h"

namespace r1eval::results {
namespace {

// A problem with `n` samples of which the first `c` (by index) are correct; correct samples share answer
// class 0, wrong ones each give a different wrong answer, and lengths are 100 * (index + 1).
ProblemOutcomes make_problem(const std::string& id, int n, int c, std::vector<std::pair<std::string, std::string>> attrs) {
  ProblemOutcomes p;
  p.problem_id = id;
  p.attributes = std::move(attrs);
  for (int i = n - 1; i >= 0; --i) {  // stored in reverse to show that order does not matter
    SampleOutcome s;
    s.sample_index = i;
    s.correct = i < c;
    s.answer_class = i < c ? 0 : i + 1;
    s.length = 100.0 * (i + 1);
    p.samples.push_back(s);
  }
  return p;
}

TEST(ReportedKs, PowersOfTwoAndTheSampleCount) {
  EXPECT_EQ(reported_ks(1), (std::vector<int>{1}));
  EXPECT_EQ(reported_ks(4), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(reported_ks(6), (std::vector<int>{1, 2, 4, 6}));
  EXPECT_EQ(reported_ks(64), (std::vector<int>{1, 2, 4, 8, 16, 32, 64}));
  EXPECT_EQ(reported_ks(100), (std::vector<int>{1, 2, 4, 8, 16, 32, 64, 100}));
  EXPECT_TRUE(reported_ks(0).empty());
}

TEST(ScoreTask, PassAndConsensusPerK) {
  const std::vector<ProblemOutcomes> problems = {
      make_problem("a", 4, 4, {{"level", "1"}}),
      make_problem("b", 4, 1, {{"level", "5"}}),
      make_problem("c", 6, 0, {{"level", "5"}}),
      ProblemOutcomes{"empty", {}, {{"level", "9"}}},  // ignored: no samples
  };
  const TaskScores s = score_task("math500", problems);
  EXPECT_EQ(s.task, "math500");
  EXPECT_EQ(s.problems, 3);
  EXPECT_EQ(s.min_samples, 4);
  EXPECT_EQ(s.max_samples, 6);
  EXPECT_NEAR(s.pass1.value, (1.0 + 0.25 + 0.0) / 3, 1e-15);
  ASSERT_EQ(s.pass_at.size(), 3u);  // k = 1, 2, 4
  EXPECT_EQ(s.pass_at.at(1).value, s.pass1.value);
  EXPECT_NEAR(s.pass_at.at(2).value, (1.0 + pass_at_k(4, 1, 2) + 0.0) / 3, 1e-15);
  EXPECT_NEAR(s.pass_at.at(4).value, (1.0 + 1.0 + 0.0) / 3, 1e-15);
  ASSERT_EQ(s.cons_at.size(), 2u);  // k = 2, 4
  // b: first two samples are index 0 (right, class 0) and 1 (wrong, class 2): a tie won by the first vote.
  EXPECT_NEAR(s.cons_at.at(2).value, 2.0 / 3, 1e-15);
  EXPECT_NEAR(s.cons_at.at(4).value, 2.0 / 3, 1e-15);
  EXPECT_EQ(s.cons_at.count(1), 0u);
}

TEST(ScoreTask, LengthsAndBreakdowns) {
  const std::vector<ProblemOutcomes> problems = {
      make_problem("a", 2, 2, {{"level", "1"}, {"subject", "Algebra"}}),
      make_problem("b", 2, 0, {{"level", "5"}, {"subject", "Algebra"}}),
      make_problem("c", 3, 3, {{"level", "5"}, {"subject", "Geometry"}}),
  };
  const TaskScores s = score_task("math500", problems);
  // lengths: 100, 200, 100, 200, 100, 200, 300
  EXPECT_NEAR(s.length.mean, 1200.0 / 7, 1e-12);
  EXPECT_EQ(s.length.median, 200.0);
  ASSERT_EQ(s.breakdowns.size(), 2u);
  const auto& level = s.breakdowns.at("level");
  ASSERT_EQ(level.size(), 2u);
  EXPECT_EQ(level.at("1").problems, 1);
  EXPECT_EQ(level.at("1").pass1.value, 1.0);
  EXPECT_EQ(level.at("5").problems, 2);
  EXPECT_EQ(level.at("5").pass1.value, 0.5);
  EXPECT_EQ(s.breakdowns.at("subject").at("Algebra").pass1.value, 0.5);
  EXPECT_EQ(s.breakdowns.at("subject").at("Geometry").problems, 1);
}

TEST(ScoreTask, EvenSampleCountMedianAveragesTheMiddlePair) {
  const TaskScores s = score_task("t", {make_problem("a", 4, 1, {})});  // 100, 200, 300, 400
  EXPECT_EQ(s.length.median, 250.0);
  EXPECT_TRUE(s.breakdowns.empty());
}

TEST(ScoreTask, RejectsATaskWithoutSamples) {
  EXPECT_THROW(score_task("aime24", {}), std::invalid_argument);
  try {
    score_task("aime24", {ProblemOutcomes{"x", {}, {}}});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("aime24"), std::string::npos);
  }
}

}  // namespace
}  // namespace r1eval::results
