#include "graders/math/compare.h"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <functional>
#include <unordered_set>
#include <vector>

#include "graders/math/exact_eval.h"
#include "graders/math/intervals.h"
#include "graders/math/matrix_fold.h"
#include "graders/math/numeric_eval.h"
#include "graders/math/real_sets.h"
#include "graders/math/solution_set.h"

namespace r1eval::graders::math {
namespace {

Outcome equal(std::string reason) { return {Decision::kEqual, std::move(reason)}; }
Outcome different(std::string reason) { return {Decision::kDifferent, std::move(reason)}; }
Outcome unknown(std::string reason) { return {Decision::kUnknown, std::move(reason)}; }

constexpr size_t kMaxElements = 64;
constexpr int kMaxPlusMinus = 3;
// A decimal answer this precise counts as the rounded value of an exact gold (0.08333 for 1/12).
constexpr size_t kApproxDigits = 5;

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

// `n` with its a±b written out; nullptr when a part has more than kMaxPlusMinus of them. In a list or set
// each element stands for its own values in place ("\{1\pm\sqrt5, -2\}" is the three roots
// 1+\sqrt5, 1-\sqrt5, -2), elsewhere the whole expression becomes the list of its sign choices.
NodePtr without_plus_minus(const Node& n) {
  const bool collection = n.kind == NodeKind::kList || n.kind == NodeKind::kSet;
  if (!collection) {
    const int count = count_plus_minus(n);
    if (count == 0) return n.clone();
    return count > kMaxPlusMinus ? nullptr : expand_plus_minus(n, count);
  }
  NodePtr out = make_node(n.kind);
  out->open = n.open;
  out->close = n.close;
  for (const NodePtr& element : n.kids) {
    const int count = count_plus_minus(*element);
    if (count == 0) {
      out->kids.push_back(element->clone());
      continue;
    }
    if (count > kMaxPlusMinus) return nullptr;
    NodePtr choices = expand_plus_minus(*element, count);
    for (NodePtr& c : choices->kids) out->kids.push_back(std::move(c));
  }
  return out;
}

// The fixed sample values of variable number `j` at point `p`: mixed signs, irrational-looking, distinct
// per variable so that x and y are never confused.
Complex sample_value(size_t j, size_t p) {
  static constexpr std::array<double, 6> kBase = {0.6180339887498949, 1.4142135623730951, 2.718281828459045,
                                                  -0.8660254037844386, -1.7320508075688772, 3.3166247903554};
  // Each variable walks the base values in its own order and scale, so no difference or ratio of two
  // variables is the same at every point.
  const double jd = static_cast<double>(j);
  return Complex::from_double(kBase[(p + 5 * j) % kBase.size()] * (1.0 + 0.1 * jd) + 0.3183098861837907 * jd);
}

class Comparer {
 public:
  explicit Comparer(WorkBudget& budget) : budget_(budget) {}
  Comparer(const Comparer&) = delete;  // end_order_ holds `this`
  Comparer& operator=(const Comparer&) = delete;

  // The answer's relations, so that a rule for the answer's side only knows it whatever order the
  // comparison of two collections, matrices or scaled values passes their parts in.
  void mark_answer(const Node& answer) {
    answer_nodes_.insert(&answer);
    for (const NodePtr& k : answer.kids) mark_answer(*k);
  }

  bool from_answer(const Node& n) const { return answer_nodes_.count(&n) > 0; }

