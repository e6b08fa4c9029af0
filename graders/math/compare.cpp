#include "graders/math/compare.h"

#include <array>
#include <optional>
#include <set>
#include <vector>

#include "graders/math/exact_eval.h"
#include "graders/math/numeric_eval.h"

namespace r1eval::graders::math {
namespace {

Outcome equal(std::string reason) { return {Decision::kEqual, std::move(reason)}; }
Outcome different(std::string reason) { return {Decision::kDifferent, std::move(reason)}; }
Outcome unknown(std::string reason) { return {Decision::kUnknown, std::move(reason)}; }

constexpr size_t kMaxElements = 64;
constexpr int kMaxPlusMinus = 3;

// +1 / -1 for +-infinity, 0 otherwise.
int infinity_sign(const Node& n) {
  if (n.kind == NodeKind::kInfinity) return 1;
  if (n.kind == NodeKind::kNeg) return -infinity_sign(*n.kids[0]);
  return 0;
}

int count_plus_minus(const Node& n) {
  int c = n.kind == NodeKind::kPlusMinus ? 1 : 0;
  for (const NodePtr& k : n.kids) c += count_plus_minus(*k);
  return c;
}

// Replaces the `index`-th a±b (preorder) by a+b or a-b.
void choose_sign(Node& n, int& index, unsigned mask) {
  for (NodePtr& k : n.kids) {
    if (k->kind == NodeKind::kPlusMinus) {
      const bool minus = (mask >> index) & 1;
      ++index;
      NodePtr a = std::move(k->kids[0]);
      NodePtr b = std::move(k->kids[1]);
      if (minus) b = make_unary(NodeKind::kNeg, std::move(b));
      k = make_binary(NodeKind::kAdd, std::move(a), std::move(b));
      choose_sign(*k, index, mask);
    } else {
      choose_sign(*k, index, mask);
    }
  }
}

// "a ± b" → the list {a+b, a-b} (every combination when there are several ±).
NodePtr expand_plus_minus(const Node& n, int count) {
  NodePtr list = make_node(NodeKind::kList);
  for (unsigned mask = 0; mask < (1u << count); ++mask) {
    NodePtr holder = make_node(NodeKind::kList);
    holder->kids.push_back(n.clone());
    int index = 0;
    choose_sign(*holder, index, mask);
    list->kids.push_back(std::move(holder->kids[0]));
  }
  return list;
}

// The fixed sample values of variable number `j` at point `p`: mixed signs, irrational-looking, distinct
// per variable so that x and y are never confused.
Complex sample_value(size_t j, size_t p) {
  static constexpr std::array<double, 6> kBase = {0.6180339887498949, 1.4142135623730951, 2.718281828459045,
                                                  -0.8660254037844386, -1.7320508075688772, 3.3166247903554};
  return Complex::from_double(kBase[p % kBase.size()] + 0.3183098861837907 * static_cast<double>(j + 1));
}

struct Interval {
  const Node* lo = nullptr;
  const Node* hi = nullptr;
  int lo_inf = 0;  // -1 when the lower end is -infinity
  int hi_inf = 0;  // +1 when the upper end is +infinity
  bool lo_closed = false;
  bool hi_closed = false;
};

class Comparer {
 public:
  explicit Comparer(WorkBudget& budget) : budget_(budget) {}

