#include "graders/code/output_compare.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

namespace r1eval::graders::code {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; }

std::vector<std::string_view> tokens(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

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

CompareResult compare_output(std::string_view expected, std::string_view actual, const CompareOptions& options) {
  std::vector<std::string_view> want = tokens(expected);
  std::vector<std::string_view> got = tokens(actual);
  bool floats = options.float_tolerance ||
                (options.detect_floats && std::any_of(want.begin(), want.end(), is_float_token));
  std::size_t common = std::min(want.size(), got.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (want[i] == got[i]) continue;
    if (options.yes_no_any_case && is_yes_or_no(want[i]) && equals_ignoring_case(want[i], got[i])) continue;
    // With floats detected (not forced), two integers still compare exactly: "1000000001" is not the
    // count "1000000000" printed beside a real value.
    if (floats && (options.float_tolerance || is_float_token(want[i]) || is_float_token(got[i]))) {
      auto a = as_number(want[i]);
      auto b = as_number(got[i]);
      if (a && b) {
        double error = std::fabs(*a - *b);
        if (error <= options.epsilon || error <= options.epsilon * std::fabs(*a)) continue;
      }
    }
    return {false, "token " + std::to_string(i + 1) + ": expected '" + shorten(want[i]) + "', got '" +
                       shorten(got[i]) + "'"};
  }
  if (want.size() != got.size()) {
    return {false, "expected " + std::to_string(want.size()) + " tokens, got " + std::to_string(got.size())};
  }
  return {true, ""};
}

}  // namespace r1eval::graders::code