  Outcome compare(const Node& a, const Node& b) {
    const std::string sa = to_string(a), sb = to_string(b);
    budget_.spend(1 + static_cast<int64_t>(sa.size() + sb.size()) / 16);  // the renderings are work too
    if (sa == sb) return equal("same expression");
    if (count_plus_minus(a) || count_plus_minus(b)) {
      NodePtr ea = without_plus_minus(a);
      NodePtr eb = without_plus_minus(b);
      if (!ea || !eb) return unknown("too many \\pm");
      return compare(*ea, *eb);
    }
    if (is_relation_list(a) || is_relation_list(b)) {
      // "x < -1 or x > 2" against "(-\infty,-1) \cup (2,\infty)" or another relation list.
      lone_variable_only_ = true;
      const bool sets = intervals_of_node(a).has_value() && intervals_of_node(b).has_value();
      Outcome o = sets ? interval_sets(a, b) : Outcome{};
      lone_variable_only_ = false;
      if (sets) return o;
    }
    if (a.kind == NodeKind::kRelation || b.kind == NodeKind::kRelation) return relations(a, b);
    if ((a.kind == NodeKind::kList && b.kind == NodeKind::kTuple) || (a.kind == NodeKind::kTuple && b.kind == NodeKind::kList)) {
      // "1, 3" against the point "(1, 3)": the same numbers in the same order.
      if (a.kids.size() == b.kids.size() && elementwise(a.kids, b.kids, "").decision == Decision::kEqual)
        return equal("list equals tuple in order");
    }
    if (is_collection(a) || is_collection(b)) return collections(a, b);
    if (a.kind == NodeKind::kMatrix || b.kind == NodeKind::kMatrix) {
      // "A + B", "A B", "2A" of explicit matrices against a matrix: compare with the computed matrix.
      if (a.kind != NodeKind::kMatrix)
        if (NodePtr fa = fold_matrix(a, budget_)) return matrices(*keep(std::move(fa)), b);
      if (b.kind != NodeKind::kMatrix)
        if (NodePtr fb = fold_matrix(b, budget_)) return matrices(a, *keep(std::move(fb)));
      return matrices(a, b);
    }
    if (is_interval_like(a) || is_interval_like(b)) return interval_sets(a, b);
    if (a.kind == NodeKind::kTuple || b.kind == NodeKind::kTuple) return tuples(a, b);
    if (a.kind == NodeKind::kText || b.kind == NodeKind::kText) {
      // "an ellipse" names what "ellipse" does: a leading article is no part of a text answer.
      const auto without_article = [](const std::string& name) {
        for (std::string_view article : {"an ", "the "})
          if (name.size() > article.size() && name.compare(0, article.size(), article) == 0) return name.substr(article.size());
        return name;
      };
      if (a.kind == b.kind)
        return without_article(a.name) == without_article(b.name) ? equal("text equal") : different("text differs");
      return unknown("text against math");
    }
    if (a.kind == NodeKind::kBaseNumber || b.kind == NodeKind::kBaseNumber) return base_numerals(a, b);
    if (a.kind == NodeKind::kPercent || b.kind == NodeKind::kPercent) return scaled(a, b, NodeKind::kPercent);
    if (a.kind == NodeKind::kDegree || b.kind == NodeKind::kDegree) return scaled(a, b, NodeKind::kDegree);
    return scalars(a, b);
  }

 private:
  static bool is_collection(const Node& n) { return n.kind == NodeKind::kList || n.kind == NodeKind::kSet || n.kind == NodeKind::kEmptySet; }
  static bool is_relation_list(const Node& n) {
    if (n.kind != NodeKind::kList) return false;
    for (const NodePtr& k : n.kids)
      if (k->kind != NodeKind::kRelation || k->relations.size() > 2 || k->relations[0] == Rel::kEq) return false;
    return true;
  }

  static bool is_interval_like(const Node& n) {
    return n.kind == NodeKind::kUnion || n.kind == NodeKind::kSetMinus || n.kind == NodeKind::kReals ||
           (n.kind == NodeKind::kTuple && n.kids.size() == 2 && (n.open != '(' || n.close != ')'));
  }

  // ---- scalars
  Outcome scalars(const Node& a, const Node& b) {
    const int ia = infinity_sign(a), ib = infinity_sign(b);
    if (ia || ib) return ia == ib ? equal("same infinity") : different("infinity differs");
    const std::optional<mpq_class> qa = exact_value(a, budget_);
    const std::optional<mpq_class> qb = qa ? exact_value(b, budget_) : std::nullopt;
    if (qa && qb) {
      if (*qa == *qb) return equal("numeric equal");
      if (rounds_to(a, b, qb) || rounds_to(b, a, qa)) return equal("decimal approximation");
      return different("numbers differ");
    }
    std::set<std::string> symbols;
    collect_symbols(a, symbols);
    collect_symbols(b, symbols);
    if (symbols.empty()) {
      const Assignment none;
      auto va = numeric_value(a, none, budget_);
      auto vb = numeric_value(b, none, budget_);
      if (!va || !vb) return unknown("cannot evaluate");
      if (numerically_close(*va, *vb)) return equal("numeric equal (high precision)");
      if (rounds_to(a, b, std::nullopt) || rounds_to(b, a, std::nullopt)) return equal("decimal approximation");
      return different("values differ");
    }
    if (symbols.size() > 8) return unknown("too many variables");
    size_t agreeing = 0;
    for (size_t p = 0; p < 6; ++p) {
      Assignment vars = sample(symbols, p);
      auto va = numeric_value(a, vars, budget_);
      auto vb = numeric_value(b, vars, budget_);
      if (!va || !vb) continue;  // outside the domain of one side
      if (!numerically_close(*va, *vb)) {
        // Real inputs giving a non-real value lie outside the real domain (ln of a negative, where
        // ln(ab) and ln a + ln b part ways by 2*pi*i): such points do not count.
        if (!va->is_real() || !vb->is_real()) continue;
        return different("differ at a sample point");
      }
      ++agreeing;
    }
    return agreeing >= 3 ? equal("equal at sample points") : unknown("too few points in the domain");
  }

