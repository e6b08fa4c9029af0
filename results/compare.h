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
  Estimate delta;    // new - old; stderr_: of the change sampling alone produces; the 95% interval (compare_runs)
  Change change = Change::no_significant_change;  // better/worse when the interval excludes 0
  int only_in_old = 0;
  int only_in_new = 0;
};

// One comparison per task with paired problems, then "overall" (the mean over those tasks). Both runs
// answered the same problems, so the question is whether sampling explains the change: under no change each
// problem has one solve rate (drawn from the Jeffreys posterior of both runs' samples pooled) and each run's
// correct samples are drawn at it with that run's number of samples; the interval is the observed change
// minus the 97.5% and 2.5% points of those draws (options.bootstrap_resamples draws seeded by
// options.bootstrap_seed: deterministic), and a verdict is given when it excludes 0. One sample per problem,
// or one sample in 64 on each problem, is no evidence; runs of different k compare without bias.
// Throws std::invalid_argument when no task has a paired problem or a problem has no samples.
std::vector<TaskComparison> compare_runs(const std::vector<PairedTask>& tasks, const ScoreOptions& options = {});

// Markdown table of the comparisons (percent points).
std::string render_comparison_markdown(const std::vector<TaskComparison>& comparisons);

}  // namespace r1eval::results
