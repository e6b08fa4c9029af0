// Sets of reals written as intervals, unions, differences (\setminus), \mathbb{R}, finite sets of points
// inside a union or difference, or one-variable relations ("x < 3", "1 \le x < 2", "x \in [0,1)", "-x > -1").
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "graders/math/ast.h"

namespace r1eval::graders::math {

// +1 / -1 for +infinity / -infinity (written \infty, -\infty), 0 for anything else.
int infinity_sign(const Node& n);

// One interval; a finite end points into the tree it was read from (or into `scratch`).
struct Interval {
  const Node* lo = nullptr;
  const Node* hi = nullptr;
  int lo_inf = 0;  // -1 when the lower end is -infinity
  int hi_inf = 0;  // +1 when the upper end is +infinity
  bool lo_closed = false;
  bool hi_closed = false;
};

// The order of two finite ends (<0, 0 when equal, >0); nullopt when they cannot be ordered (a variable,
// a non-real value).
using EndOrder = std::function<std::optional<int>(const Node&, const Node&)>;

// The intervals `n` denotes (a union, or a list of relations read as "or"), or nullopt when it is not
// such a set. A difference "A \setminus B" needs its ends ordered by `order` and comes out in the canonical
// form of real_sets.h (nullopt when they cannot be ordered). In a relation the variable side must
// be a lone variable (or its negation) when `lone_variable_only`, else any expression with variables
// ("0 < f(x) < 1" is then the interval (0, 1)); the other sides must be constants. Nodes made on the way
// (negated bounds) are kept in `scratch`, which must outlive the result.
std::optional<std::vector<Interval>> intervals_of(const Node& n, bool lone_variable_only,
                                                  std::vector<NodePtr>& scratch, const EndOrder& order);

}  // namespace r1eval::graders::math
