// Adversarial inputs are decided or refused, never crash, and refusals say so. (Their time is measured by
// bench/graders_bench.cpp, not asserted here.)
#include <gtest/gtest.h>

#include <string>

#include "graders/math/budget.h"
#include "graders/math/parser.h"
#include "graders/math_grader.h"

namespace r1eval::graders {
namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(Budget, TowerOfPowersIsRefusedUnlessIdentical) {
  EXPECT_TRUE(grade_math("\\boxed{5^{5^{5^{5^5}}}}", "5^{5^{5^{5^5}}}").correct);
  const Verdict v = grade_math("\\boxed{5^{5^{5^{5^4}}}}", "5^{5^{5^{5^5}}}");
  EXPECT_FALSE(v.correct);
  EXPECT_EQ(v.reason, "cannot evaluate");
}

TEST(Budget, LargeButFeasiblePowersAreExact) {
  EXPECT_TRUE(grade_math("\\boxed{2^{1000}}", "2^{500} \\cdot 2^{500}").correct);
  EXPECT_FALSE(grade_math("\\boxed{10^{99999}}", "10^{100000}").correct);
  EXPECT_TRUE(grade_math("\\boxed{2^{-1000000000}}", "\\frac{1}{2^{1000000000}}").correct);
}

TEST(Budget, DeepNestingIsRefused) {
  const Verdict v = grade_math("\\boxed{" + repeat("(", 1000) + "1" + repeat(")", 1000) + "}", "1");
  EXPECT_FALSE(v.correct);
  EXPECT_EQ(v.reason, "work budget exceeded");
  EXPECT_EQ(grade_math("\\boxed{" + repeat("\\sqrt{", 1000) + "1" + repeat("}", 1000) + "}", "1").reason,
            "work budget exceeded");
  EXPECT_EQ(grade_math("\\boxed{" + repeat("-", 5000) + "1}", "1").reason, "work budget exceeded");
}

TEST(Budget, ModerateNestingIsDecided) {
  EXPECT_TRUE(grade_math("\\boxed{" + repeat("\\frac{1}{", 20) + "1" + repeat("}", 20) + "}", "1").correct);
  EXPECT_TRUE(grade_math("\\boxed{" + repeat("(", 30) + "2" + repeat(")", 30) + "}", "2").correct);
}

TEST(Budget, HugeResponsesAndAnswers) {
  // A 100 KB response: extraction is linear and the answer small.
  EXPECT_TRUE(grade_math(repeat("lorem ipsum ", 9000) + "\\boxed{7}", "7").correct);
  // A huge answer is refused, not parsed.
  EXPECT_FALSE(grade_math("\\boxed{" + repeat("1+", 20000) + "1}", "20001").correct);
  EXPECT_EQ(grade_math("\\boxed{" + repeat("1,", 5000) + "1}", "1").reason, "work budget exceeded");
}

TEST(Budget, PeriodicFunctionsOfHugeArgumentsAreRefused) {
  // Found by the fuzzer: reducing such arguments modulo 2*pi would take minutes.
  EXPECT_FALSE(grade_math("\\boxed{\\sin(5^{53^5})}", "0").correct);
  EXPECT_FALSE(grade_math("\\boxed{\\b5o\\pm-{5^-{t^{5^{53^5}}}}}", "\\frac{1}{2}").correct);
  EXPECT_FALSE(grade_math("\\boxed{e^{i 10^{1000}}}", "1").correct);
  EXPECT_TRUE(grade_math("\\boxed{\\sin(10^{6}\\pi)}", "0").correct);
}

TEST(Budget, PowersOfUnitsReduceTheExponent) {
  EXPECT_TRUE(grade_math("\\boxed{i^{10^{18}}}", "1").correct);
  EXPECT_TRUE(grade_math("\\boxed{i^{10^{18}+1}}", "i").correct);
  EXPECT_TRUE(grade_math("\\boxed{(-1)^{10^{30}+1}}", "-1").correct);
}

TEST(Budget, HugeFactorialsAndExponentsAreRefused) {
  EXPECT_TRUE(grade_math("\\boxed{100!}", "100!").correct);
  EXPECT_FALSE(grade_math("\\boxed{1000000!+1}", "1000000!").correct);
  EXPECT_FALSE(grade_math("\\boxed{1e999999999}", "1").correct);
  EXPECT_FALSE(grade_math("\\boxed{e^{e^{e^{e^{e+1}}}}}", "e^{e^{e^{e^{e}}}}").correct);
}

TEST(Budget, ParserThrowsBudgetExhaustedWhenTheBudgetIsTiny) {
  math::WorkBudget tiny(5);
  EXPECT_THROW(math::parse_answer("1+2+3+4+5+6+7+8", tiny), math::BudgetExhausted);
}

TEST(Budget, ManyPlusMinusAreNotExpandedExponentially) {
  const Verdict v = grade_math("\\boxed{\\pm1\\pm2\\pm3\\pm4\\pm5}", "\\pm1\\pm2\\pm3\\pm4\\pm5");
  EXPECT_TRUE(v.correct);  // identical text
  EXPECT_FALSE(grade_math("\\boxed{\\pm1\\pm2\\pm3\\pm4}", "\\pm1\\pm2\\pm3\\pm4\\pm5").correct);
}

}  // namespace
}  // namespace r1eval::graders
