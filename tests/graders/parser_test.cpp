// The parser's trees for representative answers (rendered with to_string).
#include "graders/math/parser.h"

#include <gtest/gtest.h>

#include "graders/math/ast.h"
#include "graders/math/exact_eval.h"

namespace r1eval::graders::math {
namespace {

std::string tree(const char* s) {
  WorkBudget budget(kPairBudget);
  return to_string(*parse_answer(s, budget));
}

std::string exact(const char* s) {
  WorkBudget budget(kPairBudget);
  auto v = exact_value(*parse_answer(s, budget), budget);
  return v ? v->get_str() : "none";
}

TEST(Parser, Numerals) {
  EXPECT_EQ(tree("42"), "42");
  EXPECT_EQ(tree("1,000"), "1000");
  EXPECT_EQ(tree("1{,}000"), "1000");
  EXPECT_EQ(tree("0.25"), "1/4");
  EXPECT_EQ(tree("0.\\overline{3}"), "1/3");
  EXPECT_EQ(tree("2.5e3"), "2500");
  EXPECT_EQ(tree("2\\frac13"), "7/3");
  EXPECT_EQ(tree("1011_2"), "1011_2");
}

TEST(Parser, ArithmeticAndImplicitProducts) {
  EXPECT_EQ(tree("2x+3"), "add(mul(2,x),3)");
  EXPECT_EQ(tree("-x^2"), "neg(pow(x,2))");
  EXPECT_EQ(tree("\\frac12"), "div(1,2)");
  EXPECT_EQ(tree("\\frac{a}{b}c"), "mul(div(a,b),c)");
  EXPECT_EQ(tree("2\\sqrt[3]{x}"), "mul(2,root(x,3))");
  EXPECT_EQ(tree("\\sin^2 x"), "pow(sin(x),2)");
  EXPECT_EQ(tree("\\log_2 8"), "div(ln(8),ln(2))");
  EXPECT_EQ(tree("|x-1|"), "abs(add(x,neg(1)))");
  EXPECT_EQ(tree("3!"), "fact(3)");
  EXPECT_EQ(tree("50\\%"), "percent(50)");
  EXPECT_EQ(tree("30^\\circ"), "deg(30)");
  EXPECT_EQ(tree("5\\text{ cm}^2"), "5");
}

TEST(Parser, Structures) {
  EXPECT_EQ(tree("(1,2]"), "(1,2]");
  EXPECT_EQ(tree("\\{1,2\\}"), "set(1,2)");
  EXPECT_EQ(tree("1, 2"), "list(1,2)");
  EXPECT_EQ(tree("x \\le 3"), "x <= 3");
  EXPECT_EQ(tree("1 < x \\leq 2"), "1 < x <= 2");
  EXPECT_EQ(tree("(0,1)\\cup(2,3)"), "union((0,1),(2,3))");
  EXPECT_EQ(tree("\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}"), "matrix2(1,2,3,4)");
  EXPECT_EQ(tree("\\text{Monday}"), "\"monday\"");
  EXPECT_EQ(tree("1 \\pm 2"), "pm(1,2)");
}

TEST(Parser, RejectsWhatItCannotRead) {
  WorkBudget budget(kPairBudget);
  EXPECT_THROW(parse_answer("(1,2", budget), ParseError);
  EXPECT_THROW(parse_answer("1 +", budget), ParseError);
  EXPECT_THROW(parse_answer("\\begin{cases} 1 \\end{cases}", budget), ParseError);
}

TEST(ExactEval, Values) {
  EXPECT_EQ(exact("2^{10}"), "1024");
  EXPECT_EQ(exact("\\sqrt{\\frac{9}{4}}"), "3/2");
  EXPECT_EQ(exact("27^{-2/3}"), "1/9");
  EXPECT_EQ(exact("\\sqrt{2}"), "none");
  EXPECT_EQ(exact("\\frac{1}{0}"), "none");
  EXPECT_EQ(exact("\\binom{10}{3}"), "120");
  EXPECT_EQ(exact("\\lfloor 2.7 \\rfloor"), "2");
  EXPECT_EQ(exact("1011_2"), "11");
  EXPECT_EQ(exact("x"), "none");
}

}  // namespace
}  // namespace r1eval::graders::math
