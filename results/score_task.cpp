#include <algorithm>
#include <stdexcept>

#include "results/metrics.h"

namespace r1eval::results {
namespace {

double median_of(std::vector<double> values) {
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

struct Tally {
  const ProblemOutcomes* problem;
  int samples;
  int correct;
};

}  // namespace

std::vector<int> reported_ks(int min_samples) {
  std::vector<int> ks;
  for (int k = 1; k <= min_samples; k *= 2) {
    ks.push_back(k);
    if (k > min_samples / 2) break;  // the next doubling would pass min_samples (and must not overflow)
  }
  if (min_samples >= 1 && ks.back() != min_samples) ks.push_back(min_samples);
  return ks;
}

TaskScores score_task(const std::string& task, const std::vector<ProblemOutcomes>& problems,
                      const ScoreOptions& options) {
  std::vector<Tally> tallies;
  for (const ProblemOutcomes& p : problems) {
    if (p.samples.empty()) continue;
    int correct = 0;
    for (const SampleOutcome& s : p.samples) correct += s.correct ? 1 : 0;
    tallies.push_back({&p, static_cast<int>(p.samples.size()), correct});
  }
  if (tallies.empty()) throw std::invalid_argument("score_task: task '" + task + "' has no graded samples");

  TaskScores scores;
  scores.task = task;
  scores.problems = static_cast<int>(tallies.size());
  scores.min_samples = tallies.front().samples;
  scores.max_samples = tallies.front().samples;
  for (const Tally& t : tallies) {
    scores.min_samples = std::min(scores.min_samples, t.samples);
    scores.max_samples = std::max(scores.max_samples, t.samples);
  }

  std::vector<double> per_problem(tallies.size());
  for (int k : reported_ks(scores.min_samples)) {
    for (std::size_t i = 0; i < tallies.size(); ++i) {
      per_problem[i] = pass_at_k(tallies[i].samples, tallies[i].correct, k);
    }
    scores.pass_at[k] = estimate_mean(per_problem, options);
    if (k >= 2) {
      for (std::size_t i = 0; i < tallies.size(); ++i) per_problem[i] = cons_at_k(*tallies[i].problem, k);
      scores.cons_at[k] = estimate_mean(per_problem, options);
    }
  }
  scores.pass1 = scores.pass_at.at(1);

  std::vector<double> lengths;
  double length_sum = 0;
  for (const Tally& t : tallies) {
    for (const SampleOutcome& s : t.problem->samples) {
      lengths.push_back(s.length);
      length_sum += s.length;
    }
  }
  scores.length.mean = length_sum / static_cast<double>(lengths.size());
  scores.length.median = median_of(std::move(lengths));

  // attribute name -> value -> pass@1 of each problem carrying it
  std::map<std::string, std::map<std::string, std::vector<double>>> groups;
  for (const Tally& t : tallies) {
    const double pass1 = static_cast<double>(t.correct) / t.samples;
    for (const auto& [name, value] : t.problem->attributes) groups[name][value].push_back(pass1);
  }
  for (const auto& [name, by_value] : groups) {
    for (const auto& [value, values] : by_value) {
      GroupScores& g = scores.breakdowns[name][value];
      g.problems = static_cast<int>(values.size());
      g.pass1 = estimate_mean(values, options);
    }
  }
  return scores;
}

bool covers_part_of_task(const TaskScores& s) { return s.task_problems > 0 && s.problems < s.task_problems; }

std::string problems_label(const TaskScores& s) {
  return covers_part_of_task(s) ? std::to_string(s.problems) + " of " + std::to_string(s.task_problems)
                                : std::to_string(s.problems);
}

}  // namespace r1eval::results
