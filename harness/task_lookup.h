// Task names from the command line.
#pragma once
#include <string_view>
#include <vector>

#include "tasks/task.h"

namespace r1eval::harness {

// Throws std::invalid_argument naming the task and listing the known ones.
const tasks::Task& require_task(std::string_view name);
// "aime24,math500" -> tasks, in the given order; duplicates rejected.
std::vector<const tasks::Task*> require_tasks(std::string_view comma_separated);

}  // namespace r1eval::harness