  Outcome compare(const Node& a, const Node& b) {
    budget_.spend();
    if (to_string(a) == to_string(b)) return equal("same expression");
    const int pa = count_plus_minus(a), pb = count_plus_minus(b);
    if (pa > kMaxPlusMinus || pb > kMaxPlusMinus) return unknown("too many \\pm");
    if (pa || pb) {
      NodePtr ea = pa ? expand_plus_minus(a, pa) : a.clone();
      NodePtr eb = pb ? expand_plus_minus(b, pb) : b.clone();
      return compare(*ea, *eb);
    }
    if (a.kind == NodeKind::kRelation || b.kind == NodeKind::kRelation) return relations(a, b);
    if (is_collection(a) || is_collection(b)) return collections(a, b);
    if (a.kind == NodeKind::kMatrix || b.kind == NodeKind::kMatrix) return matrices(a, b);
    if (is_interval_like(a) || is_interval_like(b)) return interval_sets(a, b);
    if (a.kind == NodeKind::kTuple || b.kind == NodeKind::kTuple) return tuples(a, b);
    if (a.kind == NodeKind::kText || b.kind == NodeKind::kText) {
      if (a.kind == b.kind) return a.name == b.name ? equal("text equal") : different("text differs");
      return unknown("text against math");
    }
    if (a.kind == NodeKind::kBaseNumber || b.kind == NodeKind::kBaseNumber) return base_numerals(a, b);
    if (a.kind == NodeKind::kPercent || b.kind == NodeKind::kPercent) return scaled(a, b, NodeKind::kPercent);
    if (a.kind == NodeKind::kDegree || b.kind == NodeKind::kDegree) return scaled(a, b, NodeKind::kDegree);
    return scalars(a, b);
  }

 private:
  static bool is_collection(const Node& n) { return n.kind == NodeKind::kList || n.kind == NodeKind::kSet || n.kind == NodeKind::kEmptySet; }
  static bool is_interval_like(const Node& n) {
    return n.kind == NodeKind::kUnion || n.kind == NodeKind::kReals ||
           (n.kind == NodeKind::kTuple && n.kids.size() == 2 && (n.open != '(' || n.close != ')'));
  }

  // ---- scalars
  Outcome scalars(const Node& a, const Node& b) {
    const int ia = infinity_sign(a), ib = infinity_sign(b);
    if (ia || ib) return ia == ib ? equal("same infinity") : different("infinity differs");
    const std::optional<mpq_class> qa = exact_value(a, budget_);
    const std::optional<mpq_class> qb = qa ? exact_value(b, budget_) : std::nullopt;
    if (qa && qb) return *qa == *qb ? equal("numeric equal") : different("numbers differ");
    std::set<std::string> symbols;
    collect_symbols(a, symbols);
    collect_symbols(b, symbols);
    if (symbols.empty()) {
      const Assignment none;
      auto va = numeric_value(a, none, budget_);
      auto vb = numeric_value(b, none, budget_);
      if (!va || !vb) return unknown("cannot evaluate");
      return numerically_close(*va, *vb) ? equal("numeric equal (high precision)") : different("values differ");
    }
    if (symbols.size() > 8) return unknown("too many variables");
    size_t agreeing = 0;
    for (size_t p = 0; p < 6; ++p) {
      Assignment vars = sample(symbols, p);
      auto va = numeric_value(a, vars, budget_);
      auto vb = numeric_value(b, vars, budget_);
      if (!va || !vb) continue;  // outside the domain of one side
      if (!numerically_close(*va, *vb)) return different("differ at a sample point");
      ++agreeing;
    }
    return agreeing >= 3 ? equal("equal at sample points") : unknown("too few points in the domain");
  }

  static Assignment sample(const std::set<std::string>& symbols, size_t p) {
    Assignment vars;
    size_t j = 0;
    for (const std::string& s : symbols) vars.emplace(s, sample_value(j++, p));
    return vars;
  }

  // ---- 50% against 50 or 0.5; 30° against 30 or pi/6
  Outcome scaled(const Node& a, const Node& b, NodeKind kind) {
    if (a.kind == kind && b.kind == kind) return compare(*a.kids[0], *b.kids[0]);
    const Node& wrapped = a.kind == kind ? a : b;
    const Node& plain = a.kind == kind ? b : a;
    Outcome bare = compare(*wrapped.kids[0], plain);
    if (bare.decision == Decision::kEqual) return bare;
    Outcome converted = scalars(wrapped, plain);  // the evaluator applies /100 or *pi/180
    if (converted.decision == Decision::kEqual) return converted;
    if (bare.decision == Decision::kDifferent && converted.decision != Decision::kUnknown)
      return different(kind == NodeKind::kPercent ? "percentage differs" : "angle differs");
    return bare;
  }

