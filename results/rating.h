// Codeforces-style ratings of a model: a maximum-likelihood Elo from per-problem solve rates, the CodeElo
// contest method from standings, and the percentile of a rating among human participants.
#pragma once
#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

namespace r1eval::results {

struct ProblemSolveRate {
  double problem_rating = 0;  // Codeforces difficulty of the problem
  double solve_rate = 0;      // fraction of the samples that were accepted, in [0, 1]
  int samples = 1;            // samples behind solve_rate (weights the likelihood and its information)
};

struct RatingEstimate {
  double rating = 0;
  double standard_error = 0;  // from the Fisher information at the estimate (samples as Bernoulli trials)
  bool prior_used = false;    // every problem solved or none: the maximum-likelihood rating is infinite
};

// The Elo r maximising sum_i samples_i * [s_i log p_i + (1 - s_i) log(1 - p_i)] with
// p_i = 1 / (1 + 10^((d_i - r) / 400)), found by bisection on the (monotone) score equation in [-1000, 5000].
// When every problem is solved or none is, the MLE does not exist; then the estimate is the posterior mode
// under a Gaussian prior N(mean problem rating, 400^2) (prior_used = true), which stays finite and moves
// towards the side the results point to; each problem then counts once, whatever its samples. Throws std::invalid_argument on empty input or a rate outside [0, 1].
RatingEstimate estimate_rating(const std::vector<ProblemSolveRate>& problems);

// One rated contest of the CodeElo method: the ratings of the official participants and the model's rank
// among them (1 = first; fractional ranks allowed for ties).
struct ContestStanding {
  std::vector<double> participant_ratings;
  double model_rank = 1;
};

// Rank of a score among official participants' scores: 1 + (number strictly better) + half the ties.
double rank_among(double model_score, const std::vector<double>& participant_scores);

// Per contest, the rating whose expected rank 1 + sum_j 1 / (1 + 10^((r - r_j) / 400)) equals the model's rank
// (bisection); the result is their mean. Throws std::invalid_argument on an empty contest or list.
double codeelo_rating(const std::vector<ContestStanding>& contests);

// Human rating histogram (rating -> number of users), e.g. DeepCoder's ratings_2024.json.
class RatingHistogram {
 public:
  // Parses {"rating": count, ...}. Throws std::invalid_argument naming the bad entry.
  static RatingHistogram from_json(std::string_view json_text);
  // Percent of users rated strictly below `rating` (the convention of CodeElo and DeepCoder), in [0, 100].
  double percentile(double rating) const;
  std::int64_t users() const { return total_; }

 private:
  std::map<double, std::int64_t> counts_;
  std::int64_t total_ = 0;
};

}  // namespace r1eval::results
