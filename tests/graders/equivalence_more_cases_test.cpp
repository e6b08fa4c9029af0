// More answer pairs, mostly near misses that a lenient grader would accept by mistake.
#include <gtest/gtest.h>

#include <vector>

#include "equivalence_check.h"

namespace r1eval::graders {
namespace {

using testing::check_all;
using testing::check_answer_side;

TEST(EquivalenceNearMisses, Numbers) {
  check_all({
      {"1000", "1,001", false}, {"1,000,000", "10^6", true}, {"1,000,000", "10^5", false},
      {"0.1", "\\frac{1}{9}", false}, {"0.\\overline{1}", "\\frac{1}{9}", true}, {"0.11111", "\\frac{1}{9}", true},
      {"0.1111", "\\frac{1}{9}", false}, {"2.5000", "2.50001", false}, {"0.33333", "0.333333", false}, {"-0.5", "\\frac{1}{2}", false}, {"\\frac{-1}{-2}", "\\frac12", true},
      {"2.000001", "2", false}, {"1e-3", "0.001", true}, {"1e3", "100", false}, {"3.5\\%", "0.035", true},
      {"12", "012", true}, {"12", "21", false}, {"7", "\\sqrt{49}", true}, {"-7", "\\sqrt{49}", false},
      {"\\frac{22}{7}", "\\pi", false}, {"1.41421", "\\sqrt2", true}, {"1.414", "\\sqrt2", false},
      {"2.71828", "e", true}, {"2.718", "e", false}, {"0", "0.0", true}, {"0", "\\frac{0}{5}", true},
      {"100", "10^{2}", true}, {"2\\sqrt{2}.", "\\sqrt{8}", true}, {"$2\\sqrt{2}$.", "\\sqrt{8}", true}, {"99", "10^2-1", true}, {"1.5", "3/2", true}, {"1.5", "2/3", false},
  });
}

TEST(EquivalenceNearMisses, Expressions) {
  check_all({
      {"\\sqrt{2}/2", "\\frac{\\sqrt2}{2}", true}, {"\\sqrt{2}/2", "\\sqrt{2/2}", false},
      {"\\frac{1}{\\sqrt{3}}", "\\frac{\\sqrt3}{3}", true}, {"\\frac{1}{\\sqrt{3}}", "\\sqrt3", false},
      {"2^{3^2}", "512", true}, {"2^{3^2}", "64", false}, {"(2^3)^2", "64", true},
      {"-2^2", "-4", true}, {"(-2)^2", "4", true}, {"(-2)^2", "-4", false},
      {"\\frac{x}{2}", "0.5x", true}, {"\\frac{x}{2}", "2x", false}, {"x^3-x", "x(x-1)(x+1)", true},
      {"x^3-x", "x(x-1)^2", false}, {"\\frac{1}{x+1}", "\\frac{1}{x}+1", false},
      {"\\sqrt{x}\\sqrt{x}", "x", true}, {"e^{\\ln 5}", "5", true}, {"\\ln(ab)", "\\ln a + \\ln b", true},
      {"\\cos^2 x - \\sin^2 x", "\\cos 2x", true}, {"\\cos^2 x + \\sin^2 x", "\\cos 2x", false},
      {"\\tan x", "\\frac{\\sin x}{\\cos x}", true}, {"\\frac{3\\pi}{4}", "135^\\circ", true},
      {"\\frac{3\\pi}{4}", "\\frac{3}{4}", false}, {"\\pi^2/6", "\\frac{\\pi^2}{6}", true},
      {"4\\pi", "4 \\pi", true}, {"4\\pi", "4", false}, {"a^2+b^2", "b^2+a^2", true}, {"a^2-b^2", "b^2-a^2", false},
      {"x + i", "x - i", false}, {"x - y", "-0.3183098861837907", false}, {"(x-y)^2", "(y-x)^2", true},
      {"xy", "yx", true}, {"x + y", "2x", false}, {"\\frac{x}{y}", "\\frac{y}{x}", false}, {"\\sqrt{x} + 1", "1 - \\sqrt{x}", false}, {"\\ln(x^2)", "2\\ln x", true},
  });
}

TEST(EquivalenceNearMisses, Structures) {
  check_all({
      {"(1, 2)", "\\{1, 2\\}", false}, {"[1, 2]", "\\{1, 2\\}", false}, {"(1,2)", "1,2", true},
      {"(2,1)", "1,2", false}, {"(0, \\infty)", "(0,\\infty]", true}, {"(0, \\infty)", "[0, \\infty)", false},
      {"(-\\infty, \\infty)", "\\mathbb{R}", true}, {"(-\\infty, 1)", "\\mathbb{R}", false},
      {"\\{1, 2, 3\\}", "\\{3, 2, 1\\}", true}, {"\\{1, 2, 3\\}", "\\{1, 2\\}", false},
      {"(1, 2) \\cup (3, 4)", "(3, 4) \\cup (1, 2)", true}, {"(1, 2) \\cup (3, 4)", "(1, 4)", false},
      {"\\begin{pmatrix} 2 & 0 \\\\ 0 & 2 \\end{pmatrix}", "2\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}", true},
      {"\\begin{pmatrix} 1 & 1 \\\\ 0 & 1 \\end{pmatrix}", "\\begin{pmatrix} 1 & 0 \\\\ 1 & 1 \\end{pmatrix}", false},
      {"\\begin{bmatrix} 3 \\\\ -1 \\end{bmatrix}", "\\begin{pmatrix} 3 \\\\ -1 \\end{pmatrix}", true},
      {"(3, -1)", "\\begin{pmatrix} 3 \\\\ 1 \\end{pmatrix}", false},
      {"\\begin{pmatrix} a \\\\b \\end{pmatrix}", "(a, b)", true},
      {"x = 2 \\text{ or } x = -2", "\\pm 2", true}, {"x = 2", "\\pm 2", false}, {"x \\in (1, 2)", "1 < x < 2", true},
      {"x \\in (1, 2)", "1 \\le x < 2", false}, {"y = -x", "x + y = 0", true}, {"y = x", "x + y = 0", false},
      {"x < -1 \\text{ or } x > 2", "(-\\infty,-1)\\cup(2,\\infty)", true},
      {"x < -1 \\text{ or } x > 2", "(-\\infty,-1]\\cup(2,\\infty)", false},
      {"x \\le 0, x \\ge 1", "x \\ge 1 \\text{ or } x \\le 0", true},
      {"2x - y = 1", "y = 2x - 1", true}, {"2x - y = 1", "y = 2x + 1", false},
  });
}

TEST(EquivalenceNearMisses, TextUnitsAndSpecials) {
  check_all({
      {"\\text{yes}", "\\text{Yes}", true}, {"\\text{yes}", "\\text{no}", false},
      {"\\text{(B)}", "B", true}, {"\\text{(B)}", "\\text{(D)}", false}, {"\\textbf{(E)}", "E", true},
      {"10 \\text{ cm}^2", "10", true}, {"10 \\text{ cm}^2", "100", false}, {"\\$12.50", "12.5", true},
      {"\\$12.50", "12.05", false}, {"45^\\circ", "\\frac{\\pi}{4}", true}, {"45^\\circ", "\\frac{\\pi}{3}", false},
      {"25\\%", "\\frac14", true}, {"25\\%", "\\frac15", false}, {"101_2", "5", false}, {"101_2", "101", true},
      {"\\infty", "\\text{infinity}", false}, {"\\emptyset", "\\varnothing", true},
      // A spaced single letter in \text is a unit, not a variable; in \mathrm it may be a constant.
      {"10\\text{ m}", "10", true}, {"3\\text{ s}", "3", true}, {"10\\text{ m}", "11", false},
      {"5\\text{ m}^2", "5", true}, {"\\mathrm{e}", "e", true},
  });
}

// Function arguments, exponents and notation that MATH's answers and model output write.
TEST(EquivalenceNearMisses, ArgumentsAndNotation) {
  check_all({
      // "\sin 2\theta" is sin(2 theta): the argument runs on through Greek letters and \pi.
      {"\\sin 2\\theta", "2\\sin\\theta\\cos\\theta", true}, {"\\sin 2\\pi", "0", true},
      {"\\cos 2\\alpha", "\\cos^2\\alpha-\\sin^2\\alpha", true}, {"\\sin 2\\theta", "2\\theta\\sin 1", false},
      {"2\\sin\\theta\\cos\\theta", "\\sin\\theta\\cdot 2\\cos\\theta", true},
      // Inside an exponent's braces TeX's one-digit arguments hold again; outside, "2^10" is 2^{10}.
      {"\\sqrt5", "5^{\\frac12}", true}, {"2^{\\frac32}", "2\\sqrt2", true}, {"2^10", "1024", true},
      {"\\dbinom{10}{3}", "120", true}, {"\\tbinom{10}{3}", "120", true}, {"\\dbinom{10}{3}", "121", false},
      {"\\renewcommand{\\arraystretch}{1.5} \\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix} "
       "\\renewcommand{\\arraystretch}{1}",
       "\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", true},
      // Repeating decimals however the block is marked; a box inside the answer; \lbrack.
      {"\\frac13", "0.\\overline3", true}, {"\\frac13", "0.\\bar{3}", true}, {"\\frac{83}{90}", "0.9\\bar2", true},
      {"\\frac13", "0.\\overline4", false}, {"7", "\\boxed{7}", true}, {"[1,2]", "\\lbrack 1,2\\rbrack", true},
  });
}

// One set of reals written in different ways: touching or overlapping pieces, differences, points.
TEST(EquivalenceNearMisses, SetsOfReals) {
  check_all({
      {"(-\\infty,1) \\cup [1,3]", "(-\\infty,3]", true}, {"(-\\infty,1) \\cup (1,3]", "(-\\infty,3]", false},
      {"[0,2] \\cup [1,5)", "[0,5)", true}, {"[0,2] \\cup [1,5]", "[0,5)", false}, {"(0,1)\\cup(1,2)", "(0,2)", false},
      {"(0,36) \\setminus \\{9\\}", "(0,9) \\cup (9,36)", true}, {"(0,36) \\setminus \\{9\\}", "(0,36)", false},
      {"\\mathbb{R} \\setminus \\{0\\}", "(-\\infty,0)\\cup(0,\\infty)", true},
      {"\\mathbb{R} \\setminus \\{0\\}", "(-\\infty,0]\\cup(0,\\infty)", false},
      {"\\mathbb{R} \\setminus \\{-1, 2\\}", "(-\\infty,-1)\\cup(-1,2)\\cup(2,\\infty)", true},
      {"\\mathbb{R} \\setminus [0,1]", "(-\\infty,0)\\cup(1,\\infty)", true},
      {"(2,12) \\cup (12,102)", "(2,102) \\setminus \\{12\\}", true}, {"(2,12) \\cup (12,102)", "(2,102)", false},
      {"x \\in \\mathbb{R} \\setminus \\{3\\}", "x \\ne 3", true}, {"[\\sqrt2, 2] \\cup [1, \\sqrt3]", "[1,2]", true},
      {"(12,102) \\cup (2,12)", "(2,12) \\cup (12,102)", true}, {"\\left(2,102\\right]", "2 < x \\le 102", true},
      {"(2,102)", "2102", false}, {"[1,000]", "[1, 0]", true}, {"2,102", "2102", true},
      {"[-1, 1] \\cup \\{2\\}", "[-1,1]\\cup[2,2]", true}, {"[-1, 1] \\cup \\{2\\}", "[-1,2]", false},
  });
}

// A function's value at a point names the value: "f(3) = 5" against 5.
TEST(EquivalenceNearMisses, ValueAtAPoint) {
  check_all({
      {"f(3) = 5", "5", true}, {"g(-1) = -\\frac{1}{2}", "-0.5", true}, {"f(3) = 5", "6", false},
      {"2x = 10", "10", false}, {"f(3) = 5", "f(3) = 5", true},
  });
}

// A sum of names, or a name's positive power, equated with a constant in the answer states that constant
// (AIME's "m + n = 33"); an equation to solve does not, and a gold that is an equation is not matched by one
// of its sides: one direction only, the answer first.
TEST(EquivalenceNearMisses, NamedQuantitiesInTheAnswer) {
  const struct {
    const char* answer;
    const char* gold;
    bool equal;
  } cases[] = {
      {"m + n = 33", "33", true}, {"m+n=33", "033", true}, {"a+b+c = 12", "12", true}, {"r^2 = 25", "25", true},
      {"a_1 + a_2 = 6", "6", true}, {"33 = m + n", "33", true}, {"m + n = 34", "33", false},
      {"x + 1 = 5", "5", false}, {"2x = 10", "10", false}, {"m - n = 4", "4", false}, {"x^{-1} = 2", "2", false},
      {"1", "x + y = 1", false}, {"25", "x^2 + y^2 = 25", false},
      // The answer's side is known inside collections and matrices too, whatever order they are compared in.
      {"33", "33, m+n=33", false}, {"(a+b=5, 3)", "(5,3)", true},
      {"(a+b=5, 3)", "\\begin{pmatrix}5\\\\3\\end{pmatrix}", true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(math_answers_equal(c.answer, c.gold), c.equal) << "answer: " << c.answer << "   gold: " << c.gold;
}

// Two equations in different variables differ however alike their values; one name however written.
// An approximation states both of its sides; a list may end with a serial "and".
TEST(EquivalenceNearMisses, VariablesApproximationsAndSerialLists) {
  check_all({
      {"x = -2", "y = -2", false}, {"y = 3", "x = 3", false}, {"x = 2x+3", "y = 2x+3", false}, {"x = 5", "5", true},
      {"a_1 = 5", "a_{1} = 5", true}, {"x = 5", "X = 5", true}, {"x = -\\frac{y}{2}", "y = -2x", true},
      {"\\frac{14}{3} \\approx 4.67", "\\frac{14}{3}", true}, {"\\frac{14}{3} \\approx 4.67", "4.67", true},
      {"0.33 \\approx \\frac{1}{3}", "\\frac{1}{3}", true}, {"x \\approx 4.67", "4.67", true},
      {"3, 5, \\text{ and } 7", "3, 5, 7", true}, {"3, 5, and 7", "3, 5, 7", true}, {"3, 5, and 8", "3, 5, 7", false},
  });
}

// An AMC-style choice given with its value is that choice.
TEST(EquivalenceNearMisses, AChoiceWithItsValueIsTheChoice) {
  check_all({
      {"\\textbf{(C)}\\ 12", "\\text{(C)}", true}, {"(C) \\frac{1}{2}", "\\text{(C)}", true},
      {"\\textbf{(B)}\\ 12", "\\text{(C)}", false}, {"\\text{(C) } 12", "C", true}, {"(1, 2)", "(1,2)", true},
      // Not a choice with its value: several choices, or a condition.
      {"(C), (D)", "\\text{(C)}", false}, {"(C)(D)", "\\text{(C)}", false}, {"(B) \\cup (C)", "\\text{(C)}", false},
      {"A", "\\text{(A), (C)}", false}, {"(C) \\text{ only if } x>0", "\\text{(C)}", false},
      // The letter with its option's text, as MATH's multiple-choice answers are offered.
      {"\\textbf{(B)}\\ 3(1 + r/10)^x = 7", "\\text{(B)}", true}, {"\\text{C. Plane}", "\\text{(C)}", true},
      {"C) Plane", "\\text{(C)}", true}, {"\\text{D. Plane}", "\\text{(C)}", false},
      {"(D)\\ 3x = (C)", "\\text{(C)}", false},
  });
}

// A parenthetical aside closing an answer restates or labels it: an approximation, a decimal set off by a TeX
// space, a unit in \\text. A product written with a space stays a product.
TEST(EquivalenceNearMisses, AParentheticalAsideIsNotPartOfTheAnswer) {
  check_all({
      {"\\frac{1}{2} \\; (0.5)", "\\frac{1}{2}", true}, {"5\\text{ (cm)}", "5", true},
      {"12\\pi\\ (\\approx 37.7)", "12\\pi", true}, {"12\\pi \\left(\\approx 37.7\\right)", "12\\pi", true},
      {"\\frac{1}{3} \\quad (0.333)", "\\frac{1}{2}", false}, {"3 (x + 1)", "3x + 3", true},
      {"2\\,(x+1)", "2", false},
  });
}

// A \\pm inside a list or set stands for its two values in place.
TEST(EquivalenceNearMisses, PlusMinusInLists) {
  check_all({
      {"-2, 1+\\sqrt5, 1-\\sqrt5", "\\{1\\pm\\sqrt{5},-2\\}", true}, {"-2, 1+\\sqrt5", "\\{1\\pm\\sqrt{5},-2\\}", false},
      {"1\\pm\\sqrt{5},-2", "\\{1\\pm\\sqrt{5},-2\\}", true}, {"\\pm 1, \\pm 2", "-2,-1,1,2", true},
      {"\\pm 1, \\pm 2", "-2,1,2", false}, {"x = \\pm 3, x = 0", "0, 3, -3", true}, {"1 \\pm \\sqrt{19}", "1+\\sqrt{19}, 1-\\sqrt{19}", true},
  });
}

// Unicode symbols in a boxed answer read as the TeX they stand for.
TEST(EquivalenceNearMisses, UnicodeSymbols) {
  check_all({
      {"-5", "\u22125", true}, {"\\pi", "\u03c0", true}, {"30", "30\u00b0", true}, {"\\sqrt2", "\u221a2", true},
      {"6", "2\u00d73", true}, {"(-\\infty,3]", "x\u22643", true}, {"x^2", "x\u00b2", true}, {"\\infty", "\u221e", true},
      {"-5", "\u22126", false}, {"x^3", "x\u00b2", false},
      // Invisible and spacing characters, the element sign, the cent sign as a unit.
      {"5", "5\u200b", true}, {"12", "1\u200b2", true}, {"1000", "1\u00a0000", true},
      {"[-2,7]", "x \u2208 [-2, 7]", true}, {"5.4", "5.4\\text{\u00a2}", true},
      {"1000.99", "1,000.99\u20ac", true}, {"12", "\u00a312", true},
  });
}

// Other spellings of fractions, emphasis and repeating decimals.
TEST(EquivalenceNearMisses, OtherSpellings) {
  check_all({
      {"\\frac{1}{2}", "\\nicefrac{1}{2}", true}, {"5", "\\underline{5}", true}, {"5", "\\emph{5}", true},
      {"\\frac{1}{3}", "0.\\dot{3}", true}, {"\\frac{1}{3}", "0.\\dot{4}", false},
      {"\\text{even}", "\\text{even function}", true}, {"\\text{odd}", "\\text{Odd number}", true},
      {"\\text{odd}", "\\text{even function}", false},
  });
}

// Numbers in words, vulgar fractions, bases written "(2)" or in words.
TEST(EquivalenceNearMisses, NumbersInWordsAndVulgarFractions) {
  check_all({
      {"5", "\\text{five}", true}, {"12", "twelve", true}, {"21", "twenty-one", true}, {"21", "\\text{twenty one}", true},
      {"105", "\\text{one hundred and five}", true}, {"2020", "\\text{two thousand twenty}", true},
      {"5", "5 \\text{ (five)}", true}, {"6", "\\text{five}", false}, {"19", "twenty-one", false},
      {"\\frac{1}{2}", "\u00bd", true}, {"\\frac{2}{3}", "\u2154", true}, {"\\frac{3}{8}", "\u215c", true},
      {"\\frac{1}{3}", "\u00bd", false}, {"\\frac{3}{2}", "3\u00bd", false},  // a mixed number is not 3 x 1/2
      {"1011_2", "1011_{(2)}", true}, {"1011_2", "1011_{\\text{two}}", true}, {"11", "1011_{(2)}", false},
  });
}

// Named quantities on the answer side: a segment, a remainder, a congruence's residue.
TEST(EquivalenceNearMisses, SegmentsRemaindersAndCongruences) {
  check_all({
      {"5", "\\overline{AB} = 5", true}, {"6", "\\overline{AB} = 5", false},
      {"204", "N \\bmod 1000 = 204", true}, {"204", "N \\equiv 204 \\pmod{1000}", true},
      {"204", "N \\equiv 204 \\pmod {1000}", true}, {"205", "N \\bmod 1000 = 204", false},
      {"\\text{(C)}", "c", true}, {"\\text{(C)}", "(c)", true}, {"\\text{(C)}", "d", false},
  });
}

// A pair with its ends out of order is a point, never an (empty) interval; a gold list is never a decimal
// comma; a percentage in the answer is the gold's number past 1 and the gold's fraction up to 1.
TEST(EquivalenceNearMisses, PointsListsAndPercentagesAgainstTheirLookAlikes) {
  check_all({
      {"[8,-3]", "(8,-2)", false}, {"(3, \\frac{\\pi}{3}]", "\\left( 3, \\frac{\\pi}{2} \\right)", false},
      {"(1,0) \\cup (3,2)", "(15,-29)", false}, {"[1,3]", "(1,3)", false}, {"(8,-2)", "(8,-2)", true},
  });
  check_answer_side({
      {"2.5", "2,5", false}, {"2,5", "2.5", true},
      {"0.15\\%", "0.15", false}, {"0.09\\%", "\\frac{9}{100}", false}, {"1\\%", "1", false},
      {"1000\\%", "10", false}, {"15\\%", "0.15", true}, {"25\\%", "25", true}, {"100\\%", "1", true},
      {"0.5", "50\\%", true}, {"50", "50\\%", true},
  });
}

// Plain TeX's \choose and set-builder notation.
TEST(EquivalenceNearMisses, ChooseAndSetBuilderNotation) {
  check_all({
      {"{90 \\choose 2}", "4005", true}, {"{5 \\choose 3}", "10", true}, {"{5 \\choose 3}", "11", false},
      {"\\{x : 3 < x \\le 4\\}", "(3,4]", true}, {"\\{x \\mid 3 < x \\le 4\\}", "(3,4]", true},
      {"\\{x \\in \\mathbb{R} : 3 < x \\le 4\\}", "(3,4]", true}, {"\\{x : 3 < x < 4\\}", "(3,4]", false},
      {"\\{y : 3 < x \\le 4\\}", "(3,4]", false},
  });
}

// Plain-text and Unicode shorthands of other models' answers: a mixed number "2 1/2", roots "√51" and
// "sqrt(51)", units over units, degree spellings, "±", an en dash for minus, superscript exponents.
TEST(EquivalenceNearMisses, PlainTextAndUnicodeShorthands) {
  check_all({
      {"\\frac52", "2 1/2", true}, {"1", "2 1/2", false}, {"68.5", "137 1/2", false}, {"137\\frac12", "137 1/2", true},
      {"\\sqrt{51}", "\u221a51", true}, {"\\sqrt5", "\u221a51", false}, {"\\sqrt{51}", "sqrt(51)", true},
      {"\\sqrt{51}", "\\sqrt(51)", true}, {"\\sqrt{x+1}", "\u221a(x+1)", true},
      {"12", "12 \\text{ m/s}", true}, {"12", "12 \\, \\mathrm{km/h}", true}, {"13", "12 \\text{ m/s}", false},
      {"90^\\circ", "90\\degree", true}, {"30^\\circ", "30^o", true}, {"1 \\pm \\sqrt{19}", "1 \u00b1 \u221a19", true},
      {".0000672", "6.72\u00d710\u207b\u2075", true}, {"-9", "\u20139", true}, {"9", "\u20139", false},
      {"x^{2}", "x\u00b2", true}, {"x^{12}", "x\u00b9\u00b2", true},
      {"3.5", "3\u00bd", true}, {"137\\frac12", "137\u00bd", true}, {"\\text{ellipse}", "\\text{an ellipse}", true},
      {"\\text{ellipse}", "\\text{a circle}", false},
      // A decimal cut off with an ellipsis: its last digit repeats when it ends it three times, else it stands.
      {"\\frac59", "0.555\\ldots", true}, {"\\frac13", "0.333...", true}, {"\\frac16", "0.1666\u2026", true},
      {"\\frac12", "0.555...", false}, {"\\pi", "3.14159\\ldots", true}, {"5", "5...", true},
  });
}

}  // namespace
}  // namespace r1eval::graders
