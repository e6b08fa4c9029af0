// Task names from the command line.
#pragma once
#include <ostream>
#include <string_view>
#include <vector>

#include "tasks/task.h"

namespace r1eval::harness {

// Throws std::invalid_argument naming the task and listing the known ones.
const tasks::Task& require_task(std::string_view name);
// "aime24,math500" -> tasks, in the given order; duplicates rejected.
std::vector<const tasks::Task*> require_tasks(std::string_view comma_separated);

// The task's problems from `locator`, saying on `log` when the data holds another number of problems than
// the benchmark's release (a partial or edited file: its scores are not comparable with published ones).
std::vector<tasks::Problem> load_problems(const tasks::Task& task, const tasks::DataLocator& locator, std::ostream& log);

}  // namespace r1eval::harness
