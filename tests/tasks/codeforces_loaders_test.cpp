// The three code layouts on small synthetic files: accepted variants and every bad-input path.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "task_test_util.h"
#include "tasks/codeforces_loaders.h"
#include "tasks/codeforces_task.h"

namespace r1eval::tasks {
namespace {

using nlohmann::json;

std::string deepcoder_problem(const std::string& extra = "") {
  return "\nAdd two numbers.\n\nInput Format:\nTwo integers.\n\nOutput Format:\nTheir sum.\n\nTags:\n['math']\n\n" + extra +
         "Time Limit: 1500 ms\nMemory Limit: 512 MB\n";
}

std::string deepcoder_error(const json& problems, const json& ids) {
  return testing::error_of<DataError>([&] { parse_deepcoder_codeforces(problems.dump(), "p.json", ids.dump(), "ids.json"); });
}

TEST(DeepCoderLoader, ReadsListsStringsAndTesttypes) {
  const json problems = json::array({
      {{"problem", deepcoder_problem()}, {"tests", json::array({{{"input", "1 2"}, {"output", "3"}}})}},
      // Tests as a JSON string holding the list, with LiveCodeBench-style testtypes.
      {{"problem", "Guess.\nTime Limit: 2 seconds\n"},
       {"tests", json::array({{{"input", "5"}, {"output", "? 1"}, {"testtype", "interactive"}}}).dump()}},
      {{"problem", "No limits stated."}, {"tests", json::array({{{"input", ""}, {"output", "0"}, {"testtype", "stdin"}}})}},
  });
  const auto out = parse_deepcoder_codeforces(problems.dump(), "p.json", R"(["1A", "1972D1", "weird"])", "ids.json");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, "1A");
  EXPECT_EQ(out[0].code->contest_id, "1");
  EXPECT_EQ(out[0].code->index, "A");
  EXPECT_EQ(out[0].code->time_limit_ms, 1500);
  EXPECT_EQ(out[0].code->memory_limit_mb, 512);
  EXPECT_EQ(out[0].code->tags, std::vector<std::string>{"math"});
  EXPECT_FALSE(out[0].code->interactive);
  EXPECT_EQ(out[0].code->tests[0].output, "3");
  EXPECT_EQ(out[1].code->index, "D1");
  EXPECT_TRUE(out[1].code->interactive);
  EXPECT_EQ(out[1].code->time_limit_ms, 2000);
  EXPECT_EQ(out[1].code->memory_limit_mb, kDefaultMemoryLimitMb);
  EXPECT_EQ(out[2].code->time_limit_ms, kDefaultTimeLimitMs);
  EXPECT_EQ(out[2].code->contest_id, "");  // not of the contest+index form
  EXPECT_TRUE(out[2].code->checker.empty());
}

TEST(DeepCoderLoader, BadInputNamesFileEntryAndField) {
  const json good = {{"problem", deepcoder_problem()}, {"tests", json::array({{{"input", "1"}, {"output", "1"}}})}};
  EXPECT_EQ(testing::error_of<DataError>([] { parse_deepcoder_codeforces("[{", "p.json", "[]", "ids.json"); })
                .rfind("p.json: malformed JSON (", 0),
            0u);
  EXPECT_EQ(deepcoder_error(json::object(), json::array({"1A"})), "p.json: expected a JSON list of {problem, tests} objects, found object");
  EXPECT_EQ(deepcoder_error(json::array({good}), json::array({"1A", "1B"})),
            "ids.json: expected one id per problem of p.json (1), found 2");
  EXPECT_EQ(deepcoder_error(json::array({good, good}), json::array({"1A", "1A"})),
            "ids.json: entry 1: field 'id': duplicate id '1A' (first seen at entry 0)");
  EXPECT_EQ(deepcoder_error(json::array({good}), json::array({7})), "ids.json: entry 0: field 'id': expected a non-empty string");
  json no_tests = good;
  no_tests.erase("tests");
  EXPECT_EQ(deepcoder_error(json::array({good, no_tests}), json::array({"1A", "1B"})),
            "p.json: entry 1: field 'tests': missing (expected a list of {input, output} tests)");
  json bad_output = good;
  bad_output["tests"][0]["output"] = 3;
  EXPECT_EQ(deepcoder_error(json::array({bad_output}), json::array({"1A"})),
            "p.json: entry 0: field 'tests[0].output': expected a string, found number");
  json not_json = good;
  not_json["tests"] = "[{oops";
  EXPECT_EQ(deepcoder_error(json::array({not_json}), json::array({"1A"})),
            "p.json: entry 0: field 'tests': expected a list or a JSON string holding a list, found a string that is not JSON");
  json functional = good;
  functional["tests"][0]["testtype"] = "functional";
  EXPECT_EQ(deepcoder_error(json::array({functional}), json::array({"1A"})),
            "p.json: entry 0: field 'tests[0].testtype': expected 'stdin' or 'interactive', found 'functional'");
  json empty_tests = good;
  empty_tests["tests"] = json::array();
  EXPECT_EQ(deepcoder_error(json::array({empty_tests}), json::array({"1A"})),
            "p.json: entry 0: field 'tests': expected at least one test");
  json bad_limit = good;
  bad_limit["problem"] = "Sum.\nTime Limit: soon\n";
  EXPECT_EQ(deepcoder_error(json::array({bad_limit}), json::array({"1A"})),
            "p.json: entry 0: field 'problem': line 'Time Limit: soon': expected a positive time such as '2000 ms', "
            "'2 seconds' or \"{'seconds': 2, 'nanos': 0}\"");
  json empty_statement = good;
  empty_statement["problem"] = "";
  EXPECT_EQ(deepcoder_error(json::array({empty_statement}), json::array({"1A"})),
            "p.json: entry 0: field 'problem': expected a non-empty string");
  EXPECT_EQ(deepcoder_error(json::array({"text"}), json::array({"1A"})), "p.json: entry 0: field 'problem': expected an object, found string");
}

TEST(CodeContestsLoader, ReadsColumnsAndRejectsMismatches) {
  const json ok = json::array({{{"problem", "P\nTime Limit: {'seconds': 1, 'nanos': 500000000}\nMemory Limit: 256000000 Bytes\n"},
                                {"tests", {{"inputs", {"1\n", "2\n"}}, {"outputs", {"a\n", "b\n"}}}}}});
  const auto out = parse_code_contests(ok.dump(), "cc.json");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "cc-0");
  EXPECT_EQ(out[0].code->time_limit_ms, 1500);
  EXPECT_EQ(out[0].code->memory_limit_mb, 256);
  ASSERT_EQ(out[0].code->tests.size(), 2u);
  EXPECT_EQ(out[0].code->tests[1].input, "2\n");
  EXPECT_EQ(out[0].code->tests[1].output, "b\n");

