#include "graders/math/exact_eval.h"

#include <cctype>

namespace r1eval::graders::math {
namespace {

int64_t bits(const mpq_class& q) {
  return static_cast<int64_t>(mpz_sizeinbase(q.get_num_mpz_t(), 2) + mpz_sizeinbase(q.get_den_mpz_t(), 2));
}

// The exact k-th root of a non-negative rational, when there is one.
std::optional<mpq_class> exact_root(const mpq_class& q, unsigned long k) {
  if (k == 0) return std::nullopt;
  if (q < 0) {
    if (k % 2 == 0) return std::nullopt;
    auto r = exact_root(-q, k);
    if (!r) return std::nullopt;
    return mpq_class(-*r);
  }
  mpz_class num, den;
  if (!mpz_root(num.get_mpz_t(), q.get_num_mpz_t(), k)) return std::nullopt;
  if (!mpz_root(den.get_mpz_t(), q.get_den_mpz_t(), k)) return std::nullopt;
  return mpq_class(num, den);
}

std::optional<mpq_class> power(const mpq_class& base, const mpq_class& exponent, WorkBudget& budget) {
  if (exponent.get_den() != 1) {
    // b^(p/q) is rational only when b is a perfect q-th power.
    if (!exponent.get_den().fits_ulong_p() || exponent.get_den() > 64) return std::nullopt;
    auto root = exact_root(base, exponent.get_den().get_ui());
    if (!root) return std::nullopt;
    return power(*root, mpq_class(exponent.get_num()), budget);
  }
  if (base == 0) {
    if (exponent <= 0) return std::nullopt;
    return mpq_class(0);
  }
  if (base == 1) return mpq_class(1);
  if (base == -1) return mpq_class(mpz_odd_p(exponent.get_num_mpz_t()) ? -1 : 1);
  if (!exponent.get_num().fits_slong_p()) return std::nullopt;
  const long e = exponent.get_num().get_si();
  const unsigned long magnitude = static_cast<unsigned long>(e < 0 ? -e : e);
  // The result has about |e| * bits(base) bits: refuse what would exceed the exact-size bound.
  if (static_cast<double>(magnitude) * static_cast<double>(bits(base)) > static_cast<double>(kMaxExactBits))
    return std::nullopt;
  budget.spend(static_cast<int64_t>(magnitude) * bits(base) / 64 + 1);
  mpz_class num, den;
  mpz_pow_ui(num.get_mpz_t(), base.get_num_mpz_t(), magnitude);
  mpz_pow_ui(den.get_mpz_t(), base.get_den_mpz_t(), magnitude);
  mpq_class r(num, den);
  r.canonicalize();
  if (e < 0) r = 1 / r;
  return r;
}

std::optional<mpq_class> base_numeral(const Node& n) {
  mpz_class v = 0;
  for (char c : n.name) {
    int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : 99;
    if (d >= n.base) return std::nullopt;
    v = v * n.base + d;
  }
  return mpq_class(v);
}

class Evaluator {
 public:
  explicit Evaluator(WorkBudget& budget) : budget_(budget) {}

