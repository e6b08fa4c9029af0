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

// Model output with invalid UTF-8 or an escaped lone surrogate (Python's json for surrogate-escaped bytes)
// is graded with U+FFFD in its place; the lines after it are graded too.
TEST(Judge, InvalidUnicodeInAResponseDoesNotStopTheStream) {
  const auto rows = run(
      "{\"gold\": \"B\", \"response\": \"caf\xff Answer: B\"}\n"
      R"J({"gold": "C", "response": "\udc80 Answer: C \ud83d\ude00"})J"
      "\n"
      R"J({"gold": "D", "response": "Answer: D"})J"
      "\n",
      JudgeKind::kChoice);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) EXPECT_TRUE(row["correct"].get<bool>()) << row.dump();
  EXPECT_EQ(rows[0]["response"], "caf\xef\xbf\xbd Answer: B");
  EXPECT_EQ(rows[1]["response"], "\xef\xbf\xbd Answer: C \xf0\x9f\x98\x80");  // a valid pair is kept
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
