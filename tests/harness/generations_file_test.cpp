#include "harness/generations_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;
using testing::scratch_dir;
using testing::write_text;

std::filesystem::path file_with(const std::string& name, const std::string& text) {
  const auto path = scratch_dir("generations_" + name) / "g.jsonl";
  write_text(path, text);
  return path;
}

TEST(GenerationsFile, ReadsOneSamplePerLineAndListsOfResponses) {
  const auto path = file_with("ok",
                              "{\"problem_id\": \"a\", \"response\": \"r0\", \"sample_index\": 2, \"finish_reason\": \"stop\","
                              " \"completion_tokens\": 12}\n"
                              "\n"
                              "{\"id\": 60, \"responses\": [\"x\", \"y\"]}\n"
                              "{\"problem\": \"What is 1+1?\", \"output\": \"2\", \"gold\": \"B\", \"choice_order\": [1,0,2,3]}\n");
  const auto samples = read_generations_file(path);
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_EQ(*samples[0].problem_id, "a");
  EXPECT_EQ(*samples[0].sample_index, 2);
  EXPECT_EQ(samples[0].finish_reason, "stop");
  EXPECT_EQ(samples[0].completion_tokens, 12);
  EXPECT_EQ(*samples[1].problem_id, "60");
  EXPECT_EQ(samples[1].response, "x");
  EXPECT_EQ(*samples[2].sample_index, 1);
  EXPECT_EQ(samples[2].line, 3u);
  EXPECT_EQ(*samples[3].problem_text, "What is 1+1?");
  EXPECT_EQ(*samples[3].gold, "B");
  EXPECT_EQ(samples[3].choice_order, (std::vector<int>{1, 0, 2, 3}));
}

struct BadCase {
  const char* name;
  const char* text;
  const char* message;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }

class GenerationsFileBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(GenerationsFileBadInput, NamesFileLineAndField) {
  const auto path = file_with(GetParam().name, GetParam().text);
  try {
    read_generations_file(path);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr(path.string()));
    EXPECT_THAT(e.what(), HasSubstr(GetParam().message));
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, GenerationsFileBadInput,
    ::testing::Values(BadCase{"json", "{\"id\": \"a\", \"response\": \"x\"}\n{oops\n", ":2: not valid JSON"},
                      BadCase{"object", "[1,2]\n", ":1: expected a JSON object"},
                      BadCase{"noid", "{\"response\": \"x\"}\n", ":1: expected a problem identity"},
                      BadCase{"noresponse", "{\"id\": \"a\"}\n", ":1: expected a response"},
                      BadCase{"type", "{\"id\": \"a\", \"response\": 5}\n", "field 'response': expected a string"},
                      BadCase{"idtype", "{\"id\": [1], \"response\": \"x\"}\n", "field 'id'"},
                      BadCase{"index", "{\"id\": \"a\", \"response\": \"x\", \"sample_index\": -1}\n",
                              "field 'sample_index'"},
                      BadCase{"list", "{\"id\": \"a\", \"responses\": []}\n", "field 'responses'"},
                      BadCase{"tokens", "{\"id\": \"a\", \"response\": \"x\", \"completion_tokens\": \"9\"}\n",
                              "field 'completion_tokens'"},
                      BadCase{"empty", "\n\n", "no samples"}),
    [](const auto& test_param) { return std::string(test_param.param.name); });

TEST(GenerationsFile, MissingFileIsNamed) {
  EXPECT_THROW(read_generations_file("/nonexistent/g.jsonl"), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::harness
