// High-precision complex evaluation (MPFR) of expressions, with values for their variables.
#pragma once
#include <mpfr.h>

#include <map>
#include <optional>
#include <string>

#include "graders/math/ast.h"
#include "graders/math/budget.h"

namespace r1eval::graders::math {

inline constexpr mpfr_prec_t kNumericBits = 192;

// A complex number with MPFR parts (RAII).
class Complex {
 public:
  Complex();
  Complex(const Complex& o);
  Complex(Complex&& o) noexcept;
  Complex& operator=(const Complex& o);
  Complex& operator=(Complex&& o) noexcept;
  ~Complex();

  static Complex from_rational(const mpq_class& q);
  static Complex from_double(double re, double im = 0);

  mpfr_ptr re() { return re_; }
  mpfr_ptr im() { return im_; }
  mpfr_srcptr re() const { return re_; }
  mpfr_srcptr im() const { return im_; }
  bool is_real() const { return mpfr_zero_p(im_) != 0; }
  bool is_finite() const { return mpfr_number_p(re_) && mpfr_number_p(im_); }

 private:
  mpfr_t re_;
  mpfr_t im_;
};

using Assignment = std::map<std::string, Complex>;

// The value of `n` with its variables taken from `vars`: nullopt when undefined (division by zero, a
// variable without a value, an unsupported node such as a tuple) or not finite (overflow). The principal
// branch is used for roots and logarithms, except that odd roots of negative reals are real.
std::optional<Complex> numeric_value(const Node& n, const Assignment& vars, WorkBudget& budget);

// True when a and b agree to a relative 2^-140 (absolute 2^-160 near zero): far tighter than any
// difference between distinct short answers (1/2^99 and 1/2^98 differ), far looser than rounding error.
bool numerically_close(const Complex& a, const Complex& b);

// a / b; nullopt when b is zero.
std::optional<Complex> quotient(const Complex& a, const Complex& b);

// z as "re,im" with `digits` significant decimal digits each (for grouping nearly equal values).
std::string decimal_digits(const Complex& z, int digits);

// |z| as a double (for choosing sample points and ratios).
double magnitude(const Complex& z);

}  // namespace r1eval::graders::math
