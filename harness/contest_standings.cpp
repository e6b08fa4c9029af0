#include "harness/contest_standings.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace r1eval::harness {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw std::invalid_argument(where + ": " + what); }

const json& field(const json& object, const char* name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) fail(where, std::string("missing field '") + name + "'");
  return *it;
}

double number_field(const json& object, const char* name, const std::string& where, bool required, double fallback = 0) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (required) fail(where, std::string("missing field '") + name + "'");
    return fallback;
  }
  if (!it->is_number() || !std::isfinite(it->get<double>()))
    fail(where, std::string("field '") + name + "': expected a number, found " + it->dump());
  return it->get<double>();
}

results::ContestStandings parse_contest(const json& c, const std::string& where) {
  if (!c.is_object()) fail(where, "expected an object");
  results::ContestStandings contest;
  const json& id = field(c, "contest_id", where);
  if (id.is_string() && !id.get<std::string>().empty()) contest.contest_id = id.get<std::string>();
  else if (id.is_number_integer()) contest.contest_id = id.dump();
  else fail(where, "field 'contest_id': expected a string or an integer, found " + id.dump());
  const std::string here = where + " (contest " + contest.contest_id + ")";

  const json& scoring = field(c, "scoring", here);
  if (scoring == "points") contest.scoring = results::ContestScoring::points;
  else if (scoring == "icpc") contest.scoring = results::ContestScoring::icpc;
  else fail(here, "field 'scoring': expected \"points\" or \"icpc\", found " + scoring.dump());

  const json& problems = field(c, "problems", here);
  if (!problems.is_array() || problems.empty()) fail(here, "field 'problems': expected a non-empty array");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    const std::string pw = here + " problems[" + std::to_string(i) + "]";
    const json& p = problems[i];
    if (!p.is_object()) fail(pw, "expected {\"index\": ..., \"points\": ...}");
    const json& index = field(p, "index", pw);
    if (!index.is_string() || index.get<std::string>().empty()) fail(pw, "field 'index': expected a non-empty string");
    if (!seen.insert(index.get<std::string>()).second) fail(pw, "duplicate index '" + index.get<std::string>() + "'");
    const bool points = contest.scoring == results::ContestScoring::points;
    const double value = number_field(p, "points", pw, points);
    if (points && value <= 0) fail(pw, "field 'points': expected a positive number");
    contest.problems.push_back({index.get<std::string>(), value});
  }

  const json& participants = field(c, "participants", here);
  if (!participants.is_array() || participants.empty()) fail(here, "field 'participants': expected a non-empty array");
  for (std::size_t i = 0; i < participants.size(); ++i) {
    const std::string pw = here + " participants[" + std::to_string(i) + "]";
    const json& p = participants[i];
    if (!p.is_object()) fail(pw, "expected {\"rating\": ..., \"score\": ..., \"penalty\": ...}");
    results::ContestParticipant one;
    one.rating = number_field(p, "rating", pw, true);
    one.score = number_field(p, "score", pw, true);
    one.penalty = number_field(p, "penalty", pw, false);
    if (one.score < 0 || one.penalty < 0) fail(pw, "score and penalty must not be negative");
    contest.participants.push_back(one);
  }
  return contest;
}

}  // namespace

std::vector<results::ContestStandings> parse_contest_standings(std::string_view json_text,
                                                               const std::string& display_name) {
  json doc;
  try {
    doc = json::parse(json_text);
  } catch (const json::exception& e) {  // also out_of_range: a number past double
    fail(display_name, std::string("not valid JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) fail(display_name, "expected {\"contests\": [...]}");
  const json& contests = field(doc, "contests", display_name);
  if (!contests.is_array() || contests.empty()) fail(display_name, "field 'contests': expected a non-empty array");
  std::vector<results::ContestStandings> out;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < contests.size(); ++i) {
    out.push_back(parse_contest(contests[i], display_name + ": contests[" + std::to_string(i) + "]"));
    if (!ids.insert(out.back().contest_id).second)
      fail(display_name, "contest " + out.back().contest_id + " appears twice");
  }
  return out;
}

std::vector<results::ContestStandings> load_contest_standings(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot read the standings file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_contest_standings(text.str(), path);
}

}  // namespace r1eval::harness
