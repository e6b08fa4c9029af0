// Sets of reals written as unions of intervals, put in a canonical form so that two spellings of one set
// compare piece by piece: "(-\infty,1) \cup [1,3]" and "(-\infty,3]"; "(0,36) \setminus \{9\}" and
// "(0,9) \cup (9,36)". Finite ends are ordered by `order`; the result keeps pointers to the ends' nodes.
#pragma once
#include <optional>
#include <vector>

#include "graders/math/intervals.h"

namespace r1eval::graders::math {

// The same set as sorted, disjoint intervals, none empty and no two touching (touching pieces are
// joined: [0,1) and [1,2] make [0,2]); nullopt when two ends cannot be ordered.
std::optional<std::vector<Interval>> canonical_union(std::vector<Interval> parts, const EndOrder& order);

// The points of `a` not in `b`, in canonical form; nullopt when two ends cannot be ordered.
std::optional<std::vector<Interval>> set_difference(const std::vector<Interval>& a, const std::vector<Interval>& b,
                                                    const EndOrder& order);

}  // namespace r1eval::graders::math
