#include "graders/math_grader.h"

#include "graders/extract.h"
#include "graders/normalize.h"
#include "graders/simple_number.h"

namespace r1eval::graders {
namespace {

// The reason two answers are equal, or nullopt when they differ.
std::optional<std::string> equality_reason(std::string_view a, std::string_view b) {
  const std::string na = normalize_answer(a);
  const std::string nb = normalize_answer(b);
  if (na.empty() || nb.empty()) return std::nullopt;
  if (na == nb) return "same normalised text";
  const auto qa = parse_simple_rational(na);
  const auto qb = parse_simple_rational(nb);
  if (qa && qb) {
    if (*qa == *qb) return "numeric equal";
    return std::nullopt;
  }
  if (ascii_lower(na) == ascii_lower(nb)) return "same text ignoring case";
  return std::nullopt;
}

}  // namespace

bool math_answers_equal(std::string_view a, std::string_view b) { return equality_reason(a, b).has_value(); }

Verdict grade_math(std::string_view response, std::string_view gold) {
  Verdict v;
  ExtractedAnswer found = extract_final_answer(response);
  if (!found.answer) {
    v.reason = "no boxed answer";
    return v;
  }
  v.extracted = found.answer;
  if (auto why = equality_reason(*found.answer, gold)) {
    v.correct = true;
    v.reason = *why;
  } else {
    v.reason = "answers differ";
  }
  return v;
}

}  // namespace r1eval::graders
