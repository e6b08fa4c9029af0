// Run-to-run comparison for checkpoint regression testing: per task and overall, the change in pass@1 on the
// problems both runs graded, with a 95% interval for what the runs' sampling alone could produce, and a verdict.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "results/metrics.h"

namespace r1eval::results {

// One problem's graded samples in the two runs.
struct PairedProblem {
  std::string problem_id;
  int old_correct = 0;
  int old_samples = 0;
  int new_correct = 0;
  int new_samples = 0;
  double old_pass1() const { return static_cast<double>(old_correct) / old_samples; }
  double new_pass1() const { return static_cast<double>(new_correct) / new_samples; }
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
  Estimate delta;    // new - old: stderr_ and the 95% interval of the sampling noise (see compare_runs)
  Change change = Change::no_significant_change;  // better/worse when the interval excludes 0
  int only_in_old = 0;
  int only_in_new = 0;
};

// One comparison per task with paired problems, then "overall" (the mean over those tasks). Both runs
// answered the same problems, so the question is whether sampling explains the change: each problem's
// solve rate in each run is drawn from its Jeffreys posterior, Beta(c + 1/2, n - c + 1/2), and the
// interval is the 2.5-97.5% percentiles of the resulting change in the mean (options.bootstrap_resamples
// draws, seeded by options.bootstrap_seed: deterministic). One sample per problem, or a change of one sample
// in 64, is no evidence; a spread of per-problem changes does not narrow the interval to zero.
// Throws std::invalid_argument when no task has a paired problem or a problem has no samples.
std::vector<TaskComparison> compare_runs(const std::vector<PairedTask>& tasks, const ScoreOptions& options = {});

// Markdown table of the comparisons (percent points).
std::string render_comparison_markdown(const std::vector<TaskComparison>& comparisons);

}  // namespace r1eval::results
