// --problem-ratings and --standings: the files' formats, their errors, and their effect on `grade` and
// `report` end to end (the real binary over a small open-r1-layout set without ratings, and a generated
// open-r1 Python checker problem).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/contest_standings.h"
#include "harness/problem_ratings.h"
#include "tests/harness/test_support.h"

namespace r1eval::harness {
namespace {

using nlohmann::json;

TEST(ProblemRatings, PlainObjectMatchesIdsIgnoringCaseAndSeparators) {
  const ProblemRatings r = ProblemRatings::parse(R"({"1971A": 800, "1971/b": 1200})", "r.json");
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.find("1971A"), 800);
  EXPECT_EQ(r.find("1971/A"), 800);
  EXPECT_EQ(r.find("1971B"), 1200);
  EXPECT_EQ(r.find("1971C"), std::nullopt);
}

TEST(ProblemRatings, CodeforcesApiResponseSkipsUnratedProblems) {
  const ProblemRatings r = ProblemRatings::parse(
      R"({"status": "OK", "result": {"problems": [
           {"contestId": 1971, "index": "A", "name": "x", "rating": 800, "tags": []},
           {"contestId": 1971, "index": "H", "name": "new, unrated", "tags": []},
           {"contestId": 2000, "index": "D1", "rating": 2100}],
         "problemStatistics": []}})",
      "api.json");
  EXPECT_EQ(r.size(), 2u);
  EXPECT_EQ(r.find("1971A"), 800);
  EXPECT_EQ(r.find("2000D1"), 2100);
  EXPECT_EQ(r.find("1971H"), std::nullopt);
}

void expect_error(const std::string& text, const std::string& fragment) {
  try {
    ProblemRatings::parse(text, "r.json");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).rfind("r.json", 0), 0u) << e.what();
  }
}

TEST(ProblemRatings, BadFilesNameTheEntry) {
  expect_error("[1, 2]", "expected {\"1971A\": 800");
  expect_error("{}", "expected {\"1971A\": 800");
  expect_error("not json", "not valid JSON");
  expect_error(R"({"1971A": "hard"})", "'1971A': expected a rating");
  expect_error(R"({"1971A": 812.5})", "from 0 to 10000");
  expect_error(R"({"result": {"problems": [{"index": "A", "rating": 800}]}})", "result.problems[0]: field 'contestId'");
  expect_error(R"({"result": {"problems": [{"contestId": 1, "index": "A"}]}})", "no problem in 'result.problems' has a rating");
}

const char* kStandings = R"({"contests": [
  {"contest_id": 1, "scoring": "points",
   "problems": [{"index": "A", "points": 500}, {"index": "B", "points": 1000}],
   "participants": [{"rating": 2000, "score": 1500}, {"rating": 1600, "score": 900},
                    {"rating": 1200, "score": 500}, {"rating": 900, "score": 0}]},
  {"contest_id": "2", "scoring": "icpc",
   "problems": [{"index": "A"}],
   "participants": [{"rating": 1500, "score": 1, "penalty": 3}, {"rating": 1100, "score": 0}]}]})";

TEST(ContestStandings, ParsesBothScoringKinds) {
  const auto contests = parse_contest_standings(kStandings, "s.json");
  ASSERT_EQ(contests.size(), 2u);
  EXPECT_EQ(contests[0].contest_id, "1");
  EXPECT_EQ(contests[0].scoring, results::ContestScoring::points);
  EXPECT_DOUBLE_EQ(contests[0].problems[1].points, 1000);
  EXPECT_EQ(contests[0].participants.size(), 4u);
  EXPECT_EQ(contests[1].scoring, results::ContestScoring::icpc);
  EXPECT_DOUBLE_EQ(contests[1].participants[0].penalty, 3);
  EXPECT_DOUBLE_EQ(contests[1].participants[1].penalty, 0);
}

TEST(ContestStandings, BadFilesNameContestAndField) {
  auto message = [](const std::string& text) {
    try {
      parse_contest_standings(text, "s.json");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message(R"({"contests": []})").find("expected a non-empty array"), std::string::npos);
  EXPECT_NE(message(R"({"contests": [{"contest_id": 5, "scoring": "ioi"}]})").find("contest 5): field 'scoring'"),
            std::string::npos);
  EXPECT_NE(message(R"({"contests": [{"contest_id": 5, "scoring": "points", "problems": [{"index": "A"}],
                        "participants": [{"rating": 1, "score": 1}]}]})")
                .find("problems[0]: missing field 'points'"),
            std::string::npos);
  EXPECT_NE(message(R"({"contests": [{"contest_id": 5, "scoring": "icpc", "problems": [{"index": "A"}],
                        "participants": [{"score": 1}]}]})")
                .find("participants[0]: missing field 'rating'"),
            std::string::npos);
}

