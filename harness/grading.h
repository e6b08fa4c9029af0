// Glue between tasks and graders: which grader a task's samples go to, and which answers vote together.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graders/verdict.h"
#include "tasks/task.h"

namespace r1eval::harness {

// Grades one response with the grader the task names. `gold` is what tasks::Prompt::gold holds.
graders::Verdict grade_response(tasks::GraderKind kind, std::string_view response, std::string_view gold);

// The answer a sample votes for in cons@k, comparable across samples of one problem: for choice tasks the
// index of the chosen option in the unshuffled list (the letters differ between samples), for math the
// extracted answer. nullopt when the sample has no answer.
std::optional<std::string> vote_key(tasks::GraderKind kind, const std::optional<std::string>& extracted,
                                    const std::vector<int>& choice_order);

// Equality of two vote keys of the same task.
std::function<bool(const std::string&, const std::string&)> vote_equality(tasks::GraderKind kind);

}  // namespace r1eval::harness