  auto error = [](const json& doc) { return testing::error_of<DataError>([&] { parse_code_contests(doc.dump(), "cc.json"); }); };
  json mismatch = ok;
  mismatch[0]["tests"]["outputs"] = {"a\n"};
  EXPECT_EQ(error(mismatch), "cc.json: entry 0: field 'tests.outputs': expected as many outputs as inputs (2), found 1");
  json bad_input = ok;
  bad_input[0]["tests"]["inputs"][1] = nullptr;
  EXPECT_EQ(error(bad_input), "cc.json: entry 0: field 'tests.inputs[1]': expected a string, found null");
  json no_outputs = ok;
  no_outputs[0]["tests"].erase("outputs");
  EXPECT_EQ(error(no_outputs), "cc.json: entry 0: field 'tests.outputs': missing (expected a list of strings)");
  json empty = ok;
  empty[0]["tests"] = {{"inputs", json::array()}, {"outputs", json::array()}};
  EXPECT_EQ(error(empty), "cc.json: entry 0: field 'tests.inputs': expected at least one test");
  EXPECT_EQ(error(json::array()), "cc.json: expected at least one entry in the list of {problem, tests} objects");
}

// One row in the open-r1/codeforces layout, with the fields the hub dataset has.
json open_r1_row() {
  return {{"id", "2031/B"},
          {"aliases", nullptr},
          {"contest_id", "2031"},
          {"contest_name", "Round 987"},
          {"index", "B"},
          {"time_limit", 1.5},
          {"memory_limit", 256.0},
          {"title", "Penchick and Satay Sticks"},
          {"description", "Sort a permutation."},
          {"input_format", "The first line contains n."},
          {"output_format", "Print YES or NO."},
          {"interaction_format", nullptr},
          {"note", "Swap neighbours."},
          {"examples", json::array({{{"input", "2\n2 1\n"}, {"output", "YES\n"}}})},
          {"editorial", "Not read."},
          {"rating", 1100},
          {"tags", {"brute force", "greedy"}},
          {"testset_size", 2},
          {"official_tests", json::array({{{"input", "2\n2 1\n"}, {"output", "YES\n"}}, {{"input", "1\n1\n"}, {"output", "YES\n"}}})},
          {"official_tests_complete", true},
          {"input_mode", "stdio"},
          {"generated_checker", nullptr},
          {"executable", true}};
}

