#include "graders/math_grader.h"

#include <gtest/gtest.h>

#include "graders/normalize.h"

namespace r1eval::graders {
namespace {

TEST(Normalize, StripsPresentation) {
  EXPECT_EQ(normalize_answer("$\\displaystyle \\frac{1}{2}$"), "\\frac{1}{2}");
  EXPECT_EQ(normalize_answer("\\( 3 \\)"), "3");
  EXPECT_EQ(normalize_answer("\\[ 3 \\]"), "3");
  EXPECT_EQ(normalize_answer("\\left( 1, 2 \\right)"), "(1,2)");
  EXPECT_EQ(normalize_answer("\\dfrac{3}{4}."), "\\frac{3}{4}");
  EXPECT_EQ(normalize_answer("\\tfrac{3}{4}"), "\\frac{3}{4}");
  EXPECT_EQ(normalize_answer("\\text{ Monday }"), "Monday");
  EXPECT_EQ(normalize_answer("x = 5"), "5");
  EXPECT_EQ(normalize_answer("y=2x+3"), "2x+3");
  EXPECT_EQ(normalize_answer("a_1=4"), "4");
  EXPECT_EQ(normalize_answer("\\pi r"), "\\pi r");
}

TEST(Normalize, Idempotent) {
  for (const char* s : {"$x = \\dfrac{1}{2}$.", "\\text{(C)}", "\\left[ 0, 1 \\right)", "12,"}) {
    const std::string once = normalize_answer(s);
    EXPECT_EQ(normalize_answer(once), once) << s;
  }
}

struct Pair {
  const char* a;
  const char* b;
  friend std::ostream& operator<<(std::ostream& os, const Pair& p) { return os << p.a << " | " << p.b; }
};

class EqualPairs : public ::testing::TestWithParam<Pair> {};
TEST_P(EqualPairs, AreEqual) { EXPECT_TRUE(math_answers_equal(GetParam().a, GetParam().b)) << GetParam().a << " vs " << GetParam().b; }
INSTANTIATE_TEST_SUITE_P(Foundation, EqualPairs,
                         ::testing::Values(Pair{"5", "5"}, Pair{"$5$", "5"}, Pair{"5.", "5"}, Pair{"x=5", "5"},
                                           Pair{"0.5", "\\frac{1}{2}"}, Pair{"\\dfrac{1}{2}", "1/2"},
                                           Pair{"-\\frac{3}{4}", "-0.75"}, Pair{"2.50", "2.5"},
                                           Pair{"\\text{Monday}", "monday"}, Pair{"\\left(1,2\\right)", "(1, 2)"},
                                           Pair{"10", "10.0"}, Pair{"\\frac{4}{8}", "\\frac12"}));

class DifferentPairs : public ::testing::TestWithParam<Pair> {};
TEST_P(DifferentPairs, AreDifferent) { EXPECT_FALSE(math_answers_equal(GetParam().a, GetParam().b)) << GetParam().a << " vs " << GetParam().b; }
INSTANTIATE_TEST_SUITE_P(Foundation, DifferentPairs,
                         ::testing::Values(Pair{"5", "6"}, Pair{"0.5", "\\frac{1}{3}"}, Pair{"-1", "1"},
                                           Pair{"(1,2)", "(2,1)"}, Pair{"", ""}, Pair{"Monday", "Tuesday"},
                                           Pair{"0.33", "\\frac{1}{3}"}));

TEST(GradeMath, ExtractsAndCompares) {
  const Verdict v = grade_math("<think>try 3</think>The answer is $\\boxed{\\dfrac{1}{2}}$.", "0.5");
  EXPECT_TRUE(v.correct);
  EXPECT_EQ(v.extracted, "\\dfrac{1}{2}");
  EXPECT_FALSE(v.reason.empty());
  const Verdict wrong = grade_math("\\boxed{3}", "4");
  EXPECT_FALSE(wrong.correct);
  EXPECT_EQ(wrong.extracted, "3");
  const Verdict none = grade_math("\\boxed{3", "3");
  EXPECT_FALSE(none.correct);
  EXPECT_EQ(none.extracted, std::nullopt);
}

TEST(GradeMath, ListAnswerFromSeveralBoxes) {
  EXPECT_TRUE(grade_math("so $\\boxed{2}$ and $\\boxed{3}$.", "2, 3").correct);
}

// A gold without a box is the answer as written, however long: a 3x3 matrix of radicals (over 200
// characters) was once reduced like a solution and matched nothing, itself included.
TEST(GradeMath, LongGoldWithoutABoxIsTheAnswer) {
  const std::string matrix =
      "\\begin{pmatrix} \\frac{1}{\\sqrt{6}} & \\frac{1}{\\sqrt{3}} & \\frac{1}{\\sqrt{2}} \\\\ "
      "\\frac{1}{\\sqrt{6}} & \\frac{1}{\\sqrt{3}} & -\\frac{1}{\\sqrt{2}} \\\\ -\\frac{2}{\\sqrt{6}} & "
      "\\frac{1}{\\sqrt{3}} & 0 \\end{pmatrix}";
  ASSERT_GT(matrix.size(), 200u);
  EXPECT_TRUE(grade_math("So $\\boxed{" + matrix + "}$.", matrix).correct);
  std::string other = matrix;
  other[other.rfind('0')] = '1';  // the last entry, 0 -> 1
  EXPECT_FALSE(grade_math("So $\\boxed{" + other + "}$.", matrix).correct);
  // A gold that boxes its answer is a solution: its box is the answer.
  EXPECT_TRUE(grade_math("\\boxed{7}", "Adding, we get $3+4=\\boxed{7}$.").correct);
}

// A response caught in a loop repeats a delimiter or a box thousands of times: extraction stays linear
// (these took about a second at 100 KB when every opener searched the rest of the text), and the same box
// repeated is one answer.
TEST(GradeMath, LoopingResponsesAreGradedAndQuickly) {
  for (const std::string unit : {"\\[ ", "\\( ", "$ ", "\\boxed{} ", "\\boxed{5} ", "\\boxed{5}, "}) {
    std::string looping;
    while (looping.size() < 100000) looping += unit;
    const Verdict v = grade_math("We get " + looping + " so $\\boxed{5}$", "5");
    EXPECT_TRUE(v.correct) << unit << ": " << v.reason;
  }
  std::string same_box;
  for (int k = 0; k < 500; ++k) same_box += "\\boxed{5} ";
  EXPECT_TRUE(grade_math(same_box, "5").correct);
  EXPECT_FALSE(grade_math("\\boxed{5} or \\boxed{6}", "5").correct);  // different boxes stay a list
}

}  // namespace
}  // namespace r1eval::graders