// Two echo problems of contest 1 without ratings, and one problem of contest 1 whose checker (open-r1
// convention) accepts any two positive numbers summing to n.
std::filesystem::path make_data(const std::string& name) {
  const auto dir = testing::scratch_dir(name);
  std::filesystem::create_directories(dir / "codeforces/open-r1");
  std::string rows;
  for (const std::string index : {"A", "B"}) {
    rows += json{{"id", "1/" + index}, {"contest_id", "1"}, {"index", index}, {"title", "Echo"},
                 {"description", "Print the input."}, {"time_limit", 1.0}, {"memory_limit", 256.0},
                 {"official_tests", {{{"input", "5\n"}, {"output", "5\n"}}}}, {"input_mode", "stdio"}}
                .dump() + "\n";
  }
  const std::string checker =
      "import sys\nn = int(open(sys.argv[1]).read())\nx, y = map(int, open(sys.argv[3]).read().split())\n"
      "print(1 if x >= 1 and y >= 1 and x + y == n else 0)\n";
  rows += json{{"id", "1/C"}, {"contest_id", "1"}, {"index", "C"}, {"title", "Split"},
               {"description", "Print x, y >= 1 with x + y = n."}, {"time_limit", 1.0}, {"memory_limit", 256.0},
               {"official_tests", {{{"input", "10\n"}, {"output", "5 5\n"}}}}, {"input_mode", "stdio"},
               {"generated_checker", checker}}
              .dump() + "\n";
  testing::write_text(dir / "codeforces/open-r1/test.jsonl", rows);
  const std::string echo = "```python\nprint(input())\n```";
  const std::string split = "```python\nn = int(input())\nprint(1, n - 1)\n```";
  std::string generations;
  generations += json{{"problem_id", "1/A"}, {"responses", {echo, echo}}}.dump() + "\n";
  generations += json{{"problem_id", "1/B"}, {"responses", {"no program", echo}}}.dump() + "\n";
  generations += json{{"problem_id", "1/C"}, {"responses", {split, "no program"}}}.dump() + "\n";
  testing::write_text(dir / "g.jsonl", generations);
  testing::write_text(dir / "ratings.json", R"({"1A": 800, "1B": 1600})");
  testing::write_text(dir / "standings.json", kStandings);
  return dir;
}

std::string common_args(const std::filesystem::path& dir) {
  return "--data-dir " + dir.string() + " --data-dir " + testing::shared_data() + " --offline";
}

TEST(RatingsCli, GradeAppliesProblemRatingsAndStandings) {
  const auto dir = make_data("ratings_cli_grade");
  const auto r = testing::run_r1eval("grade --task codeforces_openr1 --generations " + (dir / "g.jsonl").string() +
                                     " --out " + (dir / "run").string() + " --format json " + common_args(dir) +
                                     " --problem-ratings " + (dir / "ratings.json").string() + " --standings " +
                                     (dir / "standings.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("excluded"), std::string::npos) << r.err;  // the Python-checker problem is graded
  const json scores = json::parse(testing::read_text(dir / "run/scores.json"));
  const json& task = scores["tasks"][0];
  EXPECT_EQ(task["problems"], 3);
  // 1A 2/2, 1B 1/2, 1C 1/2 (checker accepted "1 9" for n = 10); 1C has no rating: left out and counted.
  EXPECT_NEAR(task["pass1"]["value"].get<double>(), (1.0 + 0.5 + 0.5) / 3, 1e-12);
  EXPECT_EQ(task["rating"]["rated_problems"], 2);
  EXPECT_EQ(task["rating"]["problems"], 3);
  EXPECT_TRUE(task["rating"].contains("percentile"));
  // Contest 1: A at once (500), B after one rejection (950), C at once (0 points: not in the standings).
  const json& contest = task["contest_rating"]["contests"][0];
  EXPECT_EQ(task["contest_rating"]["contests"].size(), 1u);  // contest 2 has no problem in this run
  EXPECT_EQ(contest["contest_id"], "1");
  EXPECT_DOUBLE_EQ(contest["score"].get<double>(), 1450);
  EXPECT_DOUBLE_EQ(contest["rank"].get<double>(), 2);
  EXPECT_EQ(contest["solved"], 2);
  const std::string report = testing::read_text(dir / "run/report.md");
  EXPECT_NE(report.find("rated on 2 of 3 problems"), std::string::npos) << report;
  EXPECT_NE(report.find("CodeElo contest method, mean over 1 contests"), std::string::npos) << report;

  // report re-scores the run with the same files, and without them has no rating at all.
  const auto again = testing::run_r1eval("report " + (dir / "run").string() + " --format json " + common_args(dir) +
                                         " --problem-ratings " + (dir / "ratings.json").string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(json::parse(again.out)["tasks"][0]["rating"]["rated_problems"], 2);
  const auto plain = testing::run_r1eval("report " + (dir / "run").string() + " --format json " + common_args(dir));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_FALSE(json::parse(plain.out)["tasks"][0].contains("rating"));
}

TEST(RatingsCli, BadFilesAreOneLineAndExitTwoWithNothingWritten) {
  const auto dir = make_data("ratings_cli_bad");
  testing::write_text(dir / "bad.json", R"({"1A": "easy"})");
  const auto r = testing::run_r1eval("grade --task codeforces_openr1 --generations " + (dir / "g.jsonl").string() +
                                     " --out " + (dir / "run").string() + " " + common_args(dir) +
                                     " --problem-ratings " + (dir / "bad.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'1A': expected a rating"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "run"));
  testing::write_text(dir / "other.json",
                      R"({"contests": [{"contest_id": 99, "scoring": "icpc", "problems": [{"index": "A"}],
                           "participants": [{"rating": 1500, "score": 1}]}]})");
  const auto unmatched = testing::run_r1eval("grade --task codeforces_openr1 --generations " +
                                             (dir / "g.jsonl").string() + " --out " + (dir / "run2").string() + " " +
                                             common_args(dir) + " --standings " + (dir / "other.json").string());
  EXPECT_EQ(unmatched.exit_code, 2);
  EXPECT_NE(unmatched.err.find("no contest in the standings has a problem in this run"), std::string::npos)
      << unmatched.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "run2"));
}

}  // namespace
}  // namespace r1eval::harness
