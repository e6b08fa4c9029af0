#include "harness/option_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>

namespace r1eval::harness {

namespace {

// The bound as people write it: 1, 0.01, 1000000.
std::string plain(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// A validator for finite numbers that `fits`; `expected` completes "expected a number ...".
CLI::Validator finite_number(const std::string& expected, std::function<bool(double)> fits) {
  return CLI::Validator(
      [expected, fits](std::string& text) -> std::string {
        const char* begin = text.c_str();
        char* end = nullptr;
        errno = 0;
        const double value = std::strtod(begin, &end);
        if (end == begin || *end != '\0' || errno == ERANGE || !std::isfinite(value) || !fits(value))
          return "expected a number " + expected + ", got '" + text + "'";
        return std::string();
      },
      "NUMBER " + expected);
}

}  // namespace

CLI::Validator positive_number() {
  return finite_number("> 0", [](double x) { return x > 0; });
}

CLI::Validator non_negative_number() {
  return finite_number(">= 0", [](double x) { return x >= 0; });
}

CLI::Validator number_between(double lowest, double highest) {
  return finite_number("from " + plain(lowest) + " to " + plain(highest),
                       [lowest, highest](double x) { return x >= lowest && x <= highest; });
}

CLI::Validator nucleus_mass() {
  return finite_number("above 0 and at most 1", [](double x) { return x > 0 && x <= 1; });
}

CLI::Validator seed_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        errno = 0;
        if (digits) (void)std::strtoull(text.c_str(), nullptr, 10);
        if (!digits || errno == ERANGE)
          return "expected an integer from 0 to 18446744073709551615, got '" + text + "'";
        return std::string();
      },
      "INTEGER 0..2^64-1");
}

}  // namespace r1eval::harness
