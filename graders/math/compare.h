// Equivalence of two parsed answers.
#pragma once
#include <string>

#include "graders/math/ast.h"
#include "graders/math/budget.h"

namespace r1eval::graders::math {

enum class Decision { kEqual, kDifferent, kUnknown };

struct Outcome {
  Decision decision = Decision::kUnknown;
  std::string reason;  // short, e.g. "numeric equal", "interval bounds differ"
};

// Decides whether `answer` and `gold` denote the same mathematical answer: exact rationals first, then
// high-precision values for constants (pi, e, roots, logs), then agreement at sample points for
// expressions with variables; structures (tuples, intervals, sets, lists, matrices, equations,
// inequalities, percentages, angles, base-b numerals, words) are compared by their own rules.
// kUnknown when the trees are outside what can be decided (the caller may fall back to text).
// Throws BudgetExhausted when `budget` runs out.
Outcome compare_answers(const Node& answer, const Node& gold, WorkBudget& budget);

}  // namespace r1eval::graders::math
