// The random numbers and percentiles of the scoring math's intervals: splitmix64 steps from a fixed seed,
// so an interval is the same on every machine and however its draws are spread over threads.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace r1eval::results {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A uniform double in [0, 1) from the top 53 bits of the next step.
inline double uniform01(std::uint64_t& state) { return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53; }

// The generator state of draw `index` of a computation seeded with `seed`.
inline std::uint64_t stream_state(std::uint64_t seed, std::uint64_t index) {
  return seed ^ (0xd1b54a32d192ed03ull * (index + 1));
}

// Linear interpolation between order statistics (the usual "type 7" quantile) of sorted values.
inline double quantile_sorted(const std::vector<double>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace r1eval::results
