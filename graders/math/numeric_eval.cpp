#include "graders/math/numeric_eval.h"

#include <cmath>
#include <string>

#include "graders/math/exact_eval.h"

namespace r1eval::graders::math {

Complex::Complex() {
  mpfr_init2(re_, kNumericBits);
  mpfr_init2(im_, kNumericBits);
  mpfr_set_zero(re_, 1);
  mpfr_set_zero(im_, 1);
}
Complex::Complex(const Complex& o) : Complex() {
  mpfr_set(re_, o.re_, MPFR_RNDN);
  mpfr_set(im_, o.im_, MPFR_RNDN);
}
Complex::Complex(Complex&& o) noexcept : Complex() {
  mpfr_swap(re_, o.re_);
  mpfr_swap(im_, o.im_);
}
Complex& Complex::operator=(const Complex& o) {
  if (this != &o) {
    mpfr_set(re_, o.re_, MPFR_RNDN);
    mpfr_set(im_, o.im_, MPFR_RNDN);
  }
  return *this;
}
Complex& Complex::operator=(Complex&& o) noexcept {
  mpfr_swap(re_, o.re_);
  mpfr_swap(im_, o.im_);
  return *this;
}
Complex::~Complex() {
  mpfr_clear(re_);
  mpfr_clear(im_);
}
Complex Complex::from_rational(const mpq_class& q) {
  Complex c;
  mpfr_set_q(c.re_, q.get_mpq_t(), MPFR_RNDN);
  return c;
}
Complex Complex::from_double(double re, double im) {
  Complex c;
  mpfr_set_d(c.re_, re, MPFR_RNDN);
  mpfr_set_d(c.im_, im, MPFR_RNDN);
  return c;
}

namespace {

constexpr mpfr_rnd_t R = MPFR_RNDN;
constexpr mpfr_exp_t kMaxPeriodicExponent = 100;  // |argument| < 2^100 for sin, cos, tan, ...
constexpr int64_t kUnitsPerNode = 12;              // a 192-bit operation costs about a dozen small ones
constexpr int64_t kUnitsPerTranscendental = 200;   // sin, exp, log, ... at 192 bits: microseconds

// RAII scratch real.
struct Real {
  Real() { mpfr_init2(v, kNumericBits); }
  ~Real() { mpfr_clear(v); }
  Real(const Real&) = delete;
  Real& operator=(const Real&) = delete;
  mpfr_t v;
};

Complex add(const Complex& a, const Complex& b) {
  Complex r;
  mpfr_add(r.re(), a.re(), b.re(), R);
  mpfr_add(r.im(), a.im(), b.im(), R);
  return r;
}
Complex sub(const Complex& a, const Complex& b) {
  Complex r;
  mpfr_sub(r.re(), a.re(), b.re(), R);
  mpfr_sub(r.im(), a.im(), b.im(), R);
  return r;
}
Complex mul(const Complex& a, const Complex& b) {
  Complex r;
  if (a.is_real() && b.is_real()) {
    mpfr_mul(r.re(), a.re(), b.re(), R);
    return r;
  }
  Real t;
  mpfr_mul(r.re(), a.re(), b.re(), R);
  mpfr_mul(t.v, a.im(), b.im(), R);
  mpfr_sub(r.re(), r.re(), t.v, R);
  mpfr_mul(r.im(), a.re(), b.im(), R);
  mpfr_mul(t.v, a.im(), b.re(), R);
  mpfr_add(r.im(), r.im(), t.v, R);
  return r;
}
bool is_zero(const Complex& a) { return mpfr_zero_p(a.re()) && mpfr_zero_p(a.im()); }
std::optional<Complex> div(const Complex& a, const Complex& b) {
  if (is_zero(b)) return std::nullopt;
  Complex r;
  if (a.is_real() && b.is_real()) {
    mpfr_div(r.re(), a.re(), b.re(), R);
    return r;
  }
  Real d, t;
  mpfr_sqr(d.v, b.re(), R);
  mpfr_sqr(t.v, b.im(), R);
  mpfr_add(d.v, d.v, t.v, R);
  Complex conj = b;
  mpfr_neg(conj.im(), conj.im(), R);
  r = mul(a, conj);
  mpfr_div(r.re(), r.re(), d.v, R);
  mpfr_div(r.im(), r.im(), d.v, R);
  return r;
}
Complex neg(const Complex& a) {
  Complex r;
  mpfr_neg(r.re(), a.re(), R);
  mpfr_neg(r.im(), a.im(), R);
  return r;
}
Complex modulus(const Complex& a) {
  Complex r;
  mpfr_hypot(r.re(), a.re(), a.im(), R);
  return r;
}
// True when x is small enough for periodic functions: reducing a huge argument modulo 2*pi needs pi to as
// many bits as the argument has, which is unbounded work (sin(5^{53^5})).
bool periodic_argument_ok(mpfr_srcptr x) {
  return mpfr_zero_p(x) || (mpfr_number_p(x) && mpfr_get_exp(x) <= kMaxPeriodicExponent);
}

Complex exp_c(const Complex& a) {
  Complex r;
  if (a.is_real()) {
    mpfr_exp(r.re(), a.re(), R);
    return r;
  }
  if (!periodic_argument_ok(a.im())) {  // refused: the caller sees a non-finite value
    mpfr_set_nan(r.re());
    mpfr_set_nan(r.im());
    return r;
  }
  Real m;
  mpfr_exp(m.v, a.re(), R);
  mpfr_sin_cos(r.im(), r.re(), a.im(), R);
  mpfr_mul(r.re(), r.re(), m.v, R);
  mpfr_mul(r.im(), r.im(), m.v, R);
  return r;
}
std::optional<Complex> log_c(const Complex& a) {
  if (is_zero(a)) return std::nullopt;
  Complex r;
  if (a.is_real() && mpfr_sgn(a.re()) > 0) {
    mpfr_log(r.re(), a.re(), R);
    return r;
  }
  Real m;
  mpfr_hypot(m.v, a.re(), a.im(), R);
  mpfr_log(r.re(), m.v, R);
  mpfr_atan2(r.im(), a.im(), a.re(), R);
  return r;
}
Complex sqrt_c(const Complex& a) {
  Complex r;
  if (a.is_real()) {
    if (mpfr_sgn(a.re()) >= 0) mpfr_sqrt(r.re(), a.re(), R);
    else {
      mpfr_neg(r.im(), a.re(), R);
      mpfr_sqrt(r.im(), r.im(), R);
    }
    return r;
  }
  Real m, t;
  mpfr_hypot(m.v, a.re(), a.im(), R);
  mpfr_add(t.v, m.v, a.re(), R);
  mpfr_div_2ui(t.v, t.v, 1, R);
  mpfr_sqrt(r.re(), t.v, R);
  mpfr_sub(t.v, m.v, a.re(), R);
  mpfr_div_2ui(t.v, t.v, 1, R);
  mpfr_sqrt(r.im(), t.v, R);
  if (mpfr_sgn(a.im()) < 0) mpfr_neg(r.im(), r.im(), R);
  return r;
}
Complex imaginary_unit() {
  Complex r;
  mpfr_set_ui(r.im(), 1, R);
  return r;
}

// Integer power by squaring (exact sign handling for negative bases).
std::optional<Complex> int_power(const Complex& base, long e, WorkBudget& budget) {
  if (base.is_real()) {
    Complex r;
    if (is_zero(base) && e < 0) return std::nullopt;
    mpfr_pow_si(r.re(), base.re(), e, R);
    return r;
  }
  unsigned long m = static_cast<unsigned long>(e < 0 ? -e : e);
  Complex result = Complex::from_double(1);
  Complex b = base;
  while (m) {
    budget.spend();
    if (m & 1) result = mul(result, b);
    b = mul(b, b);
    m >>= 1;
  }
  if (e < 0) return div(Complex::from_double(1), result);
  return result;
}

// True for exactly 1, -1, i or -i.
bool is_unit_of_order_four(const Complex& z) {
  const bool re_zero = mpfr_zero_p(z.re()), im_zero = mpfr_zero_p(z.im());
  if (re_zero == im_zero) return false;
  return mpfr_cmpabs_ui(re_zero ? z.im() : z.re(), 1) == 0;
}

class Evaluator {
 public:
  Evaluator(const Assignment& vars, WorkBudget& budget) : vars_(vars), budget_(budget) {}

