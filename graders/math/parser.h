// LaTeX answer -> expression tree.
#pragma once
#include <stdexcept>
#include <string_view>

#include "graders/math/ast.h"
#include "graders/math/budget.h"

namespace r1eval::graders::math {

// The answer is not an expression this parser understands (the grader then compares text).
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses one answer: numbers, arithmetic with implicit multiplication, functions, roots, constants,
// tuples/intervals/sets/bare lists, matrices, equations and inequalities, words. Throws ParseError for
// anything else and BudgetExhausted when `budget` runs out (including nesting deeper than kMaxDepth).
NodePtr parse_answer(std::string_view answer, WorkBudget& budget);

}  // namespace r1eval::graders::math