  // True when `decimal` is a numeral with a decimal point and at least kApproxDigits significant digits
  // that is `other` rounded to as many decimal places ("0.08333" for 1/12, "4.1231" for sqrt(17)).
  // `other_exact` is other's exact value when known.
  bool rounds_to(const Node& decimal, const Node& other, const std::optional<mpq_class>& other_exact) {
    const Node* lit = &decimal;
    const bool negative = lit->kind == NodeKind::kNeg;
    if (negative) lit = lit->kids[0].get();
    if (lit->kind != NodeKind::kNumber) return false;
    const size_t dot = lit->name.find('.');
    if (dot == std::string::npos) return false;
    const size_t places = lit->name.size() - dot - 1;
    const size_t first_nonzero = lit->name.find_first_not_of("0.");
    if (first_nonzero == std::string::npos) return false;
    size_t significant = 0;
    for (size_t k = first_nonzero; k < lit->name.size(); ++k) significant += lit->name[k] != '.';
    if (significant < kApproxDigits || places > 200) return false;
    mpq_class value = lit->value;
    if (negative) value = -value;
    mpz_class scale;
    mpz_ui_pow_ui(scale.get_mpz_t(), 10, places);
    if (other_exact) {
      // A terminating decimal (2.50001) is compared exactly: only values with no finite decimal expansion
      // (1/12, 8/3) are approximated.
      mpz_class den = other_exact->get_den();
      mpz_remove(den.get_mpz_t(), den.get_mpz_t(), mpz_class(2).get_mpz_t());
      mpz_remove(den.get_mpz_t(), den.get_mpz_t(), mpz_class(5).get_mpz_t());
      if (den == 1) return false;
      mpq_class gap = abs(*other_exact - value) * scale * 2;
      return gap <= 1;
    }
    const Assignment none;
    auto v = numeric_value(other, none, budget_);
    if (!v || !v->is_real()) return false;
    Complex lhs = Complex::from_rational(value);
    // |other - value| * 10^places * 2 <= 1
    auto diff = quotient(Complex::from_rational(mpq_class(2) * mpq_class(scale)), Complex::from_double(1));
    if (!diff) return false;
    Complex delta = *v;
    mpfr_sub(delta.re(), delta.re(), lhs.re(), MPFR_RNDN);
    mpfr_abs(delta.re(), delta.re(), MPFR_RNDN);
    mpfr_mul(delta.re(), delta.re(), diff->re(), MPFR_RNDN);
    return mpfr_cmp_ui(delta.re(), 1) <= 0;
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
    // A percentage in the answer against a gold without one: "25\%" states the gold 25 (a percentage written
    // bare) or the gold fraction 0.25. Its number alone is the gold only past 1 ("0.15\%" is not the
    // probability 0.15), and its fraction only up to 1 ("1000\%" is not the percentage 10).
    std::optional<mpq_class> answer_gold;
    const bool answer_percent = kind == NodeKind::kPercent && from_answer(wrapped);
    if (answer_percent) answer_gold = exact_value(plain, budget_);
    Outcome bare = compare(*wrapped.kids[0], plain);
    if (bare.decision == Decision::kEqual && !(answer_gold && abs(*answer_gold) <= 1)) return bare;
    if (answer_gold && abs(*answer_gold) > 1) return different("percentage differs");
    Outcome converted = scalars(wrapped, plain);  // the evaluator applies /100 or *pi/180
    if (converted.decision == Decision::kEqual) return converted;
    if ((bare.decision == Decision::kDifferent || bare.decision == Decision::kEqual) &&
        converted.decision != Decision::kUnknown)
      return different(kind == NodeKind::kPercent ? "percentage differs" : "angle differs");
    return bare.decision == Decision::kEqual ? converted : bare;
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
    const Node& maybe_comma = a.kind == NodeKind::kList ? a : b;
    const Node& scalar = a.kind == NodeKind::kList ? b : a;
    // Only the answer's own list: a gold "2,5" is the list 2, 5, never 2.5.
    if (maybe_comma.open == ',' && from_answer(maybe_comma) && maybe_comma.kids.size() == 2 && !is_collection(scalar) &&
        maybe_comma.kids[0]->kind == NodeKind::kNumber && maybe_comma.kids[1]->kind == NodeKind::kNumber &&
        !maybe_comma.kids[0]->name.empty() && !maybe_comma.kids[1]->name.empty()) {
      // "1000,99" against 1000.99: read the comma as a decimal comma.
      const std::string decimal = maybe_comma.kids[0]->name + "." + maybe_comma.kids[1]->name;
      const size_t places = maybe_comma.kids[1]->name.size();
      mpz_class scale;
      mpz_ui_pow_ui(scale.get_mpz_t(), 10, places);
      mpq_class v(mpz_class(maybe_comma.kids[0]->name + maybe_comma.kids[1]->name, 10), scale);
      v.canonicalize();
      NodePtr n = make_number(v);
      n->name = decimal;
      if (compare(*n, scalar).decision == Decision::kEqual) return equal("numeric equal (decimal comma)");
    }
    std::vector<const Node*> xs = members(a), ys = members(b);
    if (xs.size() > kMaxElements || ys.size() > kMaxElements) return unknown("too many elements");
    if (xs.empty() || ys.empty()) return xs.empty() == ys.empty() ? equal("both empty") : different("one side is empty");
    // Set semantics: every element of each side equals some element of the other (repeats collapse).
    // Identical keys match without a comparison; otherwise candidates with the same value at a probe point
    // are compared first, so equal sets written differently cost linear time, and an element without an
    // equal costs one pass and ends the search.
    Side x_side(*this, xs), y_side(*this, ys);
    for (size_t i = 0; i < xs.size(); ++i)
      if (!find_equal(x_side, i, y_side)) return different(xs.size() == ys.size() ? "elements differ" : "different elements");
    for (size_t j = 0; j < ys.size(); ++j)
      if (!y_side.matched[j] && !find_equal(y_side, j, x_side)) return different("different elements");
    return equal("same elements");
  }

