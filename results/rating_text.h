// The Codeforces rating as text, shared by report.md and report.html so both say the same thing: the
// maximum-likelihood line, the CodeElo contest line, and the published ratings it is compared with.
// Plain text; the caller escapes it for its format.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "results/metrics.h"
#include "results/reference.h"

namespace r1eval::results {

// "Codeforces rating (maximum likelihood, rated on 350 of 408 problems): 1432.1 ± 61.0, percentile 71.3",
// with a note when every rated problem was solved or none (the prior decides).
std::string rating_sentence(const RatingSummary& rating);

// "Codeforces rating (CodeElo contest method, mean over 3 contests): 1510.4, percentile 75.0".
std::string contest_rating_sentence(const ContestRatingSummary& rating);

struct RatingComparison {
  std::string model, metric;   // metric: "rating" or "percentile"
  double published = 0;
  std::optional<double> ours;  // absent when we have no percentile (no histogram)
};

// The published Codeforces ratings and percentiles of `reference` beside `scores`' maximum-likelihood
// rating; empty when the task has no rating. Published figures are for Codeforces as a whole, so every
// Codeforces problem set (task names starting with "codeforces") compares with them.
std::vector<RatingComparison> rating_comparisons(const TaskScores& scores, const ReferenceTable& reference);

}  // namespace r1eval::results
