// Plain numerals (integers, decimals, simple fractions) as exact rationals.
#pragma once
#include <gmpxx.h>

#include <optional>
#include <string_view>

namespace r1eval::graders {

// The exact value of a normalised numeral: "-12", "3.25", ".5", "7/8", "\frac{7}{8}", "-\frac{1}{2}".
// nullopt for anything else (including more than 4096 digits, to bound the work).
std::optional<mpq_class> parse_simple_rational(std::string_view s);

}  // namespace r1eval::graders
