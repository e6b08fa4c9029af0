#include "results/contest_score.h"

#include <algorithm>
#include <stdexcept>

#include "results/rating.h"

namespace r1eval::results {
namespace {

// Failed attempts before the first accepted one among the first `max_submissions`; nullopt: unsolved.
std::optional<int> failed_before_accept(const std::vector<bool>& accepted, int max_submissions) {
  const std::size_t n = std::min(accepted.size(), static_cast<std::size_t>(std::max(0, max_submissions)));
  for (std::size_t i = 0; i < n; ++i)
    if (accepted[i]) return static_cast<int>(i);
  return std::nullopt;
}

bool beats(const ContestParticipant& a, double score, double penalty, ContestScoring scoring) {
  if (a.score != score) return a.score > score;
  return scoring == ContestScoring::icpc && a.penalty < penalty;
}

bool ties(const ContestParticipant& a, double score, double penalty, ContestScoring scoring) {
  return a.score == score && (scoring == ContestScoring::points || a.penalty == penalty);
}

}  // namespace

ModelContestResult score_contest(const ContestStandings& contest,
                                 const std::map<std::string, std::vector<bool>>& accepted_by_index,
                                 int max_submissions) {
  if (contest.problems.empty()) throw std::invalid_argument("contest " + contest.contest_id + ": no problems");
  if (contest.participants.empty())
    throw std::invalid_argument("contest " + contest.contest_id + ": no official participants");
  ModelContestResult result;
  result.contest_id = contest.contest_id;
  result.problems = static_cast<int>(contest.problems.size());
  for (const ContestProblemSpec& problem : contest.problems) {
    const auto found = accepted_by_index.find(problem.index);
    if (found == accepted_by_index.end()) continue;
    ++result.problems_with_samples;
    const std::optional<int> failed = failed_before_accept(found->second, max_submissions);
    if (!failed) continue;
    ++result.solved;
    if (contest.scoring == ContestScoring::points) {
      result.score += std::max(0.3 * problem.points, problem.points - 50.0 * *failed);
    } else {
      result.score += 1;
      result.penalty += 10.0 * *failed;
    }
  }
  double better = 0, tied = 0;
  std::vector<double> ratings;
  ratings.reserve(contest.participants.size());
  for (const ContestParticipant& p : contest.participants) {
    ratings.push_back(p.rating);
    if (beats(p, result.score, result.penalty, contest.scoring)) ++better;
    else if (ties(p, result.score, result.penalty, contest.scoring)) ++tied;
  }
  result.rank = 1 + better + tied / 2;
  result.rating = codeelo_rating({ContestStanding{std::move(ratings), result.rank}});
  return result;
}

}  // namespace r1eval::results
