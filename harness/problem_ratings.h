// Codeforces difficulty ratings supplied beside a problem set that lacks them (`--problem-ratings FILE`),
// e.g. DeepCoder's problems, whose ids (1971A) carry no rating.
//
// Accepted files:
// - {"1971A": 800, "1971B": 1000, ...}: problem id -> rating;
// - the Codeforces API's problemset.problems response, saved as is:
//   https://codeforces.com/api/problemset.problems -> {"status": "OK", "result": {"problems":
//   [{"contestId": 1971, "index": "A", "rating": 800, ...}, ...]}}; problems without "rating" are skipped.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace r1eval::harness {

class ProblemRatings {
 public:
  // Reads `path`. Throws std::invalid_argument naming the file and the bad entry (not JSON, neither shape,
  // a rating that is not an integer from 0 to 10000).
  static ProblemRatings load(const std::string& path);
  static ProblemRatings parse(std::string_view json_text, const std::string& display_name);

  // The rating of `problem_id`, matched ignoring case and separators ("1971/A", "1971_a" and "1971A" are
  // one problem). nullopt when the file has none.
  std::optional<int> find(const std::string& problem_id) const;
  std::size_t size() const { return by_key_.size(); }

 private:
  std::map<std::string, int> by_key_;  // normalized id -> rating
};

// Upper-case letters and digits of `id` only: the form ids are matched in.
std::string normalized_problem_id(std::string_view id);

}  // namespace r1eval::harness
