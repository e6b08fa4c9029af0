#include "results/reference_match.h"

namespace r1eval::results {

std::optional<ComparableMetric> parse_comparable_metric(const std::string& metric) {
  for (const std::string prefix : {"pass@", "cons@"}) {
    if (metric.rfind(prefix, 0) != 0 || metric.size() == prefix.size()) continue;
    const std::string digits = metric.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 6) return std::nullopt;
    const int k = std::stoi(digits);
    if (k < 1) return std::nullopt;
    return ComparableMetric{prefix == "cons@", k};
  }
  return std::nullopt;
}

const Estimate* estimate_for(const TaskScores& scores, const ComparableMetric& metric) {
  if (!metric.consensus && metric.k == 1) return &scores.pass1;
  const auto& by_k = metric.consensus ? scores.cons_at : scores.pass_at;
  const auto it = by_k.find(metric.k);
  return it == by_k.end() ? nullptr : &it->second;
}

}  // namespace r1eval::results
