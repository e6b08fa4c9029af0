// Sums, products and scalar multiples of explicit matrices, computed entry by entry.
#pragma once
#include "graders/math/ast.h"
#include "graders/math/budget.h"

namespace r1eval::graders::math {

// The matrix an expression of explicit matrices denotes, with entries as (unevaluated) expressions:
// sums and products of matrices and scalar multiples. nullptr when `n` is not such an expression or the
// shapes do not fit.
NodePtr fold_matrix(const Node& n, WorkBudget& budget);

}  // namespace r1eval::graders::math
