#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "results/metrics.h"

namespace r1eval::results {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// Linear interpolation between order statistics (the usual "type 7" quantile) of sorted values.
double quantile_sorted(const std::vector<double>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

Estimate estimate_mean(const std::vector<double>& per_problem, const ScoreOptions& options) {
  if (per_problem.empty()) throw std::invalid_argument("estimate_mean: no per-problem values");
  if (options.bootstrap_resamples < 1) {
    throw std::invalid_argument("estimate_mean: bootstrap_resamples must be >= 1, got " +
                                std::to_string(options.bootstrap_resamples));
  }
  const std::size_t p = per_problem.size();
  const double count = static_cast<double>(p);
  double sum = 0;
  for (double x : per_problem) sum += x;
  Estimate e;
  e.value = sum / count;
  if (p > 1) {
    double ss = 0;
    for (double x : per_problem) ss += (x - e.value) * (x - e.value);
    e.stderr_ = std::sqrt(ss / (count - 1) / count);
  }

  // Each resample has its own generator seeded from (seed, resample index), so the interval does
  // not depend on how the resamples are spread over threads.
  const int resamples = options.bootstrap_resamples;
  std::vector<double> means(static_cast<std::size_t>(resamples));
  tbb::parallel_for(tbb::blocked_range<int>(0, resamples, 64), [&](const tbb::blocked_range<int>& range) {
    for (int b = range.begin(); b != range.end(); ++b) {
      std::uint64_t state = options.bootstrap_seed ^ (0xd1b54a32d192ed03ull * static_cast<std::uint64_t>(b + 1));
      double s = 0;
      for (std::size_t i = 0; i < p; ++i) {
        // Top 53 bits as a uniform double in [0, 1), scaled: unbiased to within 2^-53 for any count.
        const double u = static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53;
        s += per_problem[std::min(static_cast<std::size_t>(u * count), p - 1)];
      }
      means[static_cast<std::size_t>(b)] = s / count;
    }
  });
  std::sort(means.begin(), means.end());
  e.ci_low = quantile_sorted(means, 0.025);
  e.ci_high = quantile_sorted(means, 0.975);
  return e;
}

}  // namespace r1eval::results
