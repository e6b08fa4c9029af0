// The rating options shared by `grade`, `run` and `report`: --problem-ratings FILE (and, on grade and
// report, --standings FILE). Files are read before anything is graded, so a bad one fails early.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "harness/problem_ratings.h"
#include "harness/scoring.h"
#include "results/contest_score.h"
#include "results/metrics.h"

namespace r1eval::harness {

struct RatingOptions {
  std::string problem_ratings_path;
  std::string standings_path;
  std::optional<ProblemRatings> problem_ratings;
  std::optional<std::vector<results::ContestStandings>> standings;

  // Adds --problem-ratings, and --standings when `with_standings`.
  void add_to(CLI::App& command, bool with_standings);
  // Reads the files given. Throws std::invalid_argument naming the file on bad input.
  void load();
  RatingInputs inputs(const results::RatingHistogram* histogram) const;
  // Throws std::invalid_argument when --standings was given but no contest in it matched a problem of the run
  // (a wrong file would otherwise go unnoticed).
  void check_standings_used(const std::vector<results::TaskScores>& scores) const;
};

}  // namespace r1eval::harness
