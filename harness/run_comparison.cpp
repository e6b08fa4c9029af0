#include "harness/run_comparison.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "tasks/task.h"

namespace r1eval::harness {
namespace {

// task -> problem id -> (correct samples, samples)
using Tally = std::map<std::string, std::map<std::string, std::pair<int, int>>>;

Tally tally(const std::vector<results::SampleRecord>& records) {
  Tally t;
  for (const results::SampleRecord& r : records) {
    auto& [correct, total] = t[r.task][r.problem_id];
    correct += r.correct ? 1 : 0;
    ++total;
  }
  return t;
}

}  // namespace

std::vector<results::PairedTask> pair_runs(const std::vector<results::SampleRecord>& old_run,
                                           const std::vector<results::SampleRecord>& new_run) {
  const Tally old_tally = tally(old_run), new_tally = tally(new_run);
  std::vector<std::string> names;
  for (const auto& task : tasks::all_tasks()) names.push_back(task->info().name);
  // Tasks a registry no longer knows still compare, after the known ones.
  for (const Tally* t : {&old_tally, &new_tally})
    for (const auto& [name, problems] : *t)
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);

  std::vector<results::PairedTask> paired;
  static const std::map<std::string, std::pair<int, int>> none;
  for (const std::string& name : names) {
    const auto o = old_tally.find(name), n = new_tally.find(name);
    if (o == old_tally.end() && n == new_tally.end()) continue;
    const auto& old_problems = o == old_tally.end() ? none : o->second;
    const auto& new_problems = n == new_tally.end() ? none : n->second;
    results::PairedTask task{name, {}, 0, 0};
    for (const auto& [id, counts] : old_problems) {
      const auto match = new_problems.find(id);
      if (match == new_problems.end())
        ++task.only_in_old;
      else
        task.problems.push_back({id, counts.first, counts.second, match->second.first, match->second.second});
    }
    for (const auto& [id, counts] : new_problems)
      if (!old_problems.count(id)) ++task.only_in_new;
    paired.push_back(std::move(task));
  }
  return paired;
}

}  // namespace r1eval::harness
