// Exact evaluation of constant expressions over big rationals.
#pragma once
#include <gmpxx.h>

#include <optional>

#include "graders/math/ast.h"
#include "graders/math/budget.h"

namespace r1eval::graders::math {

// The exact rational value of `n` when it is a rational constant built from numerals with + - * /,
// integer powers, exact roots (\sqrt{16/9}), factorials and binomials of small integers, |.|, floor and
// ceil. nullopt when the value is not rational, involves variables/constants, or is undefined (division by
// zero). Results larger than kMaxExactBits give nullopt. Spends budget in proportion to the digits handled.
std::optional<mpq_class> exact_value(const Node& n, WorkBudget& budget);

}  // namespace r1eval::graders::math