std::string jsonl(const std::vector<json>& rows) {
  std::string text;
  for (const auto& row : rows) text += row.dump() + "\n";
  return text;
}

TEST(OpenR1Loader, SyntheticFileThroughTheTask) {
  const auto dir = testing::scratch_dir();
  json interactive = open_r1_row();
  interactive["id"] = "2032/D";
  interactive["contest_id"] = 2032;
  interactive["index"] = "D";
  interactive["interaction_format"] = "Ask at most 2n queries.";
  interactive["official_tests"] = nullptr;  // falls back to the examples
  interactive["rating"] = nullptr;
  interactive["time_limit"] = nullptr;
  interactive["generated_checker"] = "import sys\nprint(1)\n";
  interactive["input_mode"] = "file";
  testing::write_file(dir / "codeforces/open-r1/test.jsonl", jsonl({open_r1_row(), interactive}));
  const DataLocator locator(testing::offline_options({dir}));
  const auto problems = find_task("codeforces_openr1")->load(locator);
  ASSERT_EQ(problems.size(), 2u);

  const Problem& b = problems[0];
  EXPECT_EQ(b.id, "2031/B");
  const CodeSpec& spec = *b.code;
  EXPECT_EQ(spec.contest_id, "2031");
  EXPECT_EQ(spec.index, "B");
  EXPECT_EQ(spec.time_limit_ms, 1500);
  EXPECT_EQ(spec.memory_limit_mb, 256);
  EXPECT_EQ(spec.rating, 1100);
  EXPECT_EQ(spec.tags, (std::vector<std::string>{"brute force", "greedy"}));
  ASSERT_EQ(spec.tests.size(), 2u);
  EXPECT_EQ(spec.tests[1].input, "1\n1\n");
  EXPECT_FALSE(spec.interactive);
  EXPECT_TRUE(spec.stdio);
  EXPECT_TRUE(spec.checker.empty());
  EXPECT_EQ(b.question,
            "Penchick and Satay Sticks\n\nSort a permutation.\n\n"
            "Input Format:\nThe first line contains n.\n\n"
            "Output Format:\nPrint YES or NO.\n\n"
            "Example 1 input:\n```\n2\n2 1\n```\nExample 1 output:\n```\nYES\n```\n\n"
            "Note:\nSwap neighbours.\n\n"
            "Time Limit: 1500 ms\nMemory Limit: 256 MB\n");

  const CodeSpec& d = *problems[1].code;
  EXPECT_EQ(d.contest_id, "2032");
  EXPECT_TRUE(d.interactive);
  EXPECT_FALSE(d.rating.has_value());
  EXPECT_EQ(d.time_limit_ms, kDefaultTimeLimitMs);
  ASSERT_EQ(d.tests.size(), 1u);
  EXPECT_EQ(d.tests[0].output, "YES\n");
  EXPECT_EQ(d.checker, "import sys\nprint(1)\n");
  EXPECT_EQ(d.checker_language, "python");
  EXPECT_FALSE(d.stdio);
  EXPECT_NE(problems[1].question.find("Interaction Format:\nAsk at most 2n queries."), std::string::npos);
  EXPECT_EQ(find_task("codeforces_openr1")->prompt(problems[0], 1, 2).user, code_prompt(b.question));
}

