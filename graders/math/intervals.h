// Sets of reals written as intervals, unions, \mathbb{R} or one-variable relations ("x < 3", "1 \le x < 2",
// "x \in [0,1)", "-x > -1").
#pragma once
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

// The intervals `n` denotes (a union, or a list of relations read as "or"), or nullopt when it is not
// such a set. In a relation the variable side must
// be a lone variable (or its negation) when `lone_variable_only`, else any expression with variables
// ("0 < f(x) < 1" is then the interval (0, 1)); the other sides must be constants. Nodes made on the way
// (negated bounds) are kept in `scratch`, which must outlive the result.
std::optional<std::vector<Interval>> intervals_of(const Node& n, bool lone_variable_only,
                                                  std::vector<NodePtr>& scratch);

}  // namespace r1eval::graders::math
