// Comparison of two descriptions of a set of reals in one variable ("1 \le |z| \le 3/2",
// "z \in [-3/2,-1] \cup [1,3/2]", "2x < 6", "(-\infty, 3)") by membership at probe points.
#pragma once
#include <optional>

#include "graders/math/ast.h"
#include "graders/math/budget.h"

namespace r1eval::graders::math {

// True/false when both `a` and `b` describe subsets of the real line in at most one shared variable
// (relations chains, "x \in S", intervals, unions, \mathbb{R}) and they agree/disagree on membership at
// every probe point: each finite bound of either side, the points just beside it, midpoints between
// bounds and points far out. nullopt when either side is not such a description or cannot be evaluated.
std::optional<bool> same_solution_set(const Node& a, const Node& b, WorkBudget& budget);

}  // namespace r1eval::graders::math
