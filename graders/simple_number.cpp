#include "graders/simple_number.h"

#include <cctype>
#include <string>

namespace r1eval::graders {
namespace {

constexpr size_t kMaxDigits = 4096;

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// "123", "1.5", ".5", "2." (no sign).
std::optional<mpq_class> parse_decimal(std::string_view s) {
  if (s.empty() || s.size() > kMaxDigits) return std::nullopt;
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  for (char c : whole)
    if (!is_digit(c)) return std::nullopt;
  for (char c : frac)
    if (!is_digit(c)) return std::nullopt;
  const std::string digits = std::string(whole) + std::string(frac);
  mpz_class num(digits.empty() ? std::string("0") : digits, 10);
  mpz_class den;
  mpz_ui_pow_ui(den.get_mpz_t(), 10, frac.size());
  mpq_class q(num, den);
  q.canonicalize();
  return q;
}

}  // namespace

std::optional<mpq_class> parse_simple_rational(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::optional<mpq_class> value;
  if (s.starts_with("\\frac{")) {
    const size_t mid = s.find("}{");
    if (mid == std::string_view::npos || s.back() != '}') return std::nullopt;
    auto num = parse_decimal(s.substr(6, mid - 6));
    auto den = parse_decimal(s.substr(mid + 2, s.size() - mid - 3));
    if (!num || !den || *den == 0) return std::nullopt;
    value = *num / *den;
  } else if (s.size() == 7 && s.starts_with("\\frac") && std::isdigit(static_cast<unsigned char>(s[5])) &&
             std::isdigit(static_cast<unsigned char>(s[6]))) {  // "\frac12": two one-digit arguments
    if (s[6] == '0') return std::nullopt;
    value = mpq_class(s[5] - '0', s[6] - '0');
    value->canonicalize();
  } else if (const size_t slash = s.find('/'); slash != std::string_view::npos) {
    auto num = parse_decimal(s.substr(0, slash));
    auto den = parse_decimal(s.substr(slash + 1));
    if (!num || !den || *den == 0) return std::nullopt;
    value = *num / *den;
  } else {
    value = parse_decimal(s);
  }
  if (value && negative) *value = -*value;
  return value;
}

}  // namespace r1eval::graders
