// Glue between tasks and graders: which grader a task's samples go to, and which answers vote together.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graders/verdict.h"
#include "tasks/task.h"

namespace r1eval::graders::code {
class Judge;
}

namespace r1eval::harness {

// Grades one response with the math or choice grader. `gold` is what tasks::Prompt::gold holds.
// Throws std::invalid_argument for GraderKind::code (which needs the problem's tests: use TaskGrader).
graders::Verdict grade_response(tasks::GraderKind kind, std::string_view response, std::string_view gold);

// Grades the samples of one task; for code tasks it owns the sandboxed judge, set up once on first use.
// grade() is thread-safe.
class TaskGrader {
 public:
  explicit TaskGrader(tasks::GraderKind kind);
  ~TaskGrader();
  graders::Verdict grade(const tasks::Problem& problem, std::string_view response, std::string_view gold) const;

 private:
  tasks::GraderKind kind_;
  mutable std::once_flag judge_once_;
  mutable std::unique_ptr<graders::code::Judge> judge_;
};

// Problems that r1eval can grade: code problems that need an interactor, file input/output or a checker in a
// language the judge does not run are set aside, each with a one-line reason in `excluded` ("1971X: interactive").
std::vector<tasks::Problem> gradable_problems(std::vector<tasks::Problem> problems, std::vector<std::string>& excluded);

// The answer a sample votes for in cons@k, comparable across samples of one problem: for choice tasks the
// index of the chosen option in the unshuffled list (the letters differ between samples), for math the
// extracted answer. nullopt when the sample has no answer.
std::optional<std::string> vote_key(tasks::GraderKind kind, const std::optional<std::string>& extracted,
                                    const std::vector<int>& choice_order);

// Equality of two vote keys of the same task.
std::function<bool(const std::string&, const std::string&)> vote_equality(tasks::GraderKind kind);

}  // namespace r1eval::harness
