#include "harness/grading.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "graders/choice_grader.h"
#include "graders/code/judge.h"
#include "graders/math_grader.h"
#include "graders/normalize.h"

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

TaskGrader::TaskGrader(tasks::GraderKind kind) : kind_(kind) {}
TaskGrader::~TaskGrader() = default;

graders::Verdict TaskGrader::grade(const tasks::Problem& problem, std::string_view response,
                                   std::string_view gold) const {
  if (kind_ != tasks::GraderKind::code) return grade_response(kind_, response, gold);
  if (!problem.code) throw std::invalid_argument("problem '" + problem.id + "' of a code task has no tests");
  std::call_once(judge_once_, [this] { judge_ = std::make_unique<graders::code::Judge>(); });
  const tasks::CodeSpec& code = *problem.code;
  graders::code::ProblemSpec spec;
  for (const tasks::CodeTest& test : code.tests) spec.tests.push_back({test.input, test.output});
  spec.time_limit_ms = code.time_limit_ms;
  spec.memory_limit_mb = code.memory_limit_mb;
  if (!code.checker.empty()) {
    spec.checker = code.checker;
    spec.checker_convention = code.checker_language == "python" ? graders::code::CheckerConvention::OpenR1
                                                                : graders::code::CheckerConvention::Testlib;
  }
  return graders::code::to_verdict(judge_->judge_response(response, spec));
}

std::vector<tasks::Problem> gradable_problems(std::vector<tasks::Problem> problems, std::vector<std::string>& excluded) {
  std::vector<tasks::Problem> kept;
  for (tasks::Problem& p : problems) {
    std::string reason;
    if (p.code && p.code->interactive) reason = "interactive (no interactor)";
    else if (p.code && !p.code->stdio) reason = "file input/output";
    else if (p.code && !p.code->checker.empty() && p.code->checker_language != "cpp" &&
             p.code->checker_language != "python")
      reason = "checker in " + p.code->checker_language + " (the judge runs C++ testlib and open-r1 Python checkers)";
    if (reason.empty())
      kept.push_back(std::move(p));
    else
      excluded.push_back(p.id + ": " + reason);
  }
  return kept;
}

std::optional<std::string> vote_key(tasks::GraderKind kind, const std::optional<std::string>& extracted,
                                    const std::vector<int>& choice_order) {
  // Programs have no answer to vote on (extracted holds their language).
  if (!extracted || kind == tasks::GraderKind::code) return std::nullopt;
  // A box with nothing in it but markup or punctuation ("\boxed{\text{}}", "\boxed{\quad}", "\boxed{?}")
  // states no answer, so it does not vote (identical empty boxes would otherwise outvote the answer).
  if (kind == tasks::GraderKind::math) {
    const std::string normalized = graders::normalize_answer(*extracted);
    const bool empty_set = normalized == "\\{\\}" || normalized == "{}" || normalized == "\\{ \\}";
    if (!empty_set && std::none_of(normalized.begin(), normalized.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || static_cast<unsigned char>(c) >= 0x80;
        }))
      return std::nullopt;
  }
  if (kind == tasks::GraderKind::choice && extracted->size() == 1 && !choice_order.empty()) {
    const int letter = (*extracted)[0] - 'A';
    if (letter >= 0 && letter < static_cast<int>(choice_order.size()))
      return "option " + std::to_string(choice_order[letter]);
  }
  return extracted;
}

std::function<bool(const std::string&, const std::string&)> vote_equality(tasks::GraderKind kind) {
  if (kind == tasks::GraderKind::math)
    // Either way round: "m + n = 205" and "205" are one vote whichever sample came first.
    return [](const std::string& a, const std::string& b) {
      return graders::math_answers_equal(a, b) || graders::math_answers_equal(b, a);
    };
  return [](const std::string& a, const std::string& b) { return a == b; };
}

}  // namespace r1eval::harness