  Outcome base_numerals(const Node& a, const Node& b) {
    auto digits = [](const Node& n) {
      std::string d = n.kind == NodeKind::kBaseNumber ? n.name : n.value.get_str();
      const size_t nz = d.find_first_not_of('0');
      return nz == std::string::npos ? std::string("0") : d.substr(nz);
    };
    if (a.kind == NodeKind::kBaseNumber && b.kind == NodeKind::kBaseNumber) {
      if (a.base == b.base) return digits(a) == digits(b) ? equal("same base-b numeral") : different("base-b numerals differ");
      return scalars(a, b);
    }
    const Node& other = a.kind == NodeKind::kBaseNumber ? b : a;
    // A numeral written without its base is read in the base the gold uses (1011 = 1011_2, not 11).
    if (other.kind != NodeKind::kNumber || other.value.get_den() != 1 || other.value < 0)
      return different("base-b numeral against a non-numeral");
    return digits(a) == digits(b) ? equal("same digits in the base") : different("base-b numerals differ");
  }

  // ---- tuples (ordered)
  Outcome tuples(const Node& a, const Node& b) {
    if (a.kind != NodeKind::kTuple || b.kind != NodeKind::kTuple) return different("tuple against non-tuple");
    if (a.kids.size() != b.kids.size()) return different("tuple lengths differ");
    return elementwise(a.kids, b.kids, "tuples equal");
  }

  Outcome elementwise(const std::vector<NodePtr>& xs, const std::vector<NodePtr>& ys, const char* reason) {
    if (xs.size() > kMaxElements) return unknown("too many elements");
    bool all_known = true;
    for (size_t i = 0; i < xs.size(); ++i) {
      const Outcome o = compare(*xs[i], *ys[i]);
      if (o.decision == Decision::kDifferent) return different("element " + std::to_string(i + 1) + " differs");
      if (o.decision == Decision::kUnknown) all_known = false;
    }
    return all_known ? equal(reason) : unknown("an element could not be compared");
  }

  // ---- unordered collections: bare lists and sets
  Outcome collections(const Node& a, const Node& b) {
    std::vector<const Node*> xs = members(a), ys = members(b);
    if (xs.size() > kMaxElements || ys.size() > kMaxElements) return unknown("too many elements");
    if (xs.size() != ys.size()) return different("different number of elements");
    std::vector<bool> used(ys.size(), false);
    for (const Node* x : xs) {
      bool matched = false;
      for (size_t j = 0; j < ys.size() && !matched; ++j) {
        if (used[j]) continue;
        if (compare(*x, *ys[j]).decision == Decision::kEqual) used[j] = matched = true;
      }
      if (!matched) return different("elements differ");
    }
    return equal("same elements");
  }

  static std::vector<const Node*> members(const Node& n) {
    std::vector<const Node*> out;
    if (n.kind == NodeKind::kEmptySet) return out;
    if (n.kind == NodeKind::kList || n.kind == NodeKind::kSet) {
      for (const NodePtr& k : n.kids) out.push_back(k.get());
    } else {
      out.push_back(&n);  // a single answer against a one-element list or set
    }
    return out;
  }

  // ---- matrices and vectors
  Outcome matrices(const Node& a, const Node& b) {
    if (a.kind == NodeKind::kMatrix && b.kind == NodeKind::kMatrix) {
      if (a.columns != b.columns || a.kids.size() != b.kids.size()) return different("matrix shapes differ");
      return elementwise(a.kids, b.kids, "matrices equal");
    }
    const Node& m = a.kind == NodeKind::kMatrix ? a : b;
    const Node& t = a.kind == NodeKind::kMatrix ? b : a;
    const bool vector = m.columns == 1 || m.columns == m.kids.size();
    if (!vector || t.kind != NodeKind::kTuple) return different("matrix against non-matrix");
    if (t.kids.size() != m.kids.size()) return different("vector lengths differ");
    return elementwise(m.kids, t.kids, "vectors equal");
  }

