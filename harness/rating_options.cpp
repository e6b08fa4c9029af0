#include "harness/rating_options.h"

#include <stdexcept>

#include "harness/contest_standings.h"

namespace r1eval::harness {

void RatingOptions::add_to(CLI::App& command, bool with_standings) {
  command.add_option("--problem-ratings", problem_ratings_path,
                     "JSON with Codeforces problem ratings for sets that lack them: {\"1971A\": 800, ...} or the "
                     "saved response of https://codeforces.com/api/problemset.problems; applied by problem id");
  if (with_standings)
    command.add_option("--standings", standings_path,
                       "JSON with official contest standings (see README): adds the CodeElo contest rating");
}

void RatingOptions::load() {
  if (!problem_ratings_path.empty()) problem_ratings = ProblemRatings::load(problem_ratings_path);
  if (!standings_path.empty()) standings = load_contest_standings(standings_path);
}

RatingInputs RatingOptions::inputs(const results::RatingHistogram* histogram) const {
  RatingInputs in;
  in.histogram = histogram;
  if (problem_ratings) in.problem_ratings = &*problem_ratings;
  if (standings) in.standings = &*standings;
  return in;
}

void RatingOptions::check_standings_used(const std::vector<results::TaskScores>& scores) const {
  if (!standings) return;
  for (const results::TaskScores& s : scores)
    if (s.contest_rating) return;
  throw std::invalid_argument(standings_path + ": no contest in the standings has a problem in this run "
                              "(problem ids are matched as contest_id + index, e.g. 1971A)");
}

}  // namespace r1eval::harness
