#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "results/metrics.h"
#include "results/sampling.h"

namespace r1eval::results {
namespace {

// Percentile bootstrap of the mean over strata of each stratum's mean: every resample draws, within each
// stratum, as many values as it has, with replacement. Each resample has its own generator seeded from
// (seed, resample index), so the interval does not depend on how resamples are spread over threads.
std::pair<double, double> bootstrap_interval(const std::vector<std::vector<double>>& strata, const ScoreOptions& options) {
  const int resamples = options.bootstrap_resamples;
  std::vector<double> means(static_cast<std::size_t>(resamples));
  tbb::parallel_for(tbb::blocked_range<int>(0, resamples, 64), [&](const tbb::blocked_range<int>& range) {
    for (int b = range.begin(); b != range.end(); ++b) {
      std::uint64_t state = stream_state(options.bootstrap_seed, static_cast<std::uint64_t>(b));
      double total = 0;
      for (const std::vector<double>& values : strata) {
        const std::size_t p = values.size();
        const double count = static_cast<double>(p);
        double s = 0;
        for (std::size_t i = 0; i < p; ++i) {
          // Top 53 bits as a uniform double in [0, 1), scaled: unbiased to within 2^-53 for any count.
          const double u = uniform01(state);
          s += values[std::min(static_cast<std::size_t>(u * count), p - 1)];
        }
        total += s / count;
      }
      means[static_cast<std::size_t>(b)] = total / static_cast<double>(strata.size());
    }
  });
  std::sort(means.begin(), means.end());
  return {quantile_sorted(means, 0.025), quantile_sorted(means, 0.975)};
}

void check_resamples(const ScoreOptions& options, const char* who) {
  if (options.bootstrap_resamples < 1) {
    throw std::invalid_argument(std::string(who) + ": bootstrap_resamples must be >= 1, got " +
                                std::to_string(options.bootstrap_resamples));
  }
}

}  // namespace

Estimate estimate_mean(const std::vector<double>& per_problem, const ScoreOptions& options) {
  if (per_problem.empty()) throw std::invalid_argument("estimate_mean: no per-problem values");
  check_resamples(options, "estimate_mean");
  const double count = static_cast<double>(per_problem.size());
  double sum = 0;
  for (double x : per_problem) sum += x;
  Estimate e;
  e.value = sum / count;
  if (per_problem.size() > 1) {
    double ss = 0;
    for (double x : per_problem) ss += (x - e.value) * (x - e.value);
    e.stderr_ = std::sqrt(ss / (count - 1) / count);
  }
  std::tie(e.ci_low, e.ci_high) = bootstrap_interval({per_problem}, options);
  return e;
}

Estimate estimate_stratified_mean(const std::vector<std::vector<double>>& strata, const ScoreOptions& options) {
  if (strata.empty()) throw std::invalid_argument("estimate_stratified_mean: no strata");
  check_resamples(options, "estimate_stratified_mean");
  Estimate e;
  double variance = 0;
  for (std::size_t i = 0; i < strata.size(); ++i) {
    if (strata[i].empty()) throw std::invalid_argument("estimate_stratified_mean: stratum " + std::to_string(i) + " is empty");
    const Estimate part = estimate_mean(strata[i], {1, options.bootstrap_seed});
    e.value += part.value;
    variance += part.stderr_ * part.stderr_;
  }
  const double n = static_cast<double>(strata.size());
  e.value /= n;
  e.stderr_ = std::sqrt(variance) / n;
  std::tie(e.ci_low, e.ci_high) = bootstrap_interval(strata, options);
  return e;
}

}  // namespace r1eval::results
