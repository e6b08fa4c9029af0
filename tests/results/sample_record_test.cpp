#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "results/sample_record.h"

namespace r1eval::results {
namespace {

SampleRecord full_record() {
  SampleRecord r;
  r.task = "gpqa_diamond";
  r.problem_id = "rec-017";
  r.sample_index = 5;
  r.seed = 18446744073709551557ull;  // above INT64_MAX: must survive as unsigned
  r.prompt = "Answer the following multiple choice question.\nA) 1\nB) 2";
  r.response = "<think>\nquotes \" backslash \\ tab \t unicode ✓</think>\nAnswer: B";
  r.finish_reason = "stop";
  r.prompt_tokens = 120;
  r.completion_tokens = 31000;
  r.gold = "B";
  r.extracted = "B";
  r.correct = true;
  r.reason = "letter matches";
  r.generate_seconds = 12.5;
  r.grade_micros = 3.25;
  r.choice_order = {2, 0, 3, 1};
  r.attributes = {{"subject", "Physics"}, {"domain", "Quantum"}};
  return r;
}

void expect_same(const SampleRecord& a, const SampleRecord& b) {
  EXPECT_EQ(a.task, b.task);
  EXPECT_EQ(a.problem_id, b.problem_id);
  EXPECT_EQ(a.sample_index, b.sample_index);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.prompt, b.prompt);
  EXPECT_EQ(a.response, b.response);
  EXPECT_EQ(a.finish_reason, b.finish_reason);
  EXPECT_EQ(a.prompt_tokens, b.prompt_tokens);
  EXPECT_EQ(a.completion_tokens, b.completion_tokens);
  EXPECT_EQ(a.gold, b.gold);
  EXPECT_EQ(a.extracted, b.extracted);
  EXPECT_EQ(a.correct, b.correct);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.generate_seconds, b.generate_seconds);
  EXPECT_EQ(a.grade_micros, b.grade_micros);
  EXPECT_EQ(a.choice_order, b.choice_order);
  EXPECT_EQ(a.attributes, b.attributes);
}

TEST(SampleRecordJson, RoundTripsEveryField) {
  const SampleRecord r = full_record();
  expect_same(record_from_json(to_json(r)), r);
  // and through text, as the store does
  expect_same(record_from_json(nlohmann::json::parse(to_json(r).dump())), r);
}

TEST(SampleRecordJson, MissingExtractedIsNull) {
  SampleRecord r = full_record();
  r.extracted.reset();
  const nlohmann::json j = to_json(r);
  ASSERT_TRUE(j.contains("extracted"));
  EXPECT_TRUE(j["extracted"].is_null());
  EXPECT_FALSE(record_from_json(j).extracted.has_value());
}

TEST(SampleRecordJson, IgnoresUnknownFieldsAndDefaultsOptionalOnes) {
  const nlohmann::json j = {{"task", "aime24"}, {"problem_id", "2024-I-1"}, {"sample_index", 0}, {"seed", 42},
                            {"response", "\\boxed{204}"}, {"correct", true}, {"written_by", "another tool"},
                            {"attributes", {{"year", "2024"}}}};
  const SampleRecord r = record_from_json(j);
  EXPECT_EQ(r.problem_id, "2024-I-1");
  EXPECT_EQ(r.prompt_tokens, -1);
  EXPECT_EQ(r.completion_tokens, -1);
  EXPECT_FALSE(r.extracted.has_value());
  EXPECT_TRUE(r.choice_order.empty());
  EXPECT_EQ(r.attributes, (std::vector<std::pair<std::string, std::string>>{{"year", "2024"}}));
}

std::string error_of(const nlohmann::json& j) {
  try {
    record_from_json(j);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SampleRecordJson, MissingOrMistypedFieldsAreNamed) {
  const nlohmann::json good = to_json(full_record());
  for (const char* field : {"task", "problem_id", "sample_index", "seed", "response", "correct"}) {
    nlohmann::json j = good;
    j.erase(field);
    const std::string message = error_of(j);
    EXPECT_NE(message.find("missing field '" + std::string(field) + "'"), std::string::npos) << message;
  }
  const std::pair<const char*, nlohmann::json> mistyped[] = {
      {"sample_index", "3"}, {"seed", -1},         {"correct", 1},          {"prompt_tokens", 1.5},
      {"extracted", 7},      {"choice_order", "x"}, {"generate_seconds", "1"}, {"sample_index", 1ull << 40},
  };
  for (const auto& [field, value] : mistyped) {
    nlohmann::json j = good;
    j[field] = value;
    const std::string message = error_of(j);
    EXPECT_NE(message.find("field '" + std::string(field) + "'"), std::string::npos) << field << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  nlohmann::json j = good;
  j["choice_order"] = {0, "b"};
  EXPECT_NE(error_of(j).find("choice_order[1]"), std::string::npos) << error_of(j);
  j = good;
  j["attributes"] = {{"level", 5}};  // object form with a non-string value
  EXPECT_NE(error_of(j).find("attributes.level"), std::string::npos) << error_of(j);
  EXPECT_NE(error_of(nlohmann::json::array()).find("expected a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace r1eval::results
