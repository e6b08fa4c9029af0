#include "results/compare.h"

#include <cstdio>
#include <sstream>
#include <stdexcept>

namespace r1eval::results {
namespace {

Change change_of(const Estimate& delta) {
  if (delta.ci_low > 0) return Change::better;
  if (delta.ci_high < 0) return Change::worse;
  return Change::no_significant_change;
}

std::string points(double fraction, bool sign) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, sign ? "%+.1f" : "%.1f", 100 * fraction);
  return buffer;
}

}  // namespace

const char* to_string(Change change) {
  switch (change) {
    case Change::better: return "better";
    case Change::worse: return "worse";
    case Change::no_significant_change: break;
  }
  return "no significant change";
}

std::vector<TaskComparison> compare_runs(const std::vector<PairedTask>& tasks, const ScoreOptions& options) {
  std::vector<TaskComparison> out;
  std::vector<std::vector<double>> deltas_by_task;
  TaskComparison overall;
  overall.task = "overall";
  for (const PairedTask& task : tasks) {
    overall.only_in_old += task.only_in_old;
    overall.only_in_new += task.only_in_new;
    if (task.problems.empty()) continue;
    TaskComparison c;
    c.task = task.task;
    c.problems = static_cast<int>(task.problems.size());
    c.only_in_old = task.only_in_old;
    c.only_in_new = task.only_in_new;
    std::vector<double> deltas;
    for (const PairedProblem& p : task.problems) {
      c.old_pass1 += p.old_pass1;
      c.new_pass1 += p.new_pass1;
      deltas.push_back(p.new_pass1 - p.old_pass1);
    }
    c.old_pass1 /= c.problems;
    c.new_pass1 /= c.problems;
    c.delta = estimate_mean(deltas, options);
    c.change = change_of(c.delta);
    overall.problems += c.problems;
    overall.old_pass1 += c.old_pass1;
    overall.new_pass1 += c.new_pass1;
    deltas_by_task.push_back(std::move(deltas));
    out.push_back(std::move(c));
  }
  if (out.empty()) throw std::invalid_argument("compare_runs: the runs have no graded problem in common");
  overall.old_pass1 /= static_cast<double>(out.size());
  overall.new_pass1 /= static_cast<double>(out.size());
  overall.delta = estimate_stratified_mean(deltas_by_task, options);
  overall.change = change_of(overall.delta);
  out.push_back(std::move(overall));
  return out;
}

std::string render_comparison_markdown(const std::vector<TaskComparison>& comparisons) {
  std::ostringstream out;
  out << "| task | problems | old pass@1 | new pass@1 | delta [paired 95% CI] | verdict | unpaired (old/new) |\n"
      << "|---|---:|---:|---:|---|---|---:|\n";
  for (const TaskComparison& c : comparisons) {
    out << "| " << c.task << " | " << c.problems << " | " << points(c.old_pass1, false) << " | "
        << points(c.new_pass1, false) << " | " << points(c.delta.value, true) << " [" << points(c.delta.ci_low, true)
        << ", " << points(c.delta.ci_high, true) << "] | " << to_string(c.change) << " | " << c.only_in_old << "/"
        << c.only_in_new << " |\n";
  }
  return out.str();
}

}  // namespace r1eval::results