  // ---- intervals and unions
  std::optional<std::vector<Interval>> intervals_of(const Node& n) {
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
    if (n.kind == NodeKind::kUnion) {
      for (const NodePtr& k : n.kids) {
        auto part = intervals_of(*k);
        if (!part) return std::nullopt;
        out.insert(out.end(), part->begin(), part->end());
      }
      return out;
    }
    if (n.kind == NodeKind::kRelation) return relation_intervals(n);
    return std::nullopt;
  }

  Outcome bound(const Node* x, int xinf, const Node* y, int yinf) {
    if (xinf || yinf) return xinf == yinf ? equal("same infinity") : different("interval bounds differ");
    return compare(*x, *y);
  }

  Outcome interval_equal(const Interval& x, const Interval& y) {
    const Outcome lo = bound(x.lo, x.lo_inf, y.lo, y.lo_inf);
    if (lo.decision != Decision::kEqual) return lo.decision == Decision::kUnknown ? lo : different("interval bounds differ");
    const Outcome hi = bound(x.hi, x.hi_inf, y.hi, y.hi_inf);
    if (hi.decision != Decision::kEqual) return hi.decision == Decision::kUnknown ? hi : different("interval bounds differ");
    // An infinite end is open whatever bracket was written.
    const bool lo_same = x.lo_inf || x.lo_closed == y.lo_closed;
    const bool hi_same = x.hi_inf || x.hi_closed == y.hi_closed;
    if (!lo_same || !hi_same) return different("interval ends differ (open/closed)");
    return equal("intervals equal");
  }

  Outcome interval_sets(const Node& a, const Node& b) {
    auto xs = intervals_of(a);
    auto ys = intervals_of(b);
    if (!xs || !ys) {
      if (a.kind == NodeKind::kTuple && b.kind == NodeKind::kTuple) return tuples(a, b);
      return different("interval against non-interval");
    }
    if (xs->size() != ys->size()) return different("different number of intervals");
    std::vector<bool> used(ys->size(), false);
    Outcome last = equal("intervals equal");
    for (const Interval& x : *xs) {
      bool matched = false;
      for (size_t j = 0; j < ys->size() && !matched; ++j) {
        if (used[j]) continue;
        Outcome o = interval_equal(x, (*ys)[j]);
        if (o.decision == Decision::kEqual) used[j] = matched = true;
        else last = o;
      }
      if (!matched) return xs->size() == 1 ? last : different("intervals differ");
    }
    return equal(xs->size() == 1 ? "intervals equal" : "unions of intervals equal");
  }

