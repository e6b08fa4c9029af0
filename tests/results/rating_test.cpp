#include "results/rating.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace r1eval::results {
namespace {

double expected_rate(double rating, double difficulty) { return 1 / (1 + std::pow(10.0, (difficulty - rating) / 400)); }

TEST(EstimateRating, HalfSolvedAtOneDifficultyIsThatDifficulty) {
  const auto e = estimate_rating({{1500, 0.5, 8}, {1500, 0.5, 8}});
  EXPECT_NEAR(e.rating, 1500, 1e-6);
  EXPECT_FALSE(e.prior_used);
}

TEST(EstimateRating, ThreeToOneOddsIsLog10Of3Times400Above) {
  EXPECT_NEAR(estimate_rating({{1200, 0.75, 4}}).rating, 1200 + 400 * std::log10(3.0), 1e-6);
}

TEST(EstimateRating, RecoversTheRatingThatGeneratedExactRates) {
  for (double truth : {900.0, 1450.0, 2100.0}) {
    std::vector<ProblemSolveRate> problems;
    for (int d = 800; d <= 3000; d += 100) problems.push_back({double(d), expected_rate(truth, d), 16});
    const auto e = estimate_rating(problems);
    EXPECT_NEAR(e.rating, truth, 1e-6);
    EXPECT_GT(e.standard_error, 0);
    EXPECT_LT(e.standard_error, 100);
  }
}

TEST(EstimateRating, StandardErrorShrinksWithMoreSamples) {
  std::vector<ProblemSolveRate> few, many;
  for (int d = 1000; d <= 2000; d += 250) {
    few.push_back({double(d), expected_rate(1500, d), 1});
    many.push_back({double(d), expected_rate(1500, d), 64});
  }
  EXPECT_NEAR(estimate_rating(few).standard_error / estimate_rating(many).standard_error, 8.0, 1e-6);
}

TEST(EstimateRating, AllOrNothingUsesThePriorAndStaysFinite) {
  const auto all = estimate_rating({{1000, 1, 4}, {1400, 1, 4}, {1800, 1, 4}});
  const auto none = estimate_rating({{1000, 0, 4}, {1400, 0, 4}, {1800, 0, 4}});
  EXPECT_TRUE(all.prior_used);
  EXPECT_TRUE(none.prior_used);
  EXPECT_GT(all.rating, 1400);
  EXPECT_LT(all.rating, 5000);
  EXPECT_LT(none.rating, 1400);
  EXPECT_GT(none.rating, -1000);
  EXPECT_TRUE(std::isfinite(all.standard_error));
}

// Solving every problem 64 times is no more evidence than solving each once: the samples only repeat it.
TEST(EstimateRating, AllSolvedDoesNotClimbWithTheNumberOfSamples) {
  std::vector<ProblemSolveRate> once, often;
  for (int i = 0; i < 40; ++i) {
    once.push_back({800, 1, 1});
    often.push_back({800, 1, 64});
  }
  EXPECT_DOUBLE_EQ(estimate_rating(once).rating, estimate_rating(often).rating);
  EXPECT_LT(estimate_rating(often).rating, 2000);
}

TEST(EstimateRating, RejectsBadInput) {
  EXPECT_THROW(estimate_rating({}), std::invalid_argument);
  EXPECT_THROW(estimate_rating({{1500, 1.5, 1}}), std::invalid_argument);
  EXPECT_THROW(estimate_rating({{1500, 0.5, 0}}), std::invalid_argument);
  EXPECT_THROW(estimate_rating({{NAN, 0.5, 1}}), std::invalid_argument);
}

TEST(RankAmong, CountsBetterScoresAndHalfTheTies) {
  EXPECT_EQ(rank_among(10, {20, 10, 10, 5}), 1 + 1 + 1.0);
  EXPECT_EQ(rank_among(100, {20, 10}), 1);
  EXPECT_EQ(rank_among(0, {20, 10}), 3);
}

TEST(CodeEloRating, MiddleOfAnEvenFieldIsTheFieldsRating) {
  ContestStanding contest;
  contest.participant_ratings.assign(99, 1500);
  contest.model_rank = 50.5;  // expected rank at 1500: 1 + 99 * 0.5
  EXPECT_NEAR(codeelo_rating({contest}), 1500, 1e-6);
  contest.model_rank = 10;
  const double strong = codeelo_rating({contest});
  EXPECT_GT(strong, 1500);
  ContestStanding weak = contest;
  weak.model_rank = 90;
  EXPECT_NEAR(codeelo_rating({contest, weak}), (strong + codeelo_rating({weak})) / 2, 1e-6);
  EXPECT_THROW(codeelo_rating({}), std::invalid_argument);
  EXPECT_THROW(codeelo_rating({ContestStanding{}}), std::invalid_argument);
}

TEST(RatingHistogram, PercentileCountsUsersStrictlyBelow) {
  const auto h = RatingHistogram::from_json(R"({"1000": 2, "1500": 1, "-20": 1})");
  EXPECT_EQ(h.users(), 4);
  EXPECT_EQ(h.percentile(-100), 0);
  EXPECT_EQ(h.percentile(1000), 25);
  EXPECT_EQ(h.percentile(1001), 75);
  EXPECT_EQ(h.percentile(9999), 100);
  EXPECT_THROW(RatingHistogram::from_json("[]"), std::invalid_argument);
  EXPECT_THROW(RatingHistogram::from_json(R"({"x": 1})"), std::invalid_argument);
  EXPECT_THROW(RatingHistogram::from_json(R"({"10": -1})"), std::invalid_argument);
  EXPECT_THROW(RatingHistogram::from_json(R"({"10": 0})"), std::invalid_argument);
}

// The 2024 histogram DeepCoder ships puts R1's and o1's published ratings within 0.15 points of the
// percentiles the R1 paper prints for them (96.3 and 96.6).
TEST(RatingHistogram, RealHistogramMatchesPublishedTopPercentiles) {
  std::ifstream in(std::string(R1EVAL_SHARED_DATA) + "/codeforces/deepcoder/ratings_2024.json");
  ASSERT_TRUE(in) << "needs the shared data folder";
  std::stringstream text;
  text << in.rdbuf();
  const auto h = RatingHistogram::from_json(text.str());
  EXPECT_EQ(h.users(), 89352);
  EXPECT_NEAR(h.percentile(2029), 96.3, 0.15);
  EXPECT_NEAR(h.percentile(2061), 96.6, 0.15);
}

}  // namespace
}  // namespace r1eval::results