TEST(OpenR1Loader, BadRowsNameLineAndField) {
  auto error = [](const json& second_row) {
    return testing::error_of<DataError>([&] { parse_open_r1_codeforces(jsonl({open_r1_row(), second_row}), "cf.jsonl"); });
  };
  auto with = [](const char* field, json value) {
    json row = open_r1_row();
    row["id"] = "2031/C";
    row[field] = std::move(value);
    return row;
  };
  EXPECT_EQ(error(open_r1_row()), "cf.jsonl:2: field 'id': duplicate id '2031/B' (first seen at line 1)");
  json no_description = with("id", "2031/C");
  no_description.erase("description");
  EXPECT_EQ(error(no_description), "cf.jsonl:2: field 'description': missing (expected a string)");
  EXPECT_EQ(error(with("time_limit", "2s")), "cf.jsonl:2: field 'time_limit': expected a number, found string");
  EXPECT_EQ(error(with("memory_limit", -1)), "cf.jsonl:2: field 'memory_limit': expected a positive number, found -1");
  EXPECT_EQ(error(with("rating", 1100.5)), "cf.jsonl:2: field 'rating': expected a rating from 0 to 10000, found 1100.5");
  EXPECT_EQ(error(with("tags", json::array({"ok", 3}))), "cf.jsonl:2: field 'tags[1]': expected a string, found number");
  EXPECT_EQ(error(with("official_tests", json::array({{{"input", "1"}}}))),
            "cf.jsonl:2: field 'official_tests[0].output': missing (expected a string)");
  EXPECT_EQ(error(with("input_mode", "socket")), "cf.jsonl:2: field 'input_mode': expected 'stdio' or 'file', found 'socket'");
  EXPECT_EQ(error(with("contest_id", 1.5)), "cf.jsonl:2: field 'contest_id': expected a string or an integer, found number");
  json no_tests = with("official_tests", json::array());
  no_tests["examples"] = nullptr;
  EXPECT_EQ(error(no_tests), "cf.jsonl:2: field 'official_tests': expected at least one test");
  EXPECT_EQ(testing::error_of<DataError>([] { parse_open_r1_codeforces("\n", "cf.jsonl"); }),
            "cf.jsonl: no problems in the file (expected JSON lines)");
}

TEST(CodeTasks, MissingFilesNameTheTask) {
  const DataLocator locator(testing::offline_options({testing::scratch_dir()}));
  for (const char* name : {"codeforces", "codecontests", "codeforces_openr1"}) {
    const std::string message = testing::error_of<DataError>([&] { find_task(name)->load(locator); });
    EXPECT_EQ(message.rfind(std::string(name) + ": ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(CodeTasks, DeepCoderNeedsItsIdFile) {
  const auto dir = testing::scratch_dir();
  testing::write_file(dir / "codeforces/deepcoder/codeforces_test.json",
                      json::array({{{"problem", "P"}, {"tests", json::array({{{"input", "1"}, {"output", "1"}}})}}}).dump());
  const DataLocator locator(testing::offline_options({dir}));
  const std::string message = testing::error_of<DataError>([&] { find_task("codeforces")->load(locator); });
  EXPECT_EQ(message.rfind("codeforces: ", 0), 0u) << message;
  EXPECT_NE(message.find("metadata_cf.json"), std::string::npos) << message;
  testing::write_file(dir / "codeforces/deepcoder/metadata_cf.json", R"(["1000Z"])");
  const auto problems = find_task("codeforces")->load(locator);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "1000Z");
}

}  // namespace
}  // namespace r1eval::tasks
