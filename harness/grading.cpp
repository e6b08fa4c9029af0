#include "harness/grading.h"

#include <stdexcept>

#include "graders/choice_grader.h"
#include "graders/math_grader.h"

namespace r1eval::harness {

graders::Verdict grade_response(tasks::GraderKind kind, std::string_view response, std::string_view gold) {
  switch (kind) {
    case tasks::GraderKind::math:
      return graders::grade_math(response, gold);
    case tasks::GraderKind::choice:
      return graders::grade_choice(response, gold);
    case tasks::GraderKind::code:
      break;
  }
  throw std::invalid_argument("grader '" + std::string(tasks::to_string(kind)) + "' is not available yet");
}

std::optional<std::string> vote_key(tasks::GraderKind kind, const std::optional<std::string>& extracted,
                                    const std::vector<int>& choice_order) {
  if (!extracted) return std::nullopt;
  if (kind == tasks::GraderKind::choice && extracted->size() == 1 && !choice_order.empty()) {
    const int letter = (*extracted)[0] - 'A';
    if (letter >= 0 && letter < static_cast<int>(choice_order.size()))
      return "option " + std::to_string(choice_order[letter]);
  }
  return extracted;
}

std::function<bool(const std::string&, const std::string&)> vote_equality(tasks::GraderKind kind) {
  if (kind == tasks::GraderKind::math)
    return [](const std::string& a, const std::string& b) { return graders::math_answers_equal(a, b); };
  return [](const std::string& a, const std::string& b) { return a == b; };
}

}  // namespace r1eval::harness
