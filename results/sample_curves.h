// Curves over graded samples for the report's charts: pass@k for every k, and accuracy and truncation by
// response length. Pure functions; no I/O.
#pragma once
#include <string>
#include <vector>

#include "results/sample_record.h"

namespace r1eval::results {

// Both functions look only at the samples whose task is `task` (a run's samples hold every task).

// pass@k for k = 1..n, n being the fewest samples any problem of the task has: per problem the unbiased
// pass_at_k of its samples, then the mean over problems (each problem weighs the same, as in
// score_task). Element k-1 holds pass@k as a fraction. Empty when the task has no samples.
std::vector<double> pass_at_k_curve(const std::vector<SampleRecord>& samples, const std::string& task);

struct LengthBin {
  double low = 0;   // [low, high); the last bin also holds `high`
  double high = 0;
  int samples = 0;
  int correct = 0;
  int truncated = 0;  // finish_reason == "length": cut at the max-token limit
};

struct LengthProfile {
  std::string unit = "characters";  // "tokens" when every sample has completion_tokens, else response bytes
  double bin_width = 0;
  std::vector<LengthBin> bins;      // equal width, contiguous from 0 to past the longest response
  int samples = 0;
  int truncated = 0;
};

// Length of one sample in the profile's unit.
double sample_length(const SampleRecord& sample, bool in_tokens);

// Bins the task's samples by response length into at most `max_bins` equal bins of a round width (1, 2 or 5
// times a power of ten, at least 1), counting samples, correct ones and truncated ones per bin. Tokens
// are used when every sample has completion_tokens (>= 0), else response bytes, as score_task's length
// statistics do. No samples give no bins. Throws std::invalid_argument when max_bins < 1.
LengthProfile length_profile(const std::vector<SampleRecord>& samples, const std::string& task, int max_bins);

}  // namespace r1eval::results
