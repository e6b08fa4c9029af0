// Turns the records of a run into per-task scores (the harness knows which grader decides answer equality).
#pragma once
#include <vector>

#include "harness/problem_ratings.h"
#include "results/contest_score.h"
#include "results/metrics.h"
#include "results/rating.h"
#include "results/sample_record.h"

namespace r1eval::harness {

// What the Codeforces ratings of code tasks are computed from, beside the samples; every part optional.
struct RatingInputs {
  const results::RatingHistogram* histogram = nullptr;  // percentiles
  const ProblemRatings* problem_ratings = nullptr;      // --problem-ratings: sets each matching problem's rating
  const std::vector<results::ContestStandings>* standings = nullptr;  // --standings: the CodeElo contest method
};

// One TaskScores per task present in `records`, in registry order. Code tasks whose problems carry a "rating"
// attribute (from the data, or from `problem_ratings`, which wins) also get a maximum-likelihood rating over
// those problems (the others are left out and counted), with its percentile when `histogram` is given; with
// `standings`, each contest whose problems the task has samples for is scored (results/contest_score.h) and
// the mean CodeElo rating is reported. The result does not depend on the records' order (problems are taken
// in id order, samples in index order). Throws std::invalid_argument when a record names an unknown task
// or a sample appears twice.
std::vector<results::TaskScores> score_records(const std::vector<results::SampleRecord>& records,
                                               const RatingInputs& inputs);
std::vector<results::TaskScores> score_records(const std::vector<results::SampleRecord>& records,
                                               const results::RatingHistogram* histogram = nullptr);

}  // namespace r1eval::harness
