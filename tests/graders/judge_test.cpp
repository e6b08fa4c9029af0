#include "graders/judge.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace r1eval::graders {
namespace {

std::vector<nlohmann::json> run(const std::string& input, JudgeKind kind) {
  std::istringstream in(input);
  std::ostringstream out;
  judge_jsonl(in, out, kind);
  std::vector<nlohmann::json> rows;
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

TEST(Judge, MathAddsVerdictFieldsAndKeepsTheObject) {
  const auto rows = run(
      R"J({"id": 7, "gold": "\\frac12", "response": "so \\boxed{0.5}"})J"
      "\n\n"
      R"J({"gold": "3", "response": "no answer here, sorry"})J"
      "\n",
      JudgeKind::kMath);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["id"], 7);
  EXPECT_EQ(rows[0]["correct"], true);
  EXPECT_EQ(rows[0]["extracted"], "0.5");
  EXPECT_EQ(rows[0]["reason"], "numeric equal");
  EXPECT_TRUE(rows[0]["micros"].is_number_integer());
  EXPECT_EQ(rows[1]["correct"], false);
  EXPECT_TRUE(rows[1]["extracted"].is_null());
}

TEST(Judge, ChoiceComparesLetters) {
  const auto rows = run(R"J({"gold": "B", "response": "Answer: (B)"})J" "\n", JudgeKind::kChoice);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["correct"], true);
  EXPECT_EQ(rows[0]["extracted"], "B");
}

TEST(Judge, BadLinesNameTheLineAndTheField) {
  const auto message = [](const std::string& input) {
    std::istringstream in(input);
    std::ostringstream out;
    try {
      judge_jsonl(in, out, JudgeKind::kMath, "pairs.jsonl");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("{\"gold\": \"1\", \"response\": \"\\\\boxed{1}\"}\nnot json\n"),
            "pairs.jsonl:2: expected one JSON object per line");
  EXPECT_EQ(message("{\"response\": \"x\"}\n"), "pairs.jsonl:1: expected string field \"gold\"");
  EXPECT_EQ(message("{\"gold\": 3, \"response\": \"x\"}\n"), "pairs.jsonl:1: expected string field \"gold\"");
  EXPECT_EQ(message("[1, 2]\n"), "pairs.jsonl:1: expected a JSON object");
}

}  // namespace
}  // namespace r1eval::graders
