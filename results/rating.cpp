#include "results/rating.h"

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace r1eval::results {
namespace {

constexpr double kLow = -1000, kHigh = 5000;
constexpr double kPriorSd = 400;
// d log10-odds / d rating
const double kSlope = std::log(10.0) / 400.0;

double win_probability(double rating, double difficulty) { return 1.0 / (1.0 + std::pow(10.0, (difficulty - rating) / 400.0)); }

// Root of a decreasing function on [kLow, kHigh] by bisection (clamped at the ends).
template <typename F>
double bisect_decreasing(F f) {
  double lo = kLow, hi = kHigh;
  if (f(lo) <= 0) return lo;
  if (f(hi) >= 0) return hi;
  for (int i = 0; i < 200 && hi - lo > 1e-9; ++i) {
    const double mid = 0.5 * (lo + hi);
    (f(mid) > 0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

RatingEstimate estimate_rating(const std::vector<ProblemSolveRate>& problems) {
  if (problems.empty()) throw std::invalid_argument("estimate_rating: no problems");
  double solved = 0, weight = 0, mean_difficulty = 0;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    const ProblemSolveRate& p = problems[i];
    if (!(p.solve_rate >= 0 && p.solve_rate <= 1) || p.samples < 1 || !std::isfinite(p.problem_rating))
      throw std::invalid_argument("estimate_rating: problem " + std::to_string(i) +
                                  ": expected a solve rate in [0, 1], samples >= 1 and a finite rating");
    solved += p.samples * p.solve_rate;
    weight += p.samples;
    mean_difficulty += p.problem_rating;
  }
  mean_difficulty /= static_cast<double>(problems.size());
  RatingEstimate estimate;
  estimate.prior_used = solved <= 0 || solved >= weight;
  const double prior_precision = estimate.prior_used ? 1.0 / (kPriorSd * kPriorSd) : 0.0;
  // With everything solved (or nothing), more samples of the same problems only repeat one outcome: each
  // problem then counts once, so the estimate does not climb with the number of samples (40 problems of 800
  // solved gave 1488 at 1 sample and 2103 at 64 when every sample counted).
  const auto weight_of = [&](const ProblemSolveRate& p) { return estimate.prior_used ? 1.0 : static_cast<double>(p.samples); };
  // Score equation: derivative of the (penalised) log-likelihood, decreasing in r.
  auto score = [&](double r) {
    double s = 0;
    for (const ProblemSolveRate& p : problems) s += weight_of(p) * (p.solve_rate - win_probability(r, p.problem_rating));
    return kSlope * s - prior_precision * (r - mean_difficulty);
  };
  estimate.rating = bisect_decreasing(score);
  double information = prior_precision;
  for (const ProblemSolveRate& p : problems) {
    const double q = win_probability(estimate.rating, p.problem_rating);
    information += kSlope * kSlope * weight_of(p) * q * (1 - q);
  }
  estimate.standard_error = information > 0 ? 1.0 / std::sqrt(information) : INFINITY;
  return estimate;
}

double rank_among(double model_score, const std::vector<double>& participant_scores) {
  double rank = 1;
  for (double s : participant_scores) rank += s > model_score ? 1.0 : s == model_score ? 0.5 : 0.0;
  return rank;
}

double codeelo_rating(const std::vector<ContestStanding>& contests) {
  if (contests.empty()) throw std::invalid_argument("codeelo_rating: no contests");
  double sum = 0;
  for (std::size_t c = 0; c < contests.size(); ++c) {
    const ContestStanding& contest = contests[c];
    if (contest.participant_ratings.empty())
      throw std::invalid_argument("codeelo_rating: contest " + std::to_string(c) + " has no participants");
    // Expected rank falls as the rating rises; find where it meets the actual rank.
    sum += bisect_decreasing([&](double r) {
      double expected = 1;
      for (double other : contest.participant_ratings) expected += win_probability(other, r);
      return expected - contest.model_rank;
    });
  }
  return sum / static_cast<double>(contests.size());
}

RatingHistogram RatingHistogram::from_json(std::string_view json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {  // also out_of_range: a number past double
    throw std::invalid_argument(std::string("rating histogram: not valid JSON (") + e.what() + ")");
  }
  if (!j.is_object() || j.empty())
    throw std::invalid_argument("rating histogram: expected a non-empty object {\"rating\": count}");
  RatingHistogram h;
  for (const auto& [key, value] : j.items()) {
    double rating = 0;
    std::size_t used = 0;
    try {
      rating = std::stod(key, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != key.size() || !std::isfinite(rating))
      throw std::invalid_argument("rating histogram: key '" + key + "': expected a number");
    if (!value.is_number_integer() || value.get<long long>() < 0)
      throw std::invalid_argument("rating histogram: entry '" + key + "': expected a non-negative integer count");
    h.counts_[rating] += value.get<std::int64_t>();
    h.total_ += value.get<std::int64_t>();
  }
  if (h.total_ == 0) throw std::invalid_argument("rating histogram: no users");
  return h;
}

double RatingHistogram::percentile(double rating) const {
  std::int64_t below = 0;
  for (auto it = counts_.begin(); it != counts_.end() && it->first < rating; ++it) below += it->second;
  return 100.0 * static_cast<double>(below) / static_cast<double>(total_);
}

}  // namespace r1eval::results