  std::optional<Complex> eval(const Node& n) {
    budget_.spend(kUnitsPerNode);
    switch (n.kind) {
      case NodeKind::kNumber: return Complex::from_rational(n.value);
      case NodeKind::kBaseNumber: {
        auto v = exact_value(n, budget_);
        if (!v) return std::nullopt;
        return Complex::from_rational(*v);
      }
      case NodeKind::kSymbol: {
        auto it = vars_.find(n.name);
        if (it == vars_.end()) return std::nullopt;
        return it->second;
      }
      case NodeKind::kPi: {
        Complex r;
        mpfr_const_pi(r.re(), R);
        return r;
      }
      case NodeKind::kE: return exp_c(Complex::from_double(1));
      case NodeKind::kI: return imaginary_unit();
      case NodeKind::kAdd: {
        Complex sum;
        for (const NodePtr& k : n.kids) {
          auto v = eval(*k);
          if (!v) return std::nullopt;
          sum = add(sum, *v);
        }
        return finite(sum);
      }
      case NodeKind::kMul: {
        Complex product = Complex::from_double(1);
        for (const NodePtr& k : n.kids) {
          auto v = eval(*k);
          if (!v) return std::nullopt;
          product = mul(product, *v);
        }
        return finite(product);
      }
      case NodeKind::kNeg: {
        auto v = eval(*n.kids[0]);
        if (!v) return std::nullopt;
        return neg(*v);
      }
      case NodeKind::kDiv: {
        auto a = eval(*n.kids[0]);
        if (!a) return std::nullopt;
        auto b = eval(*n.kids[1]);
        if (!b) return std::nullopt;
        auto q = div(*a, *b);
        if (!q) return std::nullopt;
        return finite(*q);
      }
      case NodeKind::kPow: return power(n);
      case NodeKind::kRoot: return root(n);
      case NodeKind::kPercent: {
        auto v = eval(*n.kids[0]);
        if (!v) return std::nullopt;
        return div(*v, Complex::from_double(100));
      }
      case NodeKind::kDegree: {
        auto v = eval(*n.kids[0]);
        if (!v) return std::nullopt;
        Complex k;
        mpfr_const_pi(k.re(), R);
        mpfr_div_ui(k.re(), k.re(), 180, R);
        return mul(*v, k);
      }
      case NodeKind::kFactorial: {
        auto v = eval(*n.kids[0]);
        if (!v || !v->is_real() || mpfr_cmp_si(v->re(), -1) <= 0 || mpfr_cmp_ui(v->re(), 5000) > 0) return std::nullopt;
        Complex r;
        mpfr_add_ui(r.re(), v->re(), 1, R);
        mpfr_gamma(r.re(), r.re(), R);
        return finite(r);
      }
      case NodeKind::kFunc: return function(n);
      default: return std::nullopt;
    }
  }

