#include "results/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "results/sampling.h"

namespace r1eval::results {
namespace {

Change change_of(const Estimate& delta) {
  if (delta.ci_low > 0) return Change::better;
  if (delta.ci_high < 0) return Change::worse;
  return Change::no_significant_change;
}

// A standard normal draw (Box-Muller).
double normal_draw(std::uint64_t& state) {
  const double u1 = uniform01(state), u2 = uniform01(state);
  return std::sqrt(-2 * std::log(u1 > 0 ? u1 : 0x1.0p-53)) * std::cos(6.283185307179586 * u2);
}

// A Gamma(shape, 1) draw (Marsaglia and Tsang; shape < 1 through Gamma(shape + 1) * U^(1/shape)).
double gamma_draw(double shape, std::uint64_t& state) {
  if (shape < 1) {
    const double u = uniform01(state);
    return gamma_draw(shape + 1, state) * std::pow(u > 0 ? u : 0x1.0p-53, 1 / shape);
  }
  const double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x = 0, v = 0;
    do {
      x = normal_draw(state);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const double u = uniform01(state);
    if (u < 1 - 0.0331 * x * x * x * x || std::log(u > 0 ? u : 0x1.0p-53) < 0.5 * x * x + d * (1 - v + std::log(v)))
      return d * v;
  }
}

// Correct samples out of `samples` at solve rate `rate`: a sum of Bernoulli draws, or for many samples its
// normal approximation (rounded, kept within 0..samples).
int binomial_draw(int samples, double rate, std::uint64_t& state) {
  if (samples <= 256) {
    int correct = 0;
    for (int s = 0; s < samples; ++s) correct += uniform01(state) < rate ? 1 : 0;
    return correct;
  }
  const double x = samples * rate + normal_draw(state) * std::sqrt(samples * rate * (1 - rate));
  return static_cast<int>(std::clamp(std::round(x), 0.0, static_cast<double>(samples)));
}

// The change in the mean over tasks of each task's mean per-problem pass@1 (`value`, observed), against what
// sampling alone produces when nothing changed: each draw takes, per problem, one solve rate for both runs
// from the Jeffreys posterior of their pooled samples, Beta(c + 1/2, n - c + 1/2), and draws each run's correct
// samples at that rate with that run's own number of samples. The interval is the observed change minus the
// 97.5% and 2.5% points of those draws (clamped to [-1, 1]): it excludes 0 exactly when the observed change lies
// outside what sampling produces 95% of the time. Runs of different k (a 64-sample run against a 4-sample one)
// compare without bias: both draw at one rate.
Estimate sampled_change(const std::vector<const std::vector<PairedProblem>*>& tasks, double value,
                        const ScoreOptions& options) {
  const int draws = std::max(1, options.bootstrap_resamples);
  std::vector<double> changes(static_cast<std::size_t>(draws));
  tbb::parallel_for(tbb::blocked_range<int>(0, draws, 32), [&](const tbb::blocked_range<int>& range) {
    for (int b = range.begin(); b != range.end(); ++b) {
      std::uint64_t state = stream_state(options.bootstrap_seed, static_cast<std::uint64_t>(b));
      double total = 0;
      for (const std::vector<PairedProblem>* problems : tasks) {
        double sum = 0;
        for (const PairedProblem& p : *problems) {
          const int correct = p.old_correct + p.new_correct, samples = p.old_samples + p.new_samples;
          const double a = gamma_draw(correct + 0.5, state), c = gamma_draw(samples - correct + 0.5, state);
          const double rate = a / (a + c);
          sum += static_cast<double>(binomial_draw(p.new_samples, rate, state)) / p.new_samples -
                 static_cast<double>(binomial_draw(p.old_samples, rate, state)) / p.old_samples;
        }
        total += sum / static_cast<double>(problems->size());
      }
      changes[static_cast<std::size_t>(b)] = total / static_cast<double>(tasks.size());
    }
  });
  double mean = 0;
  for (double x : changes) mean += x;
  mean /= draws;
  double ss = 0;
  for (double x : changes) ss += (x - mean) * (x - mean);
  std::sort(changes.begin(), changes.end());
  Estimate e;
  e.value = value;
  e.stderr_ = draws > 1 ? std::sqrt(ss / (draws - 1)) : 0;
  e.ci_low = std::max(-1.0, value - quantile_sorted(changes, 0.975));
  e.ci_high = std::min(1.0, value - quantile_sorted(changes, 0.025));
  return e;
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
  std::vector<const std::vector<PairedProblem>*> compared;
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
    for (const PairedProblem& p : task.problems) {
      if (p.old_samples <= 0 || p.new_samples <= 0 || p.old_correct < 0 || p.new_correct < 0 ||
          p.old_correct > p.old_samples || p.new_correct > p.new_samples)
        throw std::invalid_argument("compare_runs: problem '" + p.problem_id + "' of " + task.task +
                                    ": correct counts must lie between 0 and a positive number of samples");
      c.old_pass1 += p.old_pass1();
      c.new_pass1 += p.new_pass1();
    }
    c.old_pass1 /= c.problems;
    c.new_pass1 /= c.problems;
    c.delta = sampled_change({&task.problems}, c.new_pass1 - c.old_pass1, options);
    c.change = change_of(c.delta);
    overall.problems += c.problems;
    overall.old_pass1 += c.old_pass1;
    overall.new_pass1 += c.new_pass1;
    compared.push_back(&task.problems);
    out.push_back(std::move(c));
  }
  if (out.empty()) throw std::invalid_argument("compare_runs: the runs have no graded problem in common");
  overall.old_pass1 /= static_cast<double>(out.size());
  overall.new_pass1 /= static_cast<double>(out.size());
  overall.delta = sampled_change(compared, overall.new_pass1 - overall.old_pass1, options);
  overall.change = change_of(overall.delta);
  out.push_back(std::move(overall));
  return out;
}

std::string render_comparison_markdown(const std::vector<TaskComparison>& comparisons) {
  std::ostringstream out;
  out << "| task | problems | old pass@1 | new pass@1 | delta [95% sampling interval] | verdict | unpaired (old/new) |\n"
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
