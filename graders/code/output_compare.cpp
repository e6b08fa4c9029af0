#include "graders/code/output_compare.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>

namespace r1eval::graders::code {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; }

// The whitespace-separated tokens of a text, one at a time: a program's 64 MiB of one-character tokens
// would take half a gigabyte as a list, and the judge compares several outputs at once.
class Tokens {
 public:
  explicit Tokens(std::string_view text) : text_(text) {}
  // The next token, or nullopt at the end.
  std::optional<std::string_view> next() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
    const std::size_t start = pos_;
    while (pos_ < text_.size() && !is_space(text_[pos_])) ++pos_;
    if (pos_ == start) return std::nullopt;
    return text_.substr(start, pos_ - start);
  }
  // How many tokens are left.
  std::size_t count_rest() {
    std::size_t n = 0;
    while (next()) ++n;
    return n;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

std::optional<double> as_number(std::string_view token) {
  if (token.empty()) return std::nullopt;
  double value = 0;
  const char* first = token.data();
  if (*first == '+') ++first;
  auto [end, ec] = std::from_chars(first, token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A float token is a number written with a decimal point or exponent ("0.5", "1e-3"), not an integer.
bool is_float_token(std::string_view token) {
  if (token.find_first_of(".eE") == std::string_view::npos) return false;
  return as_number(token).has_value();
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_yes_or_no(std::string_view token) {
  return equals_ignoring_case(token, "yes") || equals_ignoring_case(token, "no");
}

std::string shorten(std::string_view token) {
  constexpr std::size_t kMax = 40;
  if (token.size() <= kMax) return std::string(token);
  return std::string(token.substr(0, kMax)) + "...";
}

}  // namespace

bool has_float_token(std::string_view text) {
  Tokens scan(text);
  while (const auto token = scan.next())
    if (is_float_token(*token)) return true;
  return false;
}

CompareResult compare_output(std::string_view expected, std::string_view actual, const CompareOptions& options) {
  bool floats = options.float_tolerance || (options.detect_floats && options.problem_has_floats);
  if (!floats && options.detect_floats) floats = has_float_token(expected);
  Tokens want(expected), got(actual);
  std::size_t index = 0;
  for (;;) {
    const std::optional<std::string_view> w = want.next(), g = got.next();
    if (!w || !g) {
      if (!w && !g) return {true, ""};
      const std::size_t wanted = index + (w ? 1 + want.count_rest() : 0);
      const std::size_t given = index + (g ? 1 + got.count_rest() : 0);
      return {false, "expected " + std::to_string(wanted) + " tokens, got " + std::to_string(given)};
    }
    ++index;
    if (*w == *g) continue;
    if (options.yes_no_any_case && is_yes_or_no(*w) && equals_ignoring_case(*w, *g)) continue;
    // With floats detected (not forced), two integers still compare exactly: "1000000001" is not the
    // count "1000000000" printed beside a real value.
    if (floats && (options.float_tolerance || is_float_token(*w) || is_float_token(*g))) {
      auto a = as_number(*w);
      auto b = as_number(*g);
      if (a && b) {
        double error = std::fabs(*a - *b);
        if (error <= options.epsilon || error <= options.epsilon * std::fabs(*a)) continue;
      }
    }
    return {false, "token " + std::to_string(index) + ": expected '" + shorten(*w) + "', got '" + shorten(*g) + "'"};
  }
}

}  // namespace r1eval::graders::code