 private:
  static std::optional<Complex> finite(Complex z) {
    if (!z.is_finite()) return std::nullopt;
    return z;
  }

  std::optional<Complex> power(const Node& n) {
    auto b = eval(*n.kids[0]);
    if (!b) return std::nullopt;
    // An exact rational exponent keeps integer powers exact in sign and odd roots of negatives real.
    std::optional<mpq_class> q = exact_value(*n.kids[1], budget_);
    if (q && q->get_den() == 1 && is_unit_of_order_four(*b)) {
      // 1, -1, i, -i to any integer power: only the exponent mod 4 matters (i^{10^{18}} = 1).
      mpz_class r;
      mpz_fdiv_r_ui(r.get_mpz_t(), q->get_num_mpz_t(), 4);
      auto p = int_power(*b, static_cast<long>(r.get_ui()), budget_);
      if (!p) return std::nullopt;
      return finite(*p);
    }
    if (q && q->get_den() == 1 && q->get_num().fits_slong_p()) {
      const long e = q->get_num().get_si();
      if (e > -(1L << 40) && e < (1L << 40)) {
        auto r = int_power(*b, e, budget_);
        if (!r) return std::nullopt;
        return finite(*r);
      }
      return std::nullopt;
    }
    if (q && b->is_real() && mpfr_sgn(b->re()) < 0 && mpz_odd_p(q->get_den_mpz_t())) {
      Complex r;
      Real e;
      mpfr_set_q(e.v, q->get_mpq_t(), R);
      mpfr_neg(r.re(), b->re(), R);
      mpfr_pow(r.re(), r.re(), e.v, R);
      if (mpz_odd_p(q->get_num_mpz_t())) mpfr_neg(r.re(), r.re(), R);
      return finite(r);
    }
    auto e = eval(*n.kids[1]);
    if (!e) return std::nullopt;
    if (b->is_real() && e->is_real() && mpfr_sgn(b->re()) > 0) {
      Complex r;
      mpfr_pow(r.re(), b->re(), e->re(), R);
      return finite(r);
    }
    if (is_zero(*b)) {
      if (e->is_real() && mpfr_sgn(e->re()) > 0) return Complex();
      return std::nullopt;
    }
    auto l = log_c(*b);
    if (!l) return std::nullopt;
    return finite(exp_c(mul(*e, *l)));
  }

  std::optional<Complex> root(const Node& n) {
    auto x = eval(*n.kids[0]);
    if (!x) return std::nullopt;
    std::optional<mpq_class> k = exact_value(*n.kids[1], budget_);
    if (k && *k == 2) return sqrt_c(*x);
    if (k && k->get_den() == 1 && *k > 0 && k->get_num().fits_ulong_p() && x->is_real()) {
      const unsigned long index = k->get_num().get_ui();
      Complex r;
      if (mpfr_sgn(x->re()) >= 0 || index % 2 == 1) {
        mpfr_rootn_ui(r.re(), x->re(), index, R);
        return finite(r);
      }
    }
    auto kv = eval(*n.kids[1]);
    if (!kv || is_zero(*kv)) return std::nullopt;
    auto l = log_c(*x);
    if (!l) return std::nullopt;
    auto e = div(*l, *kv);
    if (!e) return std::nullopt;
    return finite(exp_c(*e));
  }

