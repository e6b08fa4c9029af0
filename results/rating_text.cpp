#include "results/rating_text.h"

#include "results/html_text.h"

namespace r1eval::results {

std::string rating_sentence(const RatingSummary& r) {
  std::string text = "Codeforces rating (maximum likelihood, rated on " + std::to_string(r.rated_problems);
  if (r.problems > 0) text += " of " + std::to_string(r.problems);
  text += " problems): " + fixed_number(r.rating, 1) + " ± " + fixed_number(r.standard_error, 1);
  if (r.percentile) text += ", percentile " + fixed_number(*r.percentile, 1);
  if (r.prior_used) text += " (every rated problem solved or none: the estimate leans on the prior)";
  return text;
}

std::string contest_rating_sentence(const ContestRatingSummary& c) {
  std::string text = "Codeforces rating (CodeElo contest method, mean over " + std::to_string(c.contests.size()) +
                     " contests): " + fixed_number(c.rating, 1);
  if (c.percentile) text += ", percentile " + fixed_number(*c.percentile, 1);
  return text;
}

std::vector<RatingComparison> rating_comparisons(const TaskScores& s, const ReferenceTable& reference) {
  std::vector<RatingComparison> rows;
  if (!s.rating) return rows;
  for (const ReferenceValue& r : reference.values) {
    const bool same_benchmark = r.task == s.task || (r.task == "codeforces" && s.task.rfind("codeforces", 0) == 0);
    if (!same_benchmark || (r.metric != "rating" && r.metric != "percentile")) continue;
    const bool rating = r.metric == "rating";
    rows.push_back({r.model, r.metric, r.value, rating ? std::optional<double>(s.rating->rating) : s.rating->percentile});
  }
  return rows;
}

}  // namespace r1eval::results
