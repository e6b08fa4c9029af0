// The model's score and rank in one contest from its samples (results/contest_score.h).
#include <gtest/gtest.h>

#include <stdexcept>

#include "results/contest_score.h"
#include "results/rating.h"

namespace r1eval::results {
namespace {

ContestStandings points_contest() {
  ContestStandings c;
  c.contest_id = "1971";
  c.scoring = ContestScoring::points;
  c.problems = {{"A", 500}, {"B", 1000}, {"C", 1500}};
  // Scores 2000, 1000, 500, 0 from strongest to weakest.
  c.participants = {{2400, 2000, 0}, {1800, 1000, 0}, {1400, 500, 0}, {1000, 0, 0}};
  return c;
}

TEST(ScoreContest, FirstAcceptedSampleSolvesWithFiftyPointsPerEarlierRejection) {
  // A: accepted at once (500); B: two rejections then accepted (1000 - 100); C: never.
  const ModelContestResult r =
      score_contest(points_contest(), {{"A", {true}}, {"B", {false, false, true, true}}, {"C", {false, false}}});
  EXPECT_EQ(r.solved, 2);
  EXPECT_EQ(r.problems, 3);
  EXPECT_EQ(r.problems_with_samples, 3);
  EXPECT_DOUBLE_EQ(r.score, 500 + 900);
  EXPECT_DOUBLE_EQ(r.rank, 2);  // behind 2000 only
  EXPECT_NEAR(r.rating, codeelo_rating({ContestStanding{{2400, 1800, 1400, 1000}, 2}}), 1e-9);
}

TEST(ScoreContest, DeductionStopsAtThirtyPercentOfThePoints) {
  std::vector<bool> late(8, false);
  late[7] = true;  // 7 rejections: 1500 - 350 > 450, so not floored
  ModelContestResult r = score_contest(points_contest(), {{"C", late}});
  EXPECT_DOUBLE_EQ(r.score, 1150);
  r = score_contest(points_contest(), {{"A", late}});  // 500 - 350 = 150 < 150 floor (0.3 * 500)
  EXPECT_DOUBLE_EQ(r.score, 150);
}

TEST(ScoreContest, OnlyTheFirstMaxSubmissionsCount) {
  std::vector<bool> ninth(9, false);
  ninth[8] = true;
  EXPECT_EQ(score_contest(points_contest(), {{"A", ninth}}).solved, 0);
  EXPECT_EQ(score_contest(points_contest(), {{"A", ninth}}, 9).solved, 1);
}

TEST(ScoreContest, TiesCountHalfAndMissingProblemsAreUnsolved) {
  // Only A's samples: 500 ties the third participant.
  const ModelContestResult r = score_contest(points_contest(), {{"A", {true}}});
  EXPECT_EQ(r.problems_with_samples, 1);
  EXPECT_DOUBLE_EQ(r.rank, 1 + 2 + 0.5);
}

TEST(ScoreContest, IcpcRanksBySolvedThenPenalty) {
  ContestStandings c;
  c.contest_id = "1980";
  c.scoring = ContestScoring::icpc;
  c.problems = {{"A", 0}, {"B", 0}};
  c.participants = {{1900, 2, 30}, {1700, 2, 5}, {1500, 1, 0}};
  // Both solved, one rejection on B: penalty 10 minutes (times are not modelled).
  const ModelContestResult r = score_contest(c, {{"A", {true}}, {"B", {false, true}}});
  EXPECT_DOUBLE_EQ(r.score, 2);
  EXPECT_DOUBLE_EQ(r.penalty, 10);
  EXPECT_DOUBLE_EQ(r.rank, 2);  // 5 minutes beats it, 30 does not
}

TEST(ScoreContest, BetterResultsNeverLowerTheRating) {
  const double none = score_contest(points_contest(), {{"A", {false}}}).rating;
  const double one = score_contest(points_contest(), {{"A", {true}}}).rating;
  const double all = score_contest(points_contest(), {{"A", {true}}, {"B", {true}}, {"C", {true}}}).rating;
  EXPECT_LT(none, one);
  EXPECT_LT(one, all);
}

TEST(ScoreContest, RejectsContestsWithoutProblemsOrParticipants) {
  ContestStandings empty = points_contest();
  empty.participants.clear();
  EXPECT_THROW(score_contest(empty, {}), std::invalid_argument);
  empty = points_contest();
  empty.problems.clear();
  EXPECT_THROW(score_contest(empty, {}), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::results