  // The elements of one side of a set comparison with their keys, lazily computed fingerprints, and which
  // of them an element of the other side has been found equal to.
  struct Side {
    Side(Comparer& c, const std::vector<const Node*>& elements) : comparer(c), nodes(elements) {
      for (const Node* n : nodes) keys.push_back(c.key_of(*n));
      matched.assign(nodes.size(), false);
      prints.resize(nodes.size());
      printed.assign(nodes.size(), false);
      c.budget_.spend(static_cast<int64_t>(nodes.size()));
    }
    const std::string& print(size_t i) {
      if (!printed[i]) prints[i] = comparer.fingerprint(*nodes[i]), printed[i] = true;
      return prints[i];
    }
    Comparer& comparer;
    const std::vector<const Node*>& nodes;
    std::vector<std::string> keys, prints;
    std::vector<bool> matched, printed;
  };

  // True when element `i` of `from` equals some element of `to` (marking the ones found equal).
  bool find_equal(Side& from, size_t i, Side& to) {
    bool found = false;
    for (size_t j = 0; j < to.nodes.size(); ++j)
      if (to.keys[j] == from.keys[i]) found = to.matched[j] = true;
    if (found) return true;
    const std::string& print = from.print(i);
    for (int pass = 0; pass < 2; ++pass) {
      for (size_t j = 0; j < to.nodes.size(); ++j) {
        const bool same_print = !print.empty() && to.print(j) == print;
        if ((pass == 0) != same_print) continue;
        if (compare(*from.nodes[i], *to.nodes[j]).decision == Decision::kEqual) return to.matched[j] = true;
      }
    }
    return false;
  }

