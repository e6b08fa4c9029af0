// Official Codeforces contest standings for the CodeElo rating (`--standings FILE`).
//
// File format (JSON):
//   {"contests": [
//     {"contest_id": "1971",                    // string or integer; joins with the problem ids (1971A, 1971/A)
//      "scoring": "points",                     // "points" (Div. 1/2) or "icpc" (Div. 3/4, Educational)
//      "problems": [{"index": "A", "points": 500}, {"index": "B", "points": 1000}],  // points: "points" only
//      "participants": [                        // the official (rated) participants, in rank order
//        {"rating": 2104, "score": 1430, "penalty": 0}, ...]}]}   // penalty: minutes, "icpc" only (default 0)
// Ratings are the participants' ratings before the contest (Codeforces API contest.ratingChanges,
// oldRating); scores and penalties come from contest.standings (points, penalty) of the rated rows.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "results/contest_score.h"

namespace r1eval::harness {

// Throws std::invalid_argument naming the file, the contest and the field on malformed input.
std::vector<results::ContestStandings> parse_contest_standings(std::string_view json_text,
                                                               const std::string& display_name);
std::vector<results::ContestStandings> load_contest_standings(const std::string& path);

}  // namespace r1eval::harness
