#include "results/sample_curves.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <utility>

#include "results/metrics.h"

namespace r1eval::results {
namespace {

// Smallest 1, 2 or 5 times a power of ten that is >= x (x > 0), so bin edges read as round numbers.
double round_width_at_least(double x) {
  const double power = std::pow(10.0, std::floor(std::log10(x)));
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= x * (1 - 1e-12)) return m * power;
  }
  return 10 * power;
}

}  // namespace

std::vector<double> pass_at_k_curve(const std::vector<SampleRecord>& samples, const std::string& task) {
  std::map<std::string, std::pair<int, int>> tallies;  // problem -> (samples, correct)
  for (const SampleRecord& s : samples) {
    if (s.task != task) continue;
    auto& [n, c] = tallies[s.problem_id];
    ++n;
    c += s.correct ? 1 : 0;
  }
  if (tallies.empty()) return {};
  int fewest = tallies.begin()->second.first;
  for (const auto& [key, t] : tallies) fewest = std::min(fewest, t.first);
  std::vector<double> curve(static_cast<std::size_t>(fewest));
  for (int k = 1; k <= fewest; ++k) {
    double sum = 0;
    for (const auto& [key, t] : tallies) sum += pass_at_k(t.first, t.second, k);
    curve[static_cast<std::size_t>(k - 1)] = sum / static_cast<double>(tallies.size());
  }
  return curve;
}

double sample_length(const SampleRecord& sample, bool in_tokens) {
  return in_tokens ? static_cast<double>(sample.completion_tokens) : static_cast<double>(sample.response.size());
}

LengthProfile length_profile(const std::vector<SampleRecord>& samples, const std::string& task, int max_bins) {
  if (max_bins < 1) throw std::invalid_argument("length_profile: max_bins must be >= 1, got " + std::to_string(max_bins));
  LengthProfile profile;
  std::vector<const SampleRecord*> mine;
  bool in_tokens = true;
  for (const SampleRecord& s : samples) {
    if (s.task != task) continue;
    mine.push_back(&s);
    in_tokens = in_tokens && s.completion_tokens >= 0;
  }
  if (mine.empty()) return profile;
  profile.unit = in_tokens ? "tokens" : "characters";

  double longest = 0;
  for (const SampleRecord* s : mine) longest = std::max(longest, sample_length(*s, in_tokens));
  // Lengths are whole counts, so a bin narrower than 1 would only add empty bins.
  profile.bin_width = round_width_at_least(std::max(1.0, longest / max_bins));
  const int count = std::max(1, static_cast<int>(std::ceil(longest / profile.bin_width - 1e-9)));
  for (int i = 0; i < count; ++i) {
    profile.bins.push_back({i * profile.bin_width, (i + 1) * profile.bin_width, 0, 0, 0});
  }
  for (const SampleRecord* sample : mine) {
    const SampleRecord& s = *sample;
    const double length = sample_length(s, in_tokens);
    const int index = std::min(count - 1, static_cast<int>(std::floor(length / profile.bin_width)));
    LengthBin& bin = profile.bins[static_cast<std::size_t>(index)];
    const bool truncated = s.finish_reason == "length";
    ++bin.samples;
    bin.correct += s.correct ? 1 : 0;
    bin.truncated += truncated ? 1 : 0;
    ++profile.samples;
    profile.truncated += truncated ? 1 : 0;
  }
  return profile;
}

}  // namespace r1eval::results