  std::optional<mpq_class> eval(const Node& n) {
    budget_.spend();
    switch (n.kind) {
      case NodeKind::kNumber: return n.value;
      case NodeKind::kBaseNumber: return base_numeral(n);
      case NodeKind::kAdd: {
        mpq_class sum = 0;
        for (const NodePtr& k : n.kids) {
          auto v = eval(*k);
          if (!v) return std::nullopt;
          sum += *v;
          charge(sum);
        }
        return sum;
      }
      case NodeKind::kMul: {
        mpq_class product = 1;
        for (const NodePtr& k : n.kids) {
          auto v = eval(*k);
          if (!v) return std::nullopt;
          product *= *v;
          if (!charge(product)) return std::nullopt;
        }
        return product;
      }
      case NodeKind::kNeg: {
        auto v = eval(*n.kids[0]);
        if (!v) return std::nullopt;
        return mpq_class(-*v);
      }
      case NodeKind::kDiv: {
        auto a = eval(*n.kids[0]);
        if (!a) return std::nullopt;
        auto b = eval(*n.kids[1]);
        if (!b || *b == 0) return std::nullopt;
        mpq_class q = *a / *b;
        if (!charge(q)) return std::nullopt;
        return q;
      }
      case NodeKind::kPow: {
        auto b = eval(*n.kids[0]);
        if (!b) return std::nullopt;
        auto e = eval(*n.kids[1]);
        if (!e) return std::nullopt;
        return power(*b, *e, budget_);
      }
      case NodeKind::kRoot: {
        auto x = eval(*n.kids[0]);
        auto k = eval(*n.kids[1]);
        if (!x || !k || k->get_den() != 1 || *k <= 0 || !k->get_num().fits_ulong_p()) return std::nullopt;
        return exact_root(*x, k->get_num().get_ui());
      }
      case NodeKind::kFactorial: {
        auto x = eval(*n.kids[0]);
        if (!x || x->get_den() != 1 || *x < 0 || *x > 2000) return std::nullopt;
        budget_.spend(x->get_num().get_si() * 4);
        mpz_class f;
        mpz_fac_ui(f.get_mpz_t(), x->get_num().get_ui());
        return mpq_class(f);
      }
      case NodeKind::kFunc: return function(n);
      default: return std::nullopt;
    }
  }

 private:
  // Counts the work of a result and refuses numbers beyond the exact-size bound.
  bool charge(const mpq_class& q) {
    const int64_t b = bits(q);
    budget_.spend(b / 256);
    return b <= kMaxExactBits;
  }

  std::optional<mpq_class> function(const Node& n) {
    if (n.name == "binom") {
      auto a = eval(*n.kids[0]);
      auto b = eval(*n.kids[1]);
      if (!a || !b || a->get_den() != 1 || b->get_den() != 1 || *a < 0 || *a > 5000 || *b < 0) return std::nullopt;
      if (*b > *a) return mpq_class(0);
      budget_.spend(a->get_num().get_si());
      mpz_class r;
      mpz_bin_uiui(r.get_mpz_t(), a->get_num().get_ui(), b->get_num().get_ui());
      return mpq_class(r);
    }
    auto x = eval(*n.kids[0]);
    if (!x) return std::nullopt;
    if (n.name == "abs") return mpq_class(abs(*x));
    if (n.name == "floor" || n.name == "ceil") {
      mpz_class r;
      if (n.name == "floor") mpz_fdiv_q(r.get_mpz_t(), x->get_num_mpz_t(), x->get_den_mpz_t());
      else mpz_cdiv_q(r.get_mpz_t(), x->get_num_mpz_t(), x->get_den_mpz_t());
      return mpq_class(r);
    }
    // Exact special values that keep common answers rational.
    if (*x == 0 && (n.name == "sin" || n.name == "tan" || n.name == "arcsin" || n.name == "arctan")) return mpq_class(0);
    if (*x == 0 && n.name == "cos") return mpq_class(1);
    if (*x == 1 && n.name == "ln") return mpq_class(0);
    if (*x == 0 && n.name == "exp") return mpq_class(1);
    if (n.name == "log10" && *x > 0 && x->get_den() == 1) {
      // log10 of a power of ten.
      const std::string digits = x->get_num().get_str();
      if (digits[0] == '1' && digits.find_first_not_of('0', 1) == std::string::npos)
        return mpq_class(static_cast<long>(digits.size() - 1));
    }
    return std::nullopt;
  }

  WorkBudget& budget_;
};

}  // namespace

std::optional<mpq_class> exact_value(const Node& n, WorkBudget& budget) { return Evaluator(budget).eval(n); }

}  // namespace r1eval::graders::math