  // "x < 3", "3 \ge x", "1 \le x < 2", "x \in [0,1)", "x \ne 2": the set of values of the one variable.
  std::optional<std::vector<Interval>> relation_intervals(const Node& r) {
    const auto is_var = [](const Node& n) { return n.kind == NodeKind::kSymbol; };
    std::vector<Interval> out;
    if (r.relations.size() == 1) {
      const Node& l = *r.kids[0];
      const Node& rhs = *r.kids[1];
      const Rel op = r.relations[0];
      if (op == Rel::kIn && is_var(l)) return intervals_of(rhs);
      if (op == Rel::kEq) return std::nullopt;
      const bool var_left = is_var(l) && !is_var(rhs);
      const bool var_right = is_var(rhs) && !is_var(l);
      if (!var_left && !var_right) return std::nullopt;
      const Node* c = var_left ? &rhs : &l;
      // Normalise to "x op c".
      Rel o = op;
      if (var_right) o = o == Rel::kLt ? Rel::kGt : o == Rel::kGt ? Rel::kLt : o == Rel::kLe ? Rel::kGe : o == Rel::kGe ? Rel::kLe : o;
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

  // ---- equations and inequalities
  static bool single_equation(const Node& n) {
    return n.kind == NodeKind::kRelation && n.relations.size() == 1 &&
           (n.relations[0] == Rel::kEq || n.relations[0] == Rel::kIn);
  }

  // The side of "x = value" (or "value = x") that is not the lone variable; nullptr when neither is.
  static const Node* value_side(const Node& eq) {
    if (!single_equation(eq)) return nullptr;
    if (eq.kids[0]->kind == NodeKind::kSymbol) return eq.kids[1].get();
    if (eq.kids[1]->kind == NodeKind::kSymbol && eq.relations[0] == Rel::kEq) return eq.kids[0].get();
    return nullptr;
  }

  Outcome relations(const Node& a, const Node& b) {
    if (a.kind == NodeKind::kRelation && b.kind == NodeKind::kRelation) {
      if (single_equation(a) && single_equation(b)) {
        if (a.kids[0]->kind == NodeKind::kSymbol && b.kids[0]->kind == NodeKind::kSymbol) {
          if (a.kids[0]->name == b.kids[0]->name) return compare(*a.kids[1], *b.kids[1]);
        }
        if (a.relations[0] == Rel::kEq && b.relations[0] == Rel::kEq) return proportional_equations(a, b);
      }
      auto xs = intervals_of(a);
      auto ys = intervals_of(b);
      if (xs && ys) return interval_sets(a, b);
      if (a.relations == b.relations && a.kids.size() == b.kids.size())
        return elementwise(a.kids, b.kids, "relations equal");
      return unknown("relations not comparable");
    }
    const Node& rel = a.kind == NodeKind::kRelation ? a : b;
    const Node& other = a.kind == NodeKind::kRelation ? b : a;
    if (const Node* v = value_side(rel)) {
      // "x = 3" against "3"; "y = 2x + 3" against "2x + 3"; "x \in [0,1]" against "[0,1]".
      return compare(*v, other);
    }
    if (intervals_of(rel) && (is_interval_like(other) || other.kind == NodeKind::kTuple)) return interval_sets(rel, other);
    return different("relation against non-relation");
  }

  // L1 = R1 and L2 = R2 are the same equation when L1 - R1 is a nonzero constant multiple of L2 - R2.
  Outcome proportional_equations(const Node& a, const Node& b) {
    NodePtr da = make_binary(NodeKind::kAdd, a.kids[0]->clone(), make_unary(NodeKind::kNeg, a.kids[1]->clone()));
    NodePtr db = make_binary(NodeKind::kAdd, b.kids[0]->clone(), make_unary(NodeKind::kNeg, b.kids[1]->clone()));
    std::set<std::string> symbols;
    collect_symbols(*da, symbols);
    collect_symbols(*db, symbols);
    if (symbols.empty() || symbols.size() > 8) return unknown("equation without variables");
    std::optional<Complex> ratio;
    size_t agreeing = 0;
    for (size_t p = 0; p < 6; ++p) {
      const Assignment vars = sample(symbols, p);
      auto va = numeric_value(*da, vars, budget_);
      auto vb = numeric_value(*db, vars, budget_);
      if (!va || !vb) continue;
      const bool za = magnitude(*va) < 1e-40, zb = magnitude(*vb) < 1e-40;
      if (za || zb) {
        if (za != zb) return different("equations differ");
        continue;
      }
      const std::optional<Complex> r = quotient(*va, *vb);
      if (!r) continue;
      if (!ratio) ratio = r;
      else if (!numerically_close(*ratio, *r)) return different("equations differ");
      ++agreeing;
    }
    return agreeing >= 3 ? equal("equivalent equations") : unknown("too few points in the domain");
  }

  WorkBudget& budget_;
};

}  // namespace

Outcome compare_answers(const Node& answer, const Node& gold, WorkBudget& budget) {
  return Comparer(budget).compare(answer, gold);
}

}  // namespace r1eval::graders::math
