// The CodeElo contest method's first half: the model's score and rank in one real Codeforces contest,
// from the per-problem outcomes of its samples and the contest's official standings.
//
// How samples become submissions (CodeElo, arXiv 2501.01257, allows up to 8 submissions per problem and
// counts a problem solved when one of them is accepted; submission time is not modelled): the samples of a
// problem, in sample-index order, are its submissions, the first `max_submissions` of them count; the
// problem is solved when one is accepted, and every rejected sample before the first accepted one is a
// failed attempt. All submissions are taken as made at the contest's start (no time decay).
// - points contests (Div. 1/2 style): a solved problem scores max(0.3 * points, points - 50 * failed),
//   Codeforces' floor and per-rejection deduction; unsolved scores 0.
// - ICPC-style contests (Div. 3/4, Educational): score = problems solved, penalty = 10 minutes per failed
//   attempt on solved problems (Codeforces' rule), lower penalty ranks higher on equal score.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace r1eval::results {

enum class ContestScoring { points, icpc };

struct ContestProblemSpec {
  std::string index;  // "A", "B1", ... as in the problem ids
  double points = 0;  // points contests only
};

struct ContestParticipant {
  double rating = 0;   // the participant's rating before the contest
  double score = 0;    // points, or problems solved (ICPC)
  double penalty = 0;  // ICPC only: minutes
};

struct ContestStandings {
  std::string contest_id;  // e.g. "1971"
  ContestScoring scoring = ContestScoring::points;
  std::vector<ContestProblemSpec> problems;
  std::vector<ContestParticipant> participants;  // official (rated) participants
};

struct ModelContestResult {
  std::string contest_id;
  double score = 0;
  double penalty = 0;
  int solved = 0;
  int problems = 0;            // problems of the contest
  int problems_with_samples = 0;  // of those, problems the run has samples for (the others count unsolved)
  double rank = 1;             // among the official participants, ties counted half
  double rating = 0;           // the rating whose expected rank equals `rank`
};

// The model's score, penalty and rank in `contest`. `accepted_by_index` maps a problem index to its
// samples' outcomes in sample order. Throws std::invalid_argument when the contest has no participants or
// no problems.
ModelContestResult score_contest(const ContestStandings& contest,
                                 const std::map<std::string, std::vector<bool>>& accepted_by_index,
                                 int max_submissions = 8);

}  // namespace r1eval::results