  std::optional<Complex> function(const Node& n) {
    const std::string& f = n.name;
    if (f != "abs" && f != "floor" && f != "ceil") budget_.spend(kUnitsPerTranscendental);
    if (f == "binom") {
      auto a = exact_value(n, budget_);
      if (!a) return std::nullopt;
      return Complex::from_rational(*a);
    }
    auto xo = eval(*n.kids[0]);
    if (!xo) return std::nullopt;
    const Complex& x = *xo;
    Complex r;
    if (f == "abs") return modulus(x);
    if (f == "exp") return finite(exp_c(x));
    if (f == "ln") {
      auto l = log_c(x);
      if (!l) return std::nullopt;
      return finite(*l);
    }
    if (f == "log10") {
      auto l = log_c(x);
      if (!l) return std::nullopt;
      return div(*l, *log_c(Complex::from_double(10)));
    }
    if (x.is_real()) {
      mpfr_srcptr v = x.re();
      const bool periodic = f == "sin" || f == "cos" || f == "tan" || f == "sec" || f == "csc" || f == "cot";
      if (periodic && !periodic_argument_ok(v)) return std::nullopt;
      if (f == "sin") mpfr_sin(r.re(), v, R);
      else if (f == "cos") mpfr_cos(r.re(), v, R);
      else if (f == "tan") mpfr_tan(r.re(), v, R);
      else if (f == "sec") mpfr_sec(r.re(), v, R);
      else if (f == "csc") mpfr_csc(r.re(), v, R);
      else if (f == "cot") mpfr_cot(r.re(), v, R);
      else if (f == "sinh") mpfr_sinh(r.re(), v, R);
      else if (f == "cosh") mpfr_cosh(r.re(), v, R);
      else if (f == "tanh") mpfr_tanh(r.re(), v, R);
      else if (f == "arctan") mpfr_atan(r.re(), v, R);
      else if (f == "arcsin" || f == "arccos") {
        if (mpfr_cmpabs_ui(v, 1) > 0) return std::nullopt;
        if (f == "arcsin") mpfr_asin(r.re(), v, R);
        else mpfr_acos(r.re(), v, R);
      } else if (f == "floor") mpfr_floor(r.re(), v);
      else if (f == "ceil") mpfr_ceil(r.re(), v);
      else return std::nullopt;
      return finite(r);
    }
    // Complex arguments: trigonometric functions through the exponential.
    const Complex iz = mul(imaginary_unit(), x);
    if (f == "sin" || f == "cos" || f == "tan") {
      const Complex a = exp_c(iz), b = exp_c(neg(iz));
      const Complex s = *div(sub(a, b), mul(Complex::from_double(2), imaginary_unit()));
      const Complex c = *div(add(a, b), Complex::from_double(2));
      if (f == "sin") return finite(s);
      if (f == "cos") return finite(c);
      auto t = div(s, c);
      if (!t) return std::nullopt;
      return finite(*t);
    }
    return std::nullopt;
  }

  const Assignment& vars_;
  WorkBudget& budget_;
};

}  // namespace

std::optional<Complex> numeric_value(const Node& n, const Assignment& vars, WorkBudget& budget) {
  return Evaluator(vars, budget).eval(n);
}

bool numerically_close(const Complex& a, const Complex& b) {
  Real dre, dim, diff, scale, t;
  mpfr_sub(dre.v, a.re(), b.re(), R);
  mpfr_sub(dim.v, a.im(), b.im(), R);
  mpfr_hypot(diff.v, dre.v, dim.v, R);
  mpfr_hypot(scale.v, a.re(), a.im(), R);
  mpfr_hypot(t.v, b.re(), b.im(), R);
  mpfr_max(scale.v, scale.v, t.v, R);
  mpfr_mul_2si(scale.v, scale.v, -140, R);
  if (mpfr_lessequal_p(diff.v, scale.v)) return true;
  mpfr_set_ui_2exp(t.v, 1, -160, R);
  return mpfr_lessequal_p(diff.v, t.v) != 0;
}

std::optional<Complex> quotient(const Complex& a, const Complex& b) { return div(a, b); }

std::string decimal_digits(const Complex& z, int digits) {
  std::string out;
  for (mpfr_srcptr part : {z.re(), z.im()}) {
    char* text = nullptr;
    if (mpfr_asprintf(&text, "%.*Rg,", digits, part) < 0 || text == nullptr) return {};
    out += text;
    mpfr_free_str(text);
  }
  return out;
}

double magnitude(const Complex& z) {
  Real m;
  mpfr_hypot(m.v, z.re(), z.im(), R);
  return mpfr_get_d(m.v, R);
}

}  // namespace r1eval::graders::math
