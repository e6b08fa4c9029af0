#include "graders/math/intervals.h"

#include <set>
#include <string>

#include "graders/math/real_sets.h"

namespace r1eval::graders::math {

int infinity_sign(const Node& n) {
  if (n.kind == NodeKind::kInfinity) return 1;
  if (n.kind == NodeKind::kNeg) return -infinity_sign(*n.kids[0]);
  return 0;
}

namespace {

// "x < 3", "3 \ge x", "1 \le x < 2", "x \in [0,1)", "x \ne 2": the set of values of the one variable.
std::optional<std::vector<Interval>> relation_intervals(const Node& r, bool lone_variable_only,
                                                      std::vector<NodePtr>& scratch, const EndOrder& order) {
  // The side holding the variable ("x", "f(x)", "|z|" all count); the other sides must be constants.
  const bool lone = lone_variable_only;
  const auto is_var = [lone](const Node& n) {
    if (n.kind == NodeKind::kSymbol) return true;
    if (lone) return false;
    std::set<std::string> s;
    collect_symbols(n, s);
    return !s.empty();
  };
  std::vector<Interval> out;
  if (r.relations.size() == 1) {
    const Node& l = *r.kids[0];
    const Node& rhs = *r.kids[1];
    const Rel op = r.relations[0];
    if (op == Rel::kIn && is_var(l)) return intervals_of(rhs, lone_variable_only, scratch, order);
    if (op == Rel::kEq) return std::nullopt;
    const auto negated_var = [&](const Node& n) { return n.kind == NodeKind::kNeg && is_var(*n.kids[0]); };
    const bool var_left = (is_var(l) || negated_var(l)) && !is_var(rhs) && !negated_var(rhs);
    const bool var_right = (is_var(rhs) || negated_var(rhs)) && !is_var(l) && !negated_var(l);
    if (!var_left && !var_right) return std::nullopt;
    const Node* c = var_left ? &rhs : &l;
    const auto flip = [](Rel x) {
      return x == Rel::kLt ? Rel::kGt : x == Rel::kGt ? Rel::kLt : x == Rel::kLe ? Rel::kGe : x == Rel::kGe ? Rel::kLe : x;
    };
    // Normalise to "x op c" ("-x > -1" becomes "x < 1").
    Rel o = op;
    if (var_right) o = flip(o);
    if (negated_var(var_left ? l : rhs)) {
      o = flip(o);
      scratch.push_back(make_unary(NodeKind::kNeg, c->clone()));
      c = scratch.back().get();
    }
    switch (o) {
      case Rel::kLt: out.push_back({nullptr, c, -1, 0, false, false}); break;
      case Rel::kLe: out.push_back({nullptr, c, -1, 0, false, true}); break;
      case Rel::kGt: out.push_back({c, nullptr, 0, 1, false, false}); break;
      case Rel::kGe: out.push_back({c, nullptr, 0, 1, true, false}); break;
      case Rel::kNe:
        out.push_back({nullptr, c, -1, 0, false, false});
        out.push_back({c, nullptr, 0, 1, false, false});
        break;
      default: return std::nullopt;
    }
    return out;
  }
  if (r.relations.size() == 2 && is_var(*r.kids[1]) && !is_var(*r.kids[0]) && !is_var(*r.kids[2])) {
    const Rel o1 = r.relations[0], o2 = r.relations[1];
    const bool up = (o1 == Rel::kLt || o1 == Rel::kLe) && (o2 == Rel::kLt || o2 == Rel::kLe);
    const bool down = (o1 == Rel::kGt || o1 == Rel::kGe) && (o2 == Rel::kGt || o2 == Rel::kGe);
    if (up) out.push_back({r.kids[0].get(), r.kids[2].get(), 0, 0, o1 == Rel::kLe, o2 == Rel::kLe});
    else if (down) out.push_back({r.kids[2].get(), r.kids[0].get(), 0, 0, o2 == Rel::kGe, o1 == Rel::kGe});
    else return std::nullopt;
    for (Interval& iv : out) {
      iv.lo_inf = infinity_sign(*iv.lo);
      iv.hi_inf = infinity_sign(*iv.hi);
    }
    return out;
  }
  return std::nullopt;
}

// The points of a finite set of constants ("\{9\}" in "(0,36) \setminus \{9\}") as closed one-point
// intervals; nullopt when an element is not a constant.
std::optional<std::vector<Interval>> point_intervals(const Node& set) {
  std::vector<Interval> out;
  for (const NodePtr& k : set.kids) {
    std::set<std::string> symbols;
    collect_symbols(*k, symbols);
    if (!symbols.empty() || infinity_sign(*k) || k->kind == NodeKind::kTuple || k->kind == NodeKind::kSet)
      return std::nullopt;
    out.push_back({k.get(), k.get(), 0, 0, true, true});
  }
  return out;
}

}  // namespace

std::optional<std::vector<Interval>> intervals_of(const Node& n, bool lone_variable_only, std::vector<NodePtr>& scratch,
                                                  const EndOrder& order) {
  std::vector<Interval> out;
  if (n.kind == NodeKind::kReals) {
    out.push_back({nullptr, nullptr, -1, 1, false, false});
    return out;
  }
  if (n.kind == NodeKind::kTuple && n.kids.size() == 2) {
    Interval iv;
    iv.lo = n.kids[0].get();
    iv.hi = n.kids[1].get();
    iv.lo_inf = infinity_sign(*iv.lo);
    iv.hi_inf = infinity_sign(*iv.hi);
    iv.lo_closed = n.open == '[';
    iv.hi_closed = n.close == ']';
    out.push_back(iv);
    return out;
  }
  // "x < -1 or x > 2" (a list of relations) is the union of their sets.
  if (n.kind == NodeKind::kList) {
    for (const NodePtr& k : n.kids)
      if (k->kind != NodeKind::kRelation) return std::nullopt;
  }
  // Inside a union or a difference a finite set is its points: "(-\infty,0] \cup \{1\}".
  const auto part_of = [&](const Node& k) -> std::optional<std::vector<Interval>> {
    if (k.kind == NodeKind::kSet) return point_intervals(k);
    if (k.kind == NodeKind::kEmptySet) return std::vector<Interval>{};
    return intervals_of(k, lone_variable_only, scratch, order);
  };
  if (n.kind == NodeKind::kUnion || n.kind == NodeKind::kList) {
    for (const NodePtr& k : n.kids) {
      auto part = n.kind == NodeKind::kUnion ? part_of(*k) : intervals_of(*k, lone_variable_only, scratch, order);
      if (!part) return std::nullopt;
      out.insert(out.end(), part->begin(), part->end());
    }
    return out;
  }
  if (n.kind == NodeKind::kSetMinus) {
    auto kept = part_of(*n.kids[0]);
    auto removed = part_of(*n.kids[1]);
    if (!kept || !removed) return std::nullopt;
    return set_difference(*kept, *removed, order);
  }
  if (n.kind == NodeKind::kRelation) return relation_intervals(n, lone_variable_only, scratch, order);
  return std::nullopt;
}

}  // namespace r1eval::graders::math
