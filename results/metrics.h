// Scoring math over graded samples: pass@1, unbiased pass@k, cons@k, standard errors, bootstrap CIs,
// length statistics and breakdowns. Pure functions; no I/O.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "results/contest_score.h"

namespace r1eval::results {

struct SampleOutcome {
  int sample_index = 0;
  bool correct = false;
  int answer_class = -1;        // samples with equal answers share a class; -1 = no answer extracted
  double length = 0;            // response length (tokens when known, else characters)
};

struct ProblemOutcomes {
  std::string problem_id;
  std::vector<SampleOutcome> samples;  // any order; metrics sort by sample_index
  std::vector<std::pair<std::string, std::string>> attributes;
};

// Unbiased estimator of Chen et al. (2021): 1 - C(n-c, k) / C(n, k), accurate to ~1e-13 relative for n
// in the thousands (no binomial is formed). Throws std::invalid_argument unless 0 <= c <= n, 1 <= k <= n.
double pass_at_k(int n, int c, int k);

// Groups answers into classes: answers[i] and answers[j] get the same class when `equal` says so
// (compared with the first member of each class, in order). nullopt answers get class -1.
// Classes are numbered by first appearance.
std::vector<int> assign_answer_classes(const std::vector<std::optional<std::string>>& answers,
                                       const std::function<bool(const std::string&, const std::string&)>& equal);

// cons@k of one problem: majority vote over the answer classes of the first k samples (by sample_index).
// Correct samples vote together (each equals the gold); wrong ones vote by answer class. Ties go to the
// vote whose first sample comes earliest. Samples without an answer do not vote.
// 1 when the correct answer wins, 0 otherwise (also when nobody answered).
// Throws std::invalid_argument unless 1 <= k <= number of samples.
double cons_at_k(const ProblemOutcomes& problem, int k);

struct Estimate {
  double value = 0;     // mean over problems
  double stderr_ = 0;   // standard error over problems
  double ci_low = 0;    // bootstrap 95% percentile interval over problems
  double ci_high = 0;
};

struct LengthStats {
  double mean = 0;
  double median = 0;
  std::string unit = "characters";  // "tokens" when every sample carries its token count
};

struct GroupScores {
  int problems = 0;
  Estimate pass1;
};

// A Codeforces-style rating estimated from per-problem solve rates (results/rating.h).
struct RatingSummary {
  double rating = 0;
  double standard_error = 0;
  bool prior_used = false;
  int rated_problems = 0;
  int problems = 0;  // problems of the task; those without a rating are left out of the estimate (0 = unknown)
  std::optional<double> percentile;  // among human participants, when a rating histogram was given
};

// The CodeElo contest method over the contests whose standings were supplied (results/contest_score.h).
struct ContestRatingSummary {
  double rating = 0;                        // mean of the per-contest ratings
  std::vector<ModelContestResult> contests;  // in the order of the standings file
  std::optional<double> percentile;
};

struct TaskScores {
  std::string task;
  int problems = 0;
  int task_problems = 0;  // problems in the task's canonical release, when known (0 = unknown)
  int min_samples = 0;  // fewest samples any problem has; pass@k / cons@k are reported for k <= this
  int max_samples = 0;
  Estimate pass1;
  std::map<int, Estimate> pass_at;  // k -> unbiased pass@k (k = 1, 2, 4, ... and min_samples)
  std::map<int, Estimate> cons_at;  // k -> cons@k (same ks, k >= 2)
  LengthStats length;
  // attribute name -> value -> pass@1 over the problems with that value (e.g. "level" -> "5").
  std::map<std::string, std::map<std::string, GroupScores>> breakdowns;
  std::optional<RatingSummary> rating;  // code tasks whose problems carry a "rating" attribute
  std::optional<ContestRatingSummary> contest_rating;  // code tasks, when contest standings were supplied
  // Problems of the task left ungraded, "id: reason" (e.g. interactive problems without an interactor).
  std::vector<std::string> excluded;
};

// True when fewer problems have samples than the task has (a --limit, a shard, an unfinished run): the
// scores are then not comparable with numbers published over the whole benchmark.
bool covers_part_of_task(const TaskScores& s);
// "30", or "3 of 30" when covers_part_of_task.
std::string problems_label(const TaskScores& s);

struct ScoreOptions {
  int bootstrap_resamples = 2000;
  std::uint64_t bootstrap_seed = 20250122;  // fixed: the same samples always give the same interval
};

// The k reported for a task whose problems have at least `min_samples` samples each: 1, 2, 4, 8, ...
// up to min_samples, plus min_samples itself; ascending. Empty when min_samples < 1.
std::vector<int> reported_ks(int min_samples);

// Scores one task. Problems with no samples are ignored. Throws std::invalid_argument when none is left.
// Accuracies are fractions in [0, 1]; every Estimate is over problems (each problem weighs the same).
// Lengths are pooled over all samples.
TaskScores score_task(const std::string& task, const std::vector<ProblemOutcomes>& problems,
                      const ScoreOptions& options = {});

// Mean, standard error (sample standard deviation / sqrt(P); 0 for one value) and percentile
// bootstrap 95% CI of per-problem values. Deterministic: the same values and options give the same
// interval on any number of threads. Throws std::invalid_argument when `per_problem` is empty.
Estimate estimate_mean(const std::vector<double>& per_problem, const ScoreOptions& options = {});

// Mean over strata (e.g. tasks) of each stratum's mean; standard error from the strata's standard errors; a
// stratified percentile bootstrap 95% CI (problems resampled within their stratum). With one stratum this is
// estimate_mean. Throws std::invalid_argument on no strata or an empty one.
Estimate estimate_stratified_mean(const std::vector<std::vector<double>>& strata, const ScoreOptions& options = {});

}  // namespace r1eval::results
