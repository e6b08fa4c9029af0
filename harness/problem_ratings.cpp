#include "harness/problem_ratings.h"

#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace r1eval::harness {
namespace {

using nlohmann::json;

int rating_value(const json& value, const std::string& where) {
  if (!value.is_number()) throw std::invalid_argument(where + ": expected a rating (integer), found " + value.dump());
  const double r = value.get<double>();
  if (r != std::floor(r) || r < 0 || r > 10000)
    throw std::invalid_argument(where + ": expected a rating from 0 to 10000, found " + value.dump());
  return static_cast<int>(r);
}

}  // namespace

std::string normalized_problem_id(std::string_view id) {
  std::string key;
  for (const char c : id)
    if (std::isalnum(static_cast<unsigned char>(c))) key += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return key;
}

ProblemRatings ProblemRatings::parse(std::string_view json_text, const std::string& display_name) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {  // also out_of_range: a number past double
    throw std::invalid_argument(display_name + ": not valid JSON (" + e.what() + ")");
  }
  const std::string shapes =
      "expected {\"1971A\": 800, ...} or the Codeforces API problemset.problems response {\"result\": {\"problems\": [...]}}";
  if (!doc.is_object()) throw std::invalid_argument(display_name + ": " + shapes);
  ProblemRatings out;
  auto add = [&](const std::string& id, int rating, const std::string& where) {
    const std::string key = normalized_problem_id(id);
    if (key.empty()) throw std::invalid_argument(where + ": problem id '" + id + "' has no letters or digits");
    out.by_key_[key] = rating;
  };
  if (const auto result = doc.find("result"); result != doc.end()) {
    const auto problems = result->is_object() ? result->find("problems") : result->end();
    if (!result->is_object() || problems == result->end() || !problems->is_array())
      throw std::invalid_argument(display_name + ": field 'result': expected {\"problems\": [...]}");
    for (std::size_t i = 0; i < problems->size(); ++i) {
      const json& p = (*problems)[i];
      const std::string where = display_name + ": result.problems[" + std::to_string(i) + "]";
      if (!p.is_object()) throw std::invalid_argument(where + ": expected an object");
      const auto contest = p.find("contestId");
      const auto index = p.find("index");
      if (contest == p.end() || !contest->is_number_integer())
        throw std::invalid_argument(where + ": field 'contestId': expected an integer");
      if (index == p.end() || !index->is_string()) throw std::invalid_argument(where + ": field 'index': expected a string");
      const auto rating = p.find("rating");
      if (rating == p.end() || rating->is_null()) continue;  // the API omits ratings of unrated problems
      add(contest->dump() + index->get<std::string>(), rating_value(*rating, where + ": field 'rating'"), where);
    }
    if (out.by_key_.empty()) throw std::invalid_argument(display_name + ": no problem in 'result.problems' has a rating");
    return out;
  }
  if (doc.empty()) throw std::invalid_argument(display_name + ": " + shapes);
  for (const auto& [id, value] : doc.items()) add(id, rating_value(value, display_name + ": '" + id + "'"), display_name);
  return out;
}

ProblemRatings ProblemRatings::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot read the problem ratings file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

std::optional<int> ProblemRatings::find(const std::string& problem_id) const {
  const auto it = by_key_.find(normalized_problem_id(problem_id));
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

}  // namespace r1eval::harness
