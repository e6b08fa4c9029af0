#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <string>
#include <stdexcept>

#include "results/metrics.h"

namespace r1eval::results {
namespace {

SampleOutcome sample(int index, int answer_class, bool correct) {
  SampleOutcome s;
  s.sample_index = index;
  s.answer_class = answer_class;
  s.correct = correct;
  return s;
}

ProblemOutcomes problem(std::vector<SampleOutcome> samples) {
  return ProblemOutcomes{std::string("p"), std::move(samples), {}};
}

TEST(ConsAtK, MajorityWins) {
  const ProblemOutcomes p = problem({sample(0, 0, false), sample(1, 1, true), sample(2, 1, true), sample(3, 0, false),
                                     sample(4, 1, true)});
  EXPECT_EQ(cons_at_k(p, 5), 1.0);  // class 1 has 3 votes of 5
  EXPECT_EQ(cons_at_k(p, 1), 0.0);  // only sample 0 votes
}

// 0.3333333, 0.33333, 0.33333, 1/3 against the gold 1/3: all correct, though the grader splits them into
// classes (its equality is not transitive); 0.25 three times is wrong. The right answer has 4 votes of 7.
TEST(ConsAtK, CorrectAnswersVoteTogetherWhateverTheirClass) {
  const ProblemOutcomes p = problem({sample(0, 0, true), sample(1, 1, true), sample(2, 1, true), sample(3, 0, true),
                                     sample(4, 2, false), sample(5, 2, false), sample(6, 2, false)});
  EXPECT_EQ(cons_at_k(p, 7), 1.0);
  // A wrong answer that shares a class with correct ones votes with the wrong answers, not with the gold.
  const ProblemOutcomes q = problem({sample(0, 0, true), sample(1, 0, false), sample(2, 0, false), sample(3, 1, false)});
  EXPECT_EQ(cons_at_k(q, 4), 0.0);
}

TEST(ConsAtK, TieGoesToTheEarliestFirstVote) {
  // Classes 0 and 1 both get two votes; class 1 voted first (sample_index 0).
  const ProblemOutcomes p = problem({sample(1, 0, false), sample(0, 1, true), sample(2, 0, false), sample(3, 1, true)});
  EXPECT_EQ(cons_at_k(p, 4), 1.0);
  // Same votes, but now the wrong class votes first.
  const ProblemOutcomes q = problem({sample(0, 0, false), sample(1, 1, true), sample(2, 1, true), sample(3, 0, false)});
  EXPECT_EQ(cons_at_k(q, 4), 0.0);
}

TEST(ConsAtK, UsesTheFirstKBySampleIndexWhateverTheStoredOrder) {
  // Stored out of order: by index the first three are 0 (wrong), 1 (wrong), 2 (right).
  const ProblemOutcomes p = problem({sample(5, 1, true), sample(2, 1, true), sample(4, 1, true), sample(0, 0, false),
                                     sample(1, 0, false), sample(3, 1, true)});
  EXPECT_EQ(cons_at_k(p, 3), 0.0);
  EXPECT_EQ(cons_at_k(p, 6), 1.0);
}

TEST(ConsAtK, NonAnswersDoNotVote) {
  // Three samples without an answer would outvote anything if they counted as one class.
  const ProblemOutcomes p =
      problem({sample(0, -1, false), sample(1, -1, false), sample(2, 2, true), sample(3, -1, false)});
  EXPECT_EQ(cons_at_k(p, 4), 1.0);
  EXPECT_EQ(cons_at_k(p, 2), 0.0);  // nobody answered among the first two
  const ProblemOutcomes none = problem({sample(0, -1, false), sample(1, -1, false)});
  EXPECT_EQ(cons_at_k(none, 2), 0.0);
}

TEST(ConsAtK, RejectsKOutsideTheSamples) {
  const ProblemOutcomes p = problem({sample(0, 0, true), sample(1, 0, true)});
  EXPECT_THROW(cons_at_k(p, 0), std::invalid_argument);
  EXPECT_THROW(cons_at_k(p, 3), std::invalid_argument);
}

TEST(AnswerClasses, NumberedByFirstAppearanceWithNulloptAsMinusOne) {
  const std::vector<std::optional<std::string>> answers = {"12", std::nullopt, "7", "12", "7", "3", std::nullopt};
  const auto exact = [](const std::string& a, const std::string& b) { return a == b; };
  EXPECT_EQ(assign_answer_classes(answers, exact), (std::vector<int>{0, -1, 1, 0, 1, 2, -1}));
}

TEST(AnswerClasses, UsesTheGivenEqualityAgainstEachClassFirstMember) {
  // Case- and space-insensitive equality, as a math grader's normaliser might provide.
  const auto loose = [](const std::string& a, const std::string& b) {
    std::string x, y;
    for (char ch : a) {
      if (ch != ' ') x += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    for (char ch : b) {
      if (ch != ' ') y += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return x == y;
  };
  const std::vector<std::optional<std::string>> answers = {"\\frac{1}{2}", "X + 1", "x+1", "\\FRAC{1}{2}", "y"};
  EXPECT_EQ(assign_answer_classes(answers, loose), (std::vector<int>{0, 1, 1, 0, 2}));

  // The comparison is with the first member of each class, so a non-transitive relation cannot chain.
  const auto within_one = [](const std::string& a, const std::string& b) {
    return std::abs(std::stoi(a) - std::stoi(b)) <= 1;
  };
  const std::vector<std::optional<std::string>> numbers = {"10", "11", "12", "13"};
  EXPECT_EQ(assign_answer_classes(numbers, within_one), (std::vector<int>{0, 0, 1, 1}));
}

}  // namespace
}  // namespace r1eval::results
