#include "graders/math/solution_set.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "graders/math/intervals.h"
#include "graders/math/numeric_eval.h"

namespace r1eval::graders::math {
namespace {

constexpr mpfr_rnd_t R = MPFR_RNDN;
constexpr size_t kMaxBounds = 32;

// -1, 0, +1 for a < b, a ≈ b, a > b (equal within the tolerance of numerically_close).
int compare_reals(const Complex& a, const Complex& b) {
  if (numerically_close(a, b)) return 0;
  return mpfr_cmp(a.re(), b.re()) < 0 ? -1 : 1;
}

bool holds(Rel r, int c) {
  switch (r) {
    case Rel::kLt: return c < 0;
    case Rel::kLe: return c <= 0;
    case Rel::kGt: return c > 0;
    case Rel::kGe: return c >= 0;
    case Rel::kEq: return c == 0;
    case Rel::kNe: return c != 0;
    default: return false;
  }
}

class SetDescription {
 public:
  SetDescription(const Node& n, WorkBudget& budget) : n_(n), budget_(budget) {}

  // Whether `n` is a set description this class can test, naming its variable (empty when it has none).
  bool describable(std::string* variable) const {
    std::set<std::string> symbols;
    collect_symbols(n_, symbols);
    if (symbols.size() > 1) return false;
    if (!symbols.empty()) *variable = *symbols.begin();
    return describable_node(n_);
  }

  // Constant values found in the description (bounds), for choosing probe points.
  void bounds(std::vector<Complex>& out) const { collect_bounds(n_, out); }

  // Membership of x; nullopt when undefined there.
  std::optional<bool> contains(const std::string& variable, const Complex& x) const {
    return member(n_, variable, x);
  }

 private:
  static bool is_interval(const Node& n) {
    return n.kind == NodeKind::kTuple && n.kids.size() == 2 && n.open != 0;
  }

  bool describable_node(const Node& n) const {
    if (n.kind == NodeKind::kReals || is_interval(n)) return true;
    if (n.kind == NodeKind::kUnion) {
      for (const NodePtr& k : n.kids)
        if (!describable_node(*k)) return false;
      return true;
    }
    if (n.kind == NodeKind::kRelation) {
      if (n.relations.size() == 1 && n.relations[0] == Rel::kIn) return describable_node(*n.kids[1]);
      for (Rel r : n.relations)
        if (r == Rel::kIn || r == Rel::kApprox || r == Rel::kEq) return false;
      return true;
    }
    return false;
  }

  void collect_bounds(const Node& n, std::vector<Complex>& out) const {
    if (out.size() >= kMaxBounds) return;
    std::set<std::string> symbols;
    collect_symbols(n, symbols);
    if (symbols.empty() && !infinity_sign(n) && n.kind != NodeKind::kTuple && n.kind != NodeKind::kUnion &&
        n.kind != NodeKind::kReals && n.kind != NodeKind::kRelation) {
      const Assignment none;
      if (auto v = numeric_value(n, none, budget_); v && v->is_real()) out.push_back(*v);
      return;
    }
    for (const NodePtr& k : n.kids) collect_bounds(*k, out);
  }

  std::optional<bool> member(const Node& n, const std::string& variable, const Complex& x) const {
    budget_.spend();
    if (n.kind == NodeKind::kReals) return true;
    if (n.kind == NodeKind::kUnion) {
      bool any = false;
      for (const NodePtr& k : n.kids) {
        auto m = member(*k, variable, x);
        if (!m) return std::nullopt;
        any = any || *m;
      }
      return any;
    }
    if (is_interval(n)) {
      const Assignment none;
      for (int side = 0; side < 2; ++side) {
        const Node& bound = *n.kids[side];
        const int inf = infinity_sign(bound);
        if (inf) {
          if ((side == 0 && inf > 0) || (side == 1 && inf < 0)) return false;
          continue;
        }
        auto b = numeric_value(bound, none, budget_);
        if (!b || !b->is_real()) return std::nullopt;
        const int c = compare_reals(x, *b);
        const bool closed = side == 0 ? n.open == '[' : n.close == ']';
        if (side == 0 && !(c > 0 || (closed && c == 0))) return false;
        if (side == 1 && !(c < 0 || (closed && c == 0))) return false;
      }
      return true;
    }
    if (n.kind == NodeKind::kRelation) {
      if (n.relations.size() == 1 && n.relations[0] == Rel::kIn) return member(*n.kids[1], variable, x);
      Assignment vars;
      if (!variable.empty()) vars.emplace(variable, x);
      std::vector<Complex> values;
      for (const NodePtr& k : n.kids) {
        auto v = numeric_value(*k, vars, budget_);
        if (!v || !v->is_real()) return std::nullopt;
        values.push_back(*v);
      }
      for (size_t i = 0; i < n.relations.size(); ++i)
        if (!holds(n.relations[i], compare_reals(values[i], values[i + 1]))) return false;
      return true;
    }
    return std::nullopt;
  }

  const Node& n_;
  WorkBudget& budget_;
};

}  // namespace

std::optional<bool> same_solution_set(const Node& a, const Node& b, WorkBudget& budget) {
  SetDescription da(a, budget), db(b, budget);
  std::string va, vb;
  if (!da.describable(&va) || !db.describable(&vb)) return std::nullopt;
  if (!va.empty() && !vb.empty() && va != vb) return std::nullopt;
  std::vector<Complex> bounds;
  da.bounds(bounds);
  db.bounds(bounds);
  if (bounds.size() > kMaxBounds) return std::nullopt;
  std::sort(bounds.begin(), bounds.end(), [](const Complex& x, const Complex& y) { return mpfr_cmp(x.re(), y.re()) < 0; });
  // Probe points: each bound, just beside it, midpoints, far out on both sides, and zero.
  std::vector<Complex> probes;
  const auto add = [&](const Complex& base, double offset_scale) {
    Complex p = base;
    Complex delta = Complex::from_double(offset_scale);
    mpfr_add(p.re(), p.re(), delta.re(), R);
    probes.push_back(p);
  };
  probes.push_back(Complex::from_double(0));
  if (bounds.empty()) bounds.push_back(Complex::from_double(0));
  for (size_t i = 0; i < bounds.size(); ++i) {
    add(bounds[i], 0);
    add(bounds[i], 1e-9);
    add(bounds[i], -1e-9);
    if (i + 1 < bounds.size()) {
      Complex mid = bounds[i];
      mpfr_add(mid.re(), mid.re(), bounds[i + 1].re(), R);
      mpfr_div_ui(mid.re(), mid.re(), 2, R);
      probes.push_back(mid);
    }
  }
  add(bounds.front(), -1000);
  add(bounds.back(), 1000);
  const std::string& variable = va.empty() ? vb : va;
  size_t decided = 0;
  for (const Complex& x : probes) {
    const auto ma = da.contains(variable, x);
    const auto mb = db.contains(variable, x);
    if (!ma || !mb) continue;  // outside the domain of one description
    if (*ma != *mb) return false;
    ++decided;
  }
  if (decided < 3) return std::nullopt;
  return true;
}

}  // namespace r1eval::graders::math
