// Run-to-run comparison for checkpoint regression testing: per task and overall, the change in pass@1 with a
// paired bootstrap CI over the problems both runs graded, and a verdict.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "results/metrics.h"

namespace r1eval::results {

// Per-problem pass@1 of the two runs on the same problem.
struct PairedProblem {
  std::string problem_id;
  double old_pass1 = 0;
  double new_pass1 = 0;
};

struct PairedTask {
  std::string task;
  std::vector<PairedProblem> problems;  // only problems both runs graded
  int only_in_old = 0;                  // problems graded by one run only (left out of the comparison)
  int only_in_new = 0;
};

enum class Change { better, worse, no_significant_change };
const char* to_string(Change change);

struct TaskComparison {
  std::string task;  // "overall" for the mean over tasks
  int problems = 0;
  double old_pass1 = 0;
  double new_pass1 = 0;
  Estimate delta;    // new - old, with the paired bootstrap 95% CI
  Change change = Change::no_significant_change;  // better/worse when the CI excludes 0
  int only_in_old = 0;
  int only_in_new = 0;
};

// One comparison per task with paired problems, then "overall" (the mean over those tasks, bootstrap
// stratified by task). Throws std::invalid_argument when no task has a paired problem.
std::vector<TaskComparison> compare_runs(const std::vector<PairedTask>& tasks, const ScoreOptions& options = {});

// Markdown table of the comparisons (percent points).
std::string render_comparison_markdown(const std::vector<TaskComparison>& comparisons);

}  // namespace r1eval::results
