#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "golden_support.h"
#include "results/report.h"

namespace r1eval::results {
namespace {

Estimate estimate(double value, double se, double low, double high) { return Estimate{value, se, low, high}; }

// Two tasks with fixed, hand-written scores (no bootstrap involved), so the rendering alone is tested.
std::vector<TaskScores> sample_scores() {
  TaskScores aime;
  aime.task = "aime24";
  aime.problems = 30;
  aime.min_samples = 4;
  aime.max_samples = 4;
  aime.pass1 = estimate(0.283333, 0.0712, 0.15, 0.425);
  aime.pass_at = {{1, aime.pass1}, {2, estimate(0.36, 0.08, 0.2125, 0.5)}, {4, estimate(0.4, 0.0909, 0.233, 0.567)}};
  aime.cons_at = {{2, estimate(0.3, 0.0851, 0.1333, 0.4667)}, {4, estimate(0.3333, 0.0875, 0.1667, 0.5)}};
  aime.length = {11873.25, 10422.5};

  TaskScores math;
  math.task = "math500";
  math.problems = 3;
  math.min_samples = 2;
  math.max_samples = 3;
  math.pass1 = estimate(0.5, 0.2887, 0.0, 1.0);
  math.pass_at = {{1, math.pass1}, {2, estimate(0.6667, 0.3333, 0.0, 1.0)}};
  math.cons_at = {{2, estimate(0.6667, 0.3333, 0.0, 1.0)}};
  math.length = {512.0, 400.0};
  math.breakdowns["level"]["1"] = GroupScores{1, estimate(1.0, 0.0, 1.0, 1.0)};
  math.breakdowns["level"]["5"] = GroupScores{2, estimate(0.25, 0.25, 0.0, 0.5)};
  math.breakdowns["subject"]["Counting | Probability"] = GroupScores{3, math.pass1};
  return {aime, math};
}

ReferenceTable small_reference() {
  return parse_reference_table(R"({"name": "paper", "description": "a test table", "values": [
    {"model": "Distill-A", "task": "aime24", "metric": "pass@1", "value": 28.9, "source": "T5"},
    {"model": "Distill-A", "task": "aime24", "metric": "cons@64", "value": 52.7, "source": "T5"},
    {"model": "Distill-A", "task": "aime24", "metric": "cons@4", "value": 45.0, "source": "made up"},
    {"model": "Distill-B", "task": "aime24", "metric": "pass@1", "value": 55.5, "source": "T5"},
    {"model": "Distill-A", "task": "codeforces", "metric": "rating", "value": 954, "source": "T5"},
    {"model": "Distill-A", "task": "math500", "metric": "rating", "value": 1, "source": "not comparable"}]})");
}

using testing::expect_golden;
using testing::read_golden;

TEST(RenderMarkdown, MatchesGoldenWithReference) {
  const ReferenceTable reference = small_reference();
  expect_golden("report_with_reference.md", render_markdown(sample_scores(), &reference));
}

TEST(RenderMarkdown, MatchesGoldenWithoutReference) {
  expect_golden("report.md", render_markdown(sample_scores()));
}

TEST(RenderMarkdown, ComparisonRowsFollowTheTable) {
  const ReferenceTable reference = small_reference();
  const std::string md = render_markdown(sample_scores(), &reference);
  EXPECT_NE(md.find("| Distill-A | pass@1 | 28.9 | 28.3 | -0.6 | yes |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Distill-B | pass@1 | 55.5 | 28.3 | -27.2 | no |"), std::string::npos) << md;
  EXPECT_NE(md.find("| Distill-A | cons@4 | 45.0 | 33.3 | -11.7 | yes |"), std::string::npos) << md;
  EXPECT_NE(md.find("needs 64 samples per problem"), std::string::npos) << md;
  EXPECT_EQ(md.find("| 954"), std::string::npos) << "ratings are not accuracies";
  EXPECT_EQ(render_markdown(sample_scores(), &reference), md);
}

TEST(ScoresJson, RoundTripsExactly) {
  const std::vector<TaskScores> scores = sample_scores();
  const nlohmann::json j = scores_to_json(scores);
  const std::vector<TaskScores> back = scores_from_json(nlohmann::json::parse(j.dump()));
  ASSERT_EQ(back.size(), scores.size());
  EXPECT_EQ(scores_to_json(back), j);
  EXPECT_EQ(back[1].breakdowns.at("level").at("5").problems, 2);
  EXPECT_EQ(back[0].pass_at.at(4).ci_high, 0.567);
  EXPECT_EQ(back[0].cons_at.count(1), 0u);
  EXPECT_EQ(render_markdown(back), render_markdown(scores));
}

TEST(ScoresJson, ErrorsNameTheTaskAndField) {
  nlohmann::json j = scores_to_json(sample_scores());
  j["tasks"][1]["pass_at"]["two"] = j["tasks"][1]["pass_at"]["2"];
  try {
    scores_from_json(j);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("scores task 'math500' pass_at: key 'two'"), std::string::npos) << e.what();
  }
  j = scores_to_json(sample_scores());
  j["tasks"][0]["length"].erase("median");
  try {
    scores_from_json(j);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'aime24' length: missing field 'median'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(scores_from_json(nlohmann::json::array()), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::results