  // A rendering under which equal keys mean equal elements: exact values for rational constants and tuples
  // of them ("0.5" and "\frac12" share a key), the tree's rendering otherwise.
  std::string key_of(const Node& n) {
    if (n.kind == NodeKind::kTuple) {
      std::string k(1, n.open);
      for (const NodePtr& e : n.kids) {
        k += key_of(*e);
        k += ',';
      }
      return k + n.close;
    }
    if (n.kind != NodeKind::kRelation && !is_collection(n) && n.kind != NodeKind::kMatrix &&
        n.kind != NodeKind::kPercent && n.kind != NodeKind::kDegree && n.kind != NodeKind::kBaseNumber) {
      if (auto v = exact_value(n, budget_)) {
        std::string k = "#";
        k += v->get_str();
        return k;
      }
    }
    return to_string(n);
  }

  // The value of a scalar at one probe point (each variable set from its name), to 30 digits; empty when
  // it cannot be evaluated. Equal elements share it (up to rounding at the last digit).
  std::string fingerprint(const Node& n) {
    if (n.kind == NodeKind::kTuple || n.kind == NodeKind::kRelation || is_collection(n) || n.kind == NodeKind::kMatrix)
      return {};
    std::set<std::string> symbols;
    collect_symbols(n, symbols);
    Assignment vars;
    for (const std::string& name : symbols) {
      const size_t h = std::hash<std::string>{}(name);
      vars.emplace(name, Complex::from_double(0.5 + static_cast<double>(h % 1000) / 997.0));
    }
    auto v = numeric_value(n, vars, budget_);
    if (!v) return {};
    return decimal_digits(*v, 30);
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

  const Node* keep(NodePtr n) {
    scratch_.push_back(std::move(n));
    return scratch_.back().get();
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
  std::optional<std::vector<Interval>> intervals_of_node(const Node& n) {
    return intervals_of(n, lone_variable_only_, scratch_, end_order_);
  }

  // The order of two constant interval ends by value; nullopt for variables or non-real values.
  std::optional<int> order_ends(const Node& x, const Node& y) {
    const Assignment none;
    const auto vx = numeric_value(x, none, budget_);
    const auto vy = vx ? numeric_value(y, none, budget_) : std::nullopt;
    if (!vx || !vy || !vx->is_real() || !vy->is_real()) return std::nullopt;
    if (numerically_close(*vx, *vy)) return 0;
    return mpfr_cmp(vx->re(), vy->re()) < 0 ? -1 : 1;
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

  // True when one of the intervals has constant ends out of order or an empty open one: "(8, -2)" is then
  // a point, and "[5, -7]" no interval (read as intervals, both are empty and would be one set).
  bool has_empty_piece(const std::vector<Interval>& pieces) const {
    for (const Interval& p : pieces) {
      if (p.lo_inf || p.hi_inf || !p.lo || !p.hi) continue;
      const std::optional<int> order = end_order_(*p.lo, *p.hi);
      if (order && (*order > 0 || (*order == 0 && !(p.lo_closed && p.hi_closed)))) return true;
    }
    return false;
  }

  Outcome interval_sets(const Node& a, const Node& b) {
    auto xs = intervals_of_node(a);
    auto ys = intervals_of_node(b);
    if (xs && ys && (has_empty_piece(*xs) || has_empty_piece(*ys))) xs.reset();
    if (!xs || !ys) {
      if (a.kind == NodeKind::kTuple && b.kind == NodeKind::kTuple) return tuples(a, b);
      return different("interval against non-interval");
    }
    Outcome as_written = matching_intervals(*xs, *ys);
    if (as_written.decision == Decision::kEqual) return as_written;
    // Two spellings of one set ("(-\infty,1) \cup [1,3]" and "(-\infty,3]"): compare canonical forms when
    // every end is a constant.
    auto cx = canonical_union(*xs, end_order_);
    auto cy = cx ? canonical_union(*ys, end_order_) : std::nullopt;
    if (!cx || !cy) return as_written;
    Outcome canonical = matching_intervals(*cx, *cy);
    if (canonical.decision == Decision::kEqual) return equal("same set of reals");
    return canonical;
  }

  // Each interval of xs equal to its own interval of ys.
  Outcome matching_intervals(const std::vector<Interval>& xs, const std::vector<Interval>& ys) {
    if (xs.size() != ys.size()) return different("different number of intervals");
    std::vector<bool> used(ys.size(), false);
    Outcome last = equal("intervals equal");
    for (const Interval& x : xs) {
      bool matched = false;
      for (size_t j = 0; j < ys.size() && !matched; ++j) {
        if (used[j]) continue;
        Outcome o = interval_equal(x, ys[j]);
        if (o.decision == Decision::kEqual) used[j] = matched = true;
        else last = o;
      }
      if (!matched) return xs.size() == 1 ? last : different("intervals differ");
    }
    return equal(xs.size() == 1 ? "intervals equal" : "unions of intervals equal");
  }

  // "x < 3", "3 \ge x", "1 \le x < 2", "x \in [0,1)", "x \ne 2": the set of values of the one variable.
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

  static bool is_constant(const Node& n) {
    std::set<std::string> s;
    collect_symbols(n, s);
    return s.empty();
  }

  // Something that names a quantity rather than computes one: variables combined by juxtaposition,
  // ratios, function application, |.|, tuples.
  static bool is_name(const Node& n) {
    switch (n.kind) {
      case NodeKind::kSymbol: return true;
      case NodeKind::kMul:
      case NodeKind::kDiv:
      case NodeKind::kFunc:
      case NodeKind::kTuple:
        for (const NodePtr& k : n.kids)
          if (!is_name(*k)) return false;
        return true;
      default: return false;
    }
  }

  // A quantity made of names only: "m + n", "a_1 + a_2", "r^2" (a name to a positive integer power).
  static bool is_named_quantity(const Node& n) {
    switch (n.kind) {
      case NodeKind::kAdd:
        for (const NodePtr& k : n.kids)
          if (!is_named_quantity(*k)) return false;
        return true;
      case NodeKind::kPow:
        return is_name(*n.kids[0]) && n.kids[1]->kind == NodeKind::kNumber && n.kids[1]->value > 0 &&
               n.kids[1]->value.get_den() == 1;
      default: return is_name(n);
    }
  }

  // "f(3)", "g(-1)", "h(1/2)": a function's value at a constant point, read as the product of a letter and a
  // number (a number-first product, "2x", stays an equation's side).
  static bool is_value_at_point(const Node& n) {
    if (n.kind != NodeKind::kMul || n.kids.size() != 2 || n.kids[0]->kind != NodeKind::kSymbol) return false;
    const Node& point = *n.kids[1];
    const bool numeral = point.kind == NodeKind::kNumber || (point.kind == NodeKind::kNeg && point.kids[0]->kind == NodeKind::kNumber) ||
                         point.kind == NodeKind::kDiv;
    return numeral && is_constant(point);
  }

  // The value a chain of equalities ends with ("x = 5 + 6 = 11" -> 11); an approximation after an exact
  // value is ignored ("x = 1/3 \approx 0.33" -> 1/3). nullptr for other relations.
  static const Node* final_value(const Node& rel) {
    if (rel.kind != NodeKind::kRelation) return nullptr;
    // Of a single equation only "name = value" gives a value: "f(x) = 1", "|AB| = 1", "(p, q) = (3, 2)";
    // "a + 3z = 0" and "7 = 11a + c" are equations.
    if (rel.kids.size() == 2 && !(rel.relations[0] == Rel::kEq || rel.relations[0] == Rel::kApprox)) return nullptr;
    if (rel.kids.size() == 2 && !is_name(*rel.kids[0]) && !is_value_at_point(*rel.kids[0]) &&
        !(is_constant(*rel.kids[0]) && is_constant(*rel.kids[1])))
      return nullptr;
    size_t last = rel.kids.size() - 1;
    for (size_t k = 0; k < rel.relations.size(); ++k) {
      if (rel.relations[k] == Rel::kApprox) {
        // "14/3 \approx 4.67": the exact value comes first; "x \approx 4.67" names what it approximates.
        if (k > 0 || is_constant(*rel.kids[0])) {
          last = k;
          break;
        }
        continue;
      }
      if (rel.relations[k] != Rel::kEq) return nullptr;
    }
    return rel.kids[last].get();
  }

  Outcome relations(const Node& a, const Node& b) {
    if (a.kind == NodeKind::kRelation && b.kind == NodeKind::kRelation) {
      if (single_equation(a) && single_equation(b)) {
        if (a.kids[0]->kind == NodeKind::kSymbol && b.kids[0]->kind == NodeKind::kSymbol) {
          if (a.kids[0]->name == b.kids[0]->name) return compare(*a.kids[1], *b.kids[1]);
        }
        if (a.relations[0] == Rel::kEq && b.relations[0] == Rel::kEq) {
          const Outcome o = proportional_equations(a, b);
          if (o.decision != Decision::kUnknown) return o;
        }
      }
      // Between two relations only a lone variable counts ("2x < 6" is not the interval (-inf, 6)).
      lone_variable_only_ = true;
      auto xs = intervals_of_node(a);
      auto ys = intervals_of_node(b);
      lone_variable_only_ = false;
      if (xs && ys) {
        lone_variable_only_ = true;
        Outcome o = interval_sets(a, b);
        lone_variable_only_ = false;
        return o;
      }
      const Node* fa = final_value(a);
      const Node* fb = final_value(b);
      if (fa && fb && (a.kids.size() > 2 || b.kids.size() > 2)) return compare(*fa, *fb);
      if (a.relations == b.relations && a.kids.size() == b.kids.size()) {
        const Outcome o = elementwise(a.kids, b.kids, "relations equal");
        if (o.decision == Decision::kEqual) return o;
      }
      if (auto same = same_solution_set(a, b, budget_))
        return *same ? equal("same solution set") : different("solution sets differ");
      return unknown("relations not comparable");
    }
    const Node& rel = a.kind == NodeKind::kRelation ? a : b;
    const Node& other = a.kind == NodeKind::kRelation ? b : a;
    if (const Node* v = value_side(rel)) {
      // "x = 3" against "3"; "y = 2x + 3" against "2x + 3"; "x \in [0,1]" against "[0,1]".
      return compare(*v, other);
    }
    if (is_interval_like(other) || other.kind == NodeKind::kTuple) {
      // "x < 3" against "(-\infty, 3)": bounds of a lone variable; "1 \le |z| \le 2", "x^2 < 4": membership
      // at probe points; "0 < f(x) < 1" against "(0, 1)": the range of the expression in the middle.
      lone_variable_only_ = true;
      const bool lone = intervals_of_node(rel).has_value();
      lone_variable_only_ = false;
      if (lone) {
        lone_variable_only_ = true;
        Outcome o = interval_sets(rel, other);
        lone_variable_only_ = false;
        return o;
      }
      if (auto same = same_solution_set(rel, other, budget_))
        return *same ? equal("same solution set") : different("solution sets differ");
      if (intervals_of_node(rel)) return interval_sets(rel, other);
    }
    // "14/3 \approx 4.67" states both: either side may be the gold ("to the nearest hundredth").
    if (rel.kids.size() == 2 && rel.relations[0] == Rel::kApprox && is_constant(*rel.kids[0]) &&
        is_constant(*rel.kids[1])) {
      const Outcome exact = compare(*rel.kids[0], other);
      if (exact.decision == Decision::kEqual) return exact;
      return compare(*rel.kids[1], other);
    }
    // "f(x) = 1", "(p, q) = (3, 2)", "AB = 4 = ...": the value the equalities end with.
    if (const Node* v = final_value(rel)) return compare(*v, other);
    // "m + n = 33", "r^2 = 25" in the answer against 33, 25 (AIME asks for such quantities): a sum of names,
    // or a name's positive power, equated with a constant states that constant. "2x = 10" and "x + 1 = 5"
    // stay equations, and a gold that is an equation is never matched by one of its sides (nor a relation
    // made during the comparison: the rule needs the answer's own).
    if (from_answer(rel) && single_equation(rel) && rel.relations[0] == Rel::kEq && is_constant(other)) {
      if (is_constant(*rel.kids[1]) && is_named_quantity(*rel.kids[0])) return compare(*rel.kids[1], other);
      if (is_constant(*rel.kids[0]) && is_named_quantity(*rel.kids[1])) return compare(*rel.kids[0], other);
    }
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
  bool lone_variable_only_ = false;
  std::unordered_set<const Node*> answer_nodes_;  // every node of the answer's own tree
  std::vector<NodePtr> scratch_;  // nodes made while comparing (negated bounds), alive for the comparison
  const EndOrder end_order_ = [this](const Node& x, const Node& y) { return order_ends(x, y); };
};

}  // namespace

Outcome compare_answers(const Node& answer, const Node& gold, WorkBudget& budget) {
  Comparer comparer(budget);
  comparer.mark_answer(answer);
  return comparer.compare(answer, gold);
}

}  // namespace r1eval::graders::math
