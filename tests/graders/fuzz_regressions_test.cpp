// Inputs found by tools/build_graders_fuzz.sh that once crashed the grader: they must be graded quietly.
#include <gtest/gtest.h>

#include <string>

#include "graders/choice_grader.h"
#include "graders/math_grader.h"

namespace r1eval::graders {
namespace {

TEST(FuzzRegressions, GradedWithoutThrowing) {
  const std::string inputs[] = {
      // A nested "1,22" list once marked the outer list as a decimal comma.
      "\\{1,22\\} ,\\sraai\\pm-H-l$C-b, pi ijj, i",
  };
  for (const std::string& s : inputs) {
    EXPECT_NO_THROW((void)grade_math(s, "\\frac{1}{2}")) << s;
    EXPECT_NO_THROW((void)math_answers_equal("\\frac{1}{2}", s)) << s;
    EXPECT_NO_THROW((void)math_answers_equal(s, s)) << s;
    EXPECT_NO_THROW((void)grade_choice(s, "C")) << s;
  }
  EXPECT_FALSE(math_answers_equal("\\{1,22\\} ,\\sraai\\pm-H-l$C-b, pi ijj, i", "\\frac{1}{2}"));
}

}  // namespace
}  // namespace r1eval::graders
