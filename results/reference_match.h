// Matching a published number (ReferenceValue) with the estimate of ours that it can be compared with.
#pragma once
#include <optional>
#include <string>

#include "results/metrics.h"

namespace r1eval::results {

struct ComparableMetric {
  bool consensus = false;  // cons@k rather than pass@k
  int k = 0;
};

// "pass@K" or "cons@K" with 1 <= K <= 999999; nullopt for anything else (ratings, percentiles), which
// is not comparable with an accuracy estimate.
std::optional<ComparableMetric> parse_comparable_metric(const std::string& metric);

// Our estimate for `metric` in `scores` (pass@1 for pass@1), or nullptr when this k was not measured.
const Estimate* estimate_for(const TaskScores& scores, const ComparableMetric& metric);

}  // namespace r1eval::results
