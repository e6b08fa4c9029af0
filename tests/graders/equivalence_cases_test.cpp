// Hundreds of answer pairs, true and false, for every form the math grader must understand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "equivalence_check.h"

namespace r1eval::graders {
namespace {

using testing::check_all;

TEST(Equivalence, Integers) {
  check_all({
      {"42", "42", true}, {"042", "42", true}, {"-7", "-7", true}, {"+7", "7", true}, {"7", "-7", false},
      {"123456789012345678901234567890", "123456789012345678901234567890", true},
      {"123456789012345678901234567890", "123456789012345678901234567891", false},
      {"0", "-0", true}, {"10", "1", false}, {"100", "10^2", true}, {"2^{10}", "1024", true},
      {"2^{100}", "1267650600228229401496703205376", true}, {"2^{100}", "1267650600228229401496703205377", false},
      {"3!", "6", true}, {"5!", "120", true}, {"\\binom{5}{2}", "10", true}, {"\\binom{6}{3}", "10", false},
  });
}

TEST(Equivalence, Decimals) {
  check_all({
      {"0.5", "\\frac{1}{2}", true}, {".5", "0.5", true}, {"0.50", "0.5", true}, {"2.0", "2", true},
      {"3.14", "\\pi", false}, {"0.333", "\\frac{1}{3}", false}, {"1.25", "\\frac{5}{4}", true},
      {"-0.125", "-\\frac{1}{8}", true}, {"0.1", "0.01", false}, {"12.5", "12.50", true},
  });
}

TEST(Equivalence, RepeatingDecimals) {
  check_all({
      {"0.\\overline{3}", "\\frac{1}{3}", true}, {"0.\\overline{6}", "\\frac{2}{3}", true},
      {"0.1\\overline{6}", "\\frac{1}{6}", true}, {"0.\\overline{142857}", "\\frac{1}{7}", true},
      {"1.\\overline{3}", "\\frac{4}{3}", true}, {"0.\\overline{3}", "0.3", false},
      {"0.\\overline{12}", "\\frac{4}{33}", true}, {"0.\\overline{12}", "\\frac{12}{100}", false},
  });
}

TEST(Equivalence, ScientificNotation) {
  check_all({
      {"1.5 \\times 10^{3}", "1500", true}, {"1.5\\times10^3", "1500", true}, {"1.5e3", "1500", true},
      {"2E-2", "0.02", true}, {"3 \\cdot 10^{-2}", "0.03", true}, {"1.5 \\times 10^{3}", "150", false},
      {"6.02 \\times 10^{23}", "602000000000000000000000", true},
  });
}

TEST(Equivalence, ThousandsSeparators) {
  check_all({
      {"1,000", "1000", true}, {"1{,}000", "1000", true}, {"1\\,000", "1000", true},
      {"12,345,678", "12345678", true}, {"10{,}000", "10000", true}, {"1,000", "100", false},
      {"1{,}000{,}000", "10^6", true},
  });
}

TEST(Equivalence, Fractions) {
  check_all({
      {"\\frac{1}{2}", "1/2", true}, {"\\dfrac{3}{4}", "\\frac{3}{4}", true}, {"\\tfrac{3}{4}", "0.75", true},
      {"\\frac12", "\\frac{1}{2}", true}, {"\\frac 12", "0.5", true}, {"\\frac{2}{4}", "\\frac{1}{2}", true},
      {"\\frac{-1}{2}", "-\\frac{1}{2}", true}, {"-\\frac{1}{2}", "\\frac{1}{-2}", true},
      {"\\frac{1}{2}", "\\frac{1}{3}", false}, {"\\frac{1}{2}", "2", false}, {"\\frac{\\frac{1}{2}}{3}", "\\frac16", true},
      {"\\frac{1}{2^{99}}", "\\frac{1}{2^{98}}", false}, {"\\frac{1}{2^{99}}", "2^{-99}", true},
      {"\\frac{\\pi}{2^{99}}", "\\frac{\\pi}{2^{98}}", false}, {"\\frac{3}{2}", "1.5", true},
  });
}

TEST(Equivalence, MixedNumbers) {
  check_all({
      {"2\\frac13", "\\frac{7}{3}", true}, {"2\\frac{1}{3}", "\\frac{7}{3}", true},
      {"3\\frac{1}{2}", "3.5", true}, {"-2\\frac{1}{2}", "-2.5", true}, {"2\\frac{1}{3}", "\\frac{2}{3}", false},
      {"1\\frac{3}{4}", "\\frac{7}{4}", true},
  });
}

TEST(Equivalence, Roots) {
  check_all({
      {"\\sqrt{2}", "2^{1/2}", true}, {"\\sqrt2", "\\sqrt{2}", true}, {"2\\sqrt{2}", "\\sqrt{8}", true},
      {"\\sqrt{8}", "2.828", false}, {"\\sqrt[3]{8}", "2", true}, {"\\sqrt[3]{-8}", "-2", true},
      {"\\sqrt{12}", "2\\sqrt3", true}, {"\\sqrt{12}", "3\\sqrt2", false}, {"\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", true},
      {"\\sqrt{16}", "4", true}, {"\\sqrt{\\frac{9}{4}}", "\\frac32", true}, {"\\sqrt{2}+\\sqrt{3}", "\\sqrt{5+2\\sqrt{6}}", true},
      {"\\sqrt[4]{16}", "2", true}, {"4^{1/2}", "2", true}, {"27^{2/3}", "9", true}, {"\\sqrt{3}", "\\sqrt{2}", false},
  });
}

TEST(Equivalence, PowersAndConstants) {
  check_all({
      {"\\pi", "\\pi", true}, {"2\\pi", "\\pi \\cdot 2", true}, {"\\frac{\\pi}{2}", "0.5\\pi", true},
      {"\\pi", "3.14159", true}, {"\\pi", "3.14", false}, {"\\pi", "3.1415", false}, {"e^2", "e \\cdot e", true}, {"e", "\\exp(1)", true}, {"e^{i\\pi}", "-1", true},
      {"i^2", "-1", true}, {"2i", "i+i", true}, {"4-20i", "4 - 20 i", true}, {"4-20i", "4+20i", false},
      {"(1+i)^2", "2i", true}, {"\\frac{1}{i}", "-i", true}, {"\\pi^2", "\\pi \\pi", true},
      {"2^{-1}", "\\frac12", true}, {"x^2", "x \\cdot x", true}, {"3^4", "81", true}, {"3^4", "64", false},
  });
}

TEST(Equivalence, Infinity) {
  check_all({
      {"\\infty", "\\infty", true}, {"-\\infty", "-\\infty", true}, {"\\infty", "-\\infty", false},
      {"+\\infty", "\\infty", true}, {"\\infty", "1000000", false},
  });
}

TEST(Equivalence, TrigLogExp) {
  check_all({
      {"\\sin(\\pi/6)", "\\frac12", true}, {"\\sin\\frac{\\pi}{6}", "0.5", true}, {"\\cos 0", "1", true},
      {"\\tan\\frac{\\pi}{4}", "1", true}, {"\\ln e", "1", true}, {"\\log_2 8", "3", true}, {"\\log_{2} 8", "4", false},
      {"\\ln(e^3)", "3", true}, {"\\exp(0)", "1", true}, {"\\sin^2 x + \\cos^2 x", "1", true},
      {"\\arctan 1", "\\frac{\\pi}{4}", true}, {"\\sin^{-1}(1)", "\\frac{\\pi}{2}", true},
      {"2\\sin x\\cos x", "\\sin 2x", true}, {"\\sin x", "\\cos x", false}, {"\\log_3 81", "4", true},
      {"\\ln 2 + \\ln 3", "\\ln 6", true}, {"\\ln 2 + \\ln 3", "\\ln 5", false}, {"\\sec 0", "1", true},
  });
}

TEST(Equivalence, Multiplication) {
  check_all({
      {"2 \\cdot 3", "6", true}, {"2 \\times 3", "6", true}, {"2*3", "6", true}, {"2(3)", "6", true},
      {"3x", "x \\cdot 3", true}, {"2xy", "2yx", true}, {"2xy", "2x+y", false}, {"(x+1)(x-1)", "x^2-1", true},
      {"(x+1)^2", "x^2+2x+1", true}, {"(x+1)^2", "x^2+1", false}, {"\\frac{x^2-1}{x-1}", "x+1", true},
      {"6 \\div 3", "2", true}, {"a(b+c)", "ab+ac", true}, {"\\pi r^2", "r^2\\pi", true},
  });
}

TEST(Equivalence, Percent) {
  check_all({
      {"50\\%", "50", true}, {"50\\%", "0.5", true}, {"50\\%", "\\frac12", true}, {"50\\%", "50\\%", true},
      {"25\\%", "50", false}, {"12.5\\%", "12.5", true}, {"50 \\text{ percent}", "50", true}, {"40\\%", "0.5", false},
  });
}

TEST(Equivalence, Degrees) {
  check_all({
      {"30^\\circ", "30", true}, {"30^{\\circ}", "30", true}, {"30^\\circ", "\\frac{\\pi}{6}", true},
      {"45^\\circ", "30", false}, {"90 \\text{ degrees}", "90", true}, {"120^\\circ", "120^{\\circ}", true},
  });
}

TEST(Equivalence, UnitsAndMoney) {
  check_all({
      {"5 \\text{ cm}", "5", true}, {"5\\text{cm}^2", "5", true}, {"\\$5", "5", true}, {"\\$5.00", "5", true},
      {"12 \\text{ inches}", "12", true}, {"10 \\mbox{ meters}", "10", true}, {"5 \\text{ cm}", "6", false},
      {"\\$ 1,000", "1000", true}, {"1320 km", "1320", true}, {"5 cm^2", "5", true}, {"5 km", "6", false},
      {"2m", "2", false}, {"20 \\text{ dollars}", "20", true}, {"7 \\text{ units}", "8", false},
  });
}

TEST(Equivalence, BaseSubscripts) {
  check_all({
      {"1011_2", "1011_2", true}, {"1011", "1011_2", true}, {"11", "1011_2", false}, {"1011_2", "1011_{2}", true},
      {"123_4", "123_{4}", true}, {"123_4", "123_5", false}, {"10_2", "2", false}, {"0101_2", "101_2", true},
  });
}

TEST(Equivalence, PlusMinus) {
  check_all({
      {"1 \\pm \\sqrt{2}", "1+\\sqrt2, 1-\\sqrt2", true}, {"\\pm 3", "3, -3", true}, {"\\pm 3", "-3, 3", true},
      {"\\pm 3", "3", false}, {"x = \\pm 2", "2, -2", true}, {"2 \\pm i", "2+i, 2-i", true}, {"1\\pm\\sqrt{2}", "1\\pm\\sqrt{3}", false},
  });
}

TEST(Equivalence, Equations) {
  check_all({
      {"x=3", "3", true}, {"x = 3", "x=3", true}, {"y = 2x + 3", "y=3+2x", true}, {"y=2x+3", "2x+3", true},
      {"y=2x+3", "y=2x-3", false}, {"2x+4y=6", "x+2y=3", true}, {"x+2y=3", "x+2y=4", false},
      {"x^2+y^2=1", "2x^2+2y^2=2", true}, {"y-3=2x", "y=2x+3", true}, {"x = 3", "4", false},
      {"a = 5", "5", true}, {"k=\\frac{1}{2}", "0.5", true}, {"x=2, y=3", "2, 3", true},
  });
}

TEST(Equivalence, InequalitiesAndIntervals) {
  check_all({
      {"x \\le 3", "(-\\infty, 3]", true}, {"x \\leq 3", "(-\\infty,3)", false}, {"x < 3", "(-\\infty, 3)", true},
      {"x > -2", "(-2, \\infty)", true}, {"x \\ge -2", "[-2, \\infty)", true}, {"x\\ge -2", "(-2,\\infty)", false},
      {"1 < x \\le 4", "(1, 4]", true}, {"1 \\le x \\le 4", "[1, 4]", true}, {"1 \\le x \\le 4", "[1, 5]", false},
      {"3 \\ge x", "x \\le 3", true}, {"x \\in [2, 5)", "[2,5)", true}, {"[2,5)", "[2,5]", false},
      {"(-\\infty, 0) \\cup (1, \\infty)", "(1,\\infty)\\cup(-\\infty,0)", true},
      {"(-\\infty, 0) \\cup (1, \\infty)", "(-\\infty, 0] \\cup (1, \\infty)", false},
      {"\\mathbb{R}", "(-\\infty, \\infty)", true}, {"x \\ne 2", "(-\\infty,2)\\cup(2,\\infty)", true},
      {"[0, \\frac{1}{2}]", "[0, 0.5]", true}, {"(0, 1)", "[0, 1]", false}, {"[0,\\pi)", "[0, 2\\pi)", false},
      {"x<3", "x \\le 3", false}, {"-1 < x < 1", "(-1,1)", true},
      // Membership at probe points for relations that are not a lone variable against constants.
      {"2x < 6", "x < 3", true}, {"2x < 6", "x \\le 3", false}, {"-x > -1", "x < 1", true},
      {"x^2 < 4", "(-2, 2)", true}, {"x^2 \\le 4", "(-2, 2)", false}, {"x^2 \\ge 1", "(-\\infty,-1]\\cup[1,\\infty)", true},
      {"1 \\le |z| \\le \\frac{3}{2}", "z \\in [-\\frac32, -1] \\cup [1, \\frac32]", true},
      {"1 \\le |z| \\le \\frac{3}{2}", "z \\in [-\\frac32, -1] \\cup (1, \\frac32]", false},
      {"x^2 < 2", "(-\\sqrt{2}, \\sqrt{2})", true}, {"x^2 < 2", "[-\\sqrt{2}, \\sqrt{2})", false},
  });
}

TEST(Equivalence, TuplesAndPoints) {
  check_all({
      {"(1, 2)", "(1,2)", true}, {"(1, 2)", "(2, 1)", false}, {"(1,2,3)", "(1, 2, 3)", true},
      {"(1,2,3)", "(1,2)", false}, {"\\left(\\frac12, 3\\right)", "(0.5, 3)", true}, {"(1, -1)", "(1, 1)", false},
      {"(\\sqrt{2}, \\pi)", "(2^{1/2}, \\pi)", true}, {"(1,2,3)", "[1,2,3]", true},
  });
}

TEST(Equivalence, ListsAndSets) {
  check_all({
      {"1, 2", "2, 1", true}, {"1, 2, 3", "3, 1, 2", true}, {"1, 2", "1, 2, 3", false}, {"1, 2", "1, 3", false},
      {"\\{1, 2\\}", "\\{2, 1\\}", true}, {"\\{1, 2\\}", "1, 2", true}, {"\\{3\\}", "3", true},
      {"\\{1,2\\}", "\\{1,3\\}", false}, {"\\emptyset", "\\{\\}", true}, {"\\emptyset", "\\{0\\}", false},
      {"2 \\text{ and } 3", "2, 3", true}, {"-1, \\frac12", "0.5, -1", true}, {"1; 2", "1, 2", true},
      {"x = 1, 2", "1, 2", true}, {"1, 2, 4", "1, 2, 2", false},
      {"p=5,q=2;p=7,q=2", "(5,2),(7,2)", true}, {"p=5,q=2;p=7,q=3", "(5,2),(7,2)", false},
      // Answer lists are sets: a repeated element adds nothing.
      {"1, 1, 2", "1, 2", true}, {"2, 3 \\text{ or } 5", "5, 3, 2", true}, {"1 and 2", "\\{1,2\\}", true},
  });
}

TEST(Equivalence, Matrices) {
  check_all({
      {"\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{bmatrix}1&2\\\\3&4\\end{bmatrix}", true},
      {"\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "\\begin{pmatrix}1&2\\\\4&3\\end{pmatrix}", false},
      {"\\begin{pmatrix} 1 \\\\ 2 \\\\ 3 \\end{pmatrix}", "(1, 2, 3)", true},
      {"\\begin{pmatrix} 1 \\\\ 2 \\\\ 3 \\end{pmatrix}", "(1, 2, 4)", false},
      {"\\begin{pmatrix} \\frac12 \\\\ 0 \\end{pmatrix}", "\\begin{pmatrix} 0.5 \\\\ 0 \\end{pmatrix}", true},
      {"\\begin{pmatrix} 1 & 2 \\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", false},
  });
}

TEST(Equivalence, TextAnswers) {
  check_all({
      {"\\text{Monday}", "Monday", true}, {"\\text{monday}", "\\text{Monday}", true}, {"Monday", "Tuesday", false},
      {"\\text{even}", "\\text{odd}", false}, {"\\text{no solution}", "\\text{No Solution}", true},
      {"\\textbf{yes}", "yes", true}, {"\\text{(C)}", "C", true}, {"\\text{(C)}", "(C)", true}, {"C", "D", false},
      {"\\text{(A)}", "\\text{(B)}", false}, {"\\text{circle}", "\\text{Circle}", true},
  });
}

TEST(Equivalence, Variables) {
  check_all({
      {"x^2 + 2x", "x(x+2)", true}, {"\\frac{1}{x}", "x^{-1}", true}, {"\\sqrt{x^2}", "x", false},
      {"|x|", "\\sqrt{x^2}", true}, {"\\alpha + \\beta", "\\beta+\\alpha", true}, {"x_1 + x_2", "x_2 + x_1", true},
      {"x_1 + x_2", "x_1 + x_3", false}, {"2a", "2b", false}, {"n(n+1)/2", "\\frac{n^2+n}{2}", true},
      {"\\frac{a}{b}", "\\frac{b}{a}", false},
  });
}

}  // namespace
}  // namespace r1eval::graders
