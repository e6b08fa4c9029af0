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

// Other tools' lines as they save them.
TEST(GenerationsFile, ReadsOtherToolsLinesAsTheySaveThem) {
  const auto path = file_with(
      "formats",
      // lm-evaluation-harness --log_samples
      R"({"doc_id": 0, "doc": {"id": 60, "problem": "p60", "answer": "204"}, "target": "204", )"
      R"("arguments": {"gen_args_0": {"arg_0": "the prompt", "arg_1": {}}}, "resps": [["r1", "r2"]], "filtered_resps": ["r1"]})" "\n"
      // OpenAI Batch API output, with a reasoning returned apart
      R"({"id": "batch_req_1", "custom_id": "61", "response": {"status_code": 200, "body": {"choices": [)"
      R"({"index": 0, "message": {"role": "assistant", "content": "\\boxed{5}", "reasoning_content": "think"}, "finish_reason": "stop"}]}}})" "\n"
      // vLLM RequestOutput beside an id
      R"({"problem_id": "62", "prompt": "p", "outputs": [{"text": "a", "finish_reason": "length"}, {"text": "b", "finish_reason": "stop"}]})" "\n"
      // DeepSeek API style, SGLang finish_reason
      R"({"id": "63", "reasoning_content": "hmm", "content": "42", "finish_reason": {"type": "stop", "matched": 1}})" "\n");
  const auto samples = read_generations_file(path);
  ASSERT_EQ(samples.size(), 6u);
  EXPECT_EQ(*samples[0].problem_id, "60");
  EXPECT_EQ(*samples[0].problem_text, "p60");
  EXPECT_EQ(*samples[0].prompt, "the prompt");
  EXPECT_EQ(*samples[0].gold, "204");
  EXPECT_EQ(samples[1].response, "r2");
  EXPECT_EQ(*samples[1].sample_index, 1);
  EXPECT_EQ(*samples[2].problem_id, "61");
  EXPECT_EQ(samples[2].response, "<think>\nthink\n</think>\n\n\\boxed{5}");
  EXPECT_EQ(samples[2].finish_reason, "stop");
  EXPECT_EQ(samples[3].response, "a");
  EXPECT_EQ(samples[3].finish_reason, "length");
  EXPECT_EQ(samples[4].finish_reason, "stop");
  EXPECT_EQ(samples[5].response, "<think>\nhmm\n</think>\n\n42");
  EXPECT_EQ(samples[5].finish_reason, "stop");
}

// A completion object's usage gives its one sample's token counts; a whole float id is an integer id.
TEST(GenerationsFile, UsageTokensAndWholeFloatIds) {
  const auto path = file_with("usage",
                              R"({"id": 60.0, "choices": [{"message": {"content": "a"}}], "usage": {"prompt_tokens": 7, "completion_tokens": 9}})" "\n");
  const auto samples = read_generations_file(path);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(*samples[0].problem_id, "60");
  EXPECT_EQ(samples[0].prompt_tokens, 7);
  EXPECT_EQ(samples[0].completion_tokens, 9);
}

// One request per line (completion objects, vLLM outputs, batch lines): their samples take the next free
// index of their problem, so two lines of one problem are samples 0 and 1; a "choices" list of option
// strings is a multiple-choice line's own field.
TEST(GenerationsFile, OneRequestPerLineShapesLeaveTheIndexFree) {
  const auto path = file_with("per_line",
                              R"({"id": "60", "choices": [{"message": {"content": "a"}}]})" "\n"
                              R"({"id": "60", "choices": [{"message": {"content": "b"}}]})" "\n"
                              R"({"id": "61", "response": "Answer: A", "choices": ["1 eV", "2 eV", "3 eV", "4 eV"]})" "\n");
  const auto samples = read_generations_file(path);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_FALSE(samples[0].sample_index);
  EXPECT_FALSE(samples[1].sample_index);
  EXPECT_EQ(samples[2].response, "Answer: A");
}

TEST(GenerationsFile, AFailedBatchRequestIsNamed) {
  const auto path = file_with("batch_failed", R"({"custom_id": "7", "response": {"status_code": 429, "body": {}}})" "\n");
  try {
    (void)read_generations_file(path);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("g.jsonl:1: the batch request of '\"7\"' failed with status 429"));
  }
  const auto errored = file_with("batch_error", R"({"custom_id": "8", "response": null, "error": {"message": "boom"}})" "\n");
  try {
    (void)read_generations_file(errored);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("g.jsonl:1: the batch request of '\"8\"' failed: boom"));
  }
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
