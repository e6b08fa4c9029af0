// Comparing a program's output with the expected answer the way Codeforces' standard checkers do.
#pragma once
#include <string>
#include <string_view>

namespace r1eval::graders::code {

struct CompareOptions {
  bool float_tolerance = false;  // compare every numeric token with tolerance, whatever the answer looks like
  // Also use tolerance when the expected output contains a float token: then on every pair of tokens of
  // which one is a float ("2" against "2.0000001"); two integers still compare exactly.
  bool detect_floats = true;
  // Another test of the same problem expects a float: this answer is a real too, even where the jury's
  // program printed it as "2" (so "2.000000000" passes), with the same rule as a float detected here.
  bool problem_has_floats = false;
  double epsilon = 1e-6;         // absolute or relative error allowed on floats
  bool yes_no_any_case = true;   // "yes"/"No"/"YES" all equal when both tokens are yes or no
};

struct CompareResult {
  bool accepted = false;
  std::string detail;  // the first difference, e.g. "token 3: expected '5', got '6'"; empty when accepted
};

// Token-wise comparison: whitespace (spaces, tabs, newlines, trailing blanks) never matters, tokens must
// match one for one. Floats pass when |got - expected| <= eps or <= eps * |expected|.
CompareResult compare_output(std::string_view expected, std::string_view actual,
                             const CompareOptions& options = {});

// True when the text holds a float token (a number with a decimal point or an exponent: "0.5", "1e-3").
bool has_float_token(std::string_view text);

}  // namespace r1eval::graders::code
