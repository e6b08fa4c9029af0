// The r1eval binary end to end: exit codes, one-line errors, and the grade -> report path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_checks.h"
#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;
using testing::run_r1eval;

using testing::expect_one_line_error;

TEST(Cli, TasksListsTheRegistry) {
  const auto r = run_r1eval("tasks");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"aime24", "aime25", "math500", "gpqa_diamond"}) EXPECT_THAT(r.out, HasSubstr(name));
  EXPECT_THAT(r.out, HasSubstr("| 500 |"));
}

TEST(Cli, HelpAndVersionExitZero) {
  EXPECT_EQ(run_r1eval("--help").exit_code, 0);
  EXPECT_EQ(run_r1eval("grade --help").exit_code, 0);
  EXPECT_EQ(run_r1eval("--version").exit_code, 0);
}

TEST(Cli, BadUsageExitsTwo) {
  EXPECT_EQ(run_r1eval("").exit_code, 2);
  EXPECT_EQ(run_r1eval("grade --task math500").exit_code, 2);
  EXPECT_EQ(run_r1eval("no-such-command").exit_code, 2);
}

TEST(Cli, UnknownCommandsAreNamed) {
  expect_one_line_error(run_r1eval("no-such-command"), "unknown command 'no-such-command'");
  expect_one_line_error(run_r1eval("judge maths"), "unknown command 'maths' (expected one of: math, choice, code");
  expect_one_line_error(run_r1eval("prompts --task aime24 --samples 0"), "--samples: expected a number > 0, got '0'");
}

TEST(Cli, UnknownTaskListsTheKnownOnes) {
  const auto r = run_r1eval("prompts --task aime2099 --offline");
  expect_one_line_error(r, "unknown task 'aime2099'; known tasks: aime24, aime25, math500, gpqa_diamond");
}

TEST(Cli, UnknownReferenceTableIsNamed) {
  const auto dir = testing::scratch_dir("cli_ref");
  testing::write_text(dir / "g.jsonl", "{\"id\": \"60\", \"response\": \"x\"}\n");
  const auto r = run_r1eval("grade --task aime24 --offline --data-dir " + testing::shared_data() + " --generations " +
                            (dir / "g.jsonl").string() + " --out " + (dir / "run").string() + " --reference nope");
  expect_one_line_error(r, "nope");
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "samples.jsonl"));
}

TEST(Cli, GradeWritesARunAndReportReadsItBack) {
  const auto dir = testing::scratch_dir("cli_grade");
  // Two problems of AIME 2024, two samples each: 3 of 4 right.
  testing::write_text(dir / "g.jsonl",
                      "{\"id\": 60, \"responses\": [\"<think>x</think> \\\\boxed{204}\", \"\\\\boxed{203}\"]}\n"
                      "{\"id\": \"61\", \"response\": \"\\\\boxed{113}\", \"sample_index\": 0}\n"
                      "{\"id\": \"61\", \"response\": \"The answer is \\\\boxed{113}.\", \"sample_index\": 1}\n");
  const std::string common = " --offline --data-dir " + testing::shared_data();
  const auto r = run_r1eval("grade --task aime24" + common + " --generations " + (dir / "g.jsonl").string() +
                            " --out " + (dir / "run").string() + " --reference r1-paper");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("aime24"));
  EXPECT_THAT(r.out, HasSubstr("75.0"));                          // pass@1 = (0.5 + 1) / 2
  EXPECT_THAT(r.out, HasSubstr("DeepSeek-R1-Distill-Qwen-7B"));  // reference rows
  EXPECT_THAT(r.out, HasSubstr("| 2 of 30 |"));                   // a part of the task, said so
  EXPECT_THAT(r.out, HasSubstr("not comparable"));
  for (const char* file : {"samples.jsonl", "scores.json", "report.md", "report.html"})
    EXPECT_TRUE(std::filesystem::exists(dir / "run" / file)) << file;

  const auto again = run_r1eval("grade --task aime24" + common + " --generations " + (dir / "g.jsonl").string() +
                                " --out " + (dir / "run").string());
  expect_one_line_error(again, "already exists");

  const auto report = run_r1eval("report " + (dir / "run").string() + " --format json");
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const auto scores = nlohmann::json::parse(report.out);
  EXPECT_EQ(scores, nlohmann::json::parse(testing::read_text(dir / "run" / "scores.json")));
  const auto html = run_r1eval("report " + (dir / "run").string() + " --format html");
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_THAT(html.out, HasSubstr("<svg"));
  EXPECT_THAT(html.out, HasSubstr("aime24"));
  // A run.json beside the samples that holds no plan is refused, not read as "take every sample".
  for (const char* broken : {"{", R"({"config": 5})", R"({"config": {"tasks": 5}})", R"({"config": {"tasks": [{"name": 1}]}})"}) {
    testing::write_text(dir / "run" / "run.json", broken);
    expect_one_line_error(run_r1eval("report " + (dir / "run").string()), "run.json: expected the run's plan");
  }
  std::filesystem::remove(dir / "run" / "run.json");
}

// The same samples give the same scores whatever their order in the file (the bootstrap draws problems by
// position, votes are grouped in sample order), and a sample written twice counts once.
TEST(Cli, ReportDoesNotDependOnLineOrderAndCountsEachSampleOnce) {
  const auto dir = testing::scratch_dir("cli_report_order");
  std::string generations;
  for (int id = 60; id < 66; ++id)
    generations += "{\"id\": " + std::to_string(id) + ", \"responses\": [\"\\\\boxed{" + std::to_string(id) +
                   "}\", \"\\\\boxed{204}\", \"\\\\boxed{113}\"]}\n";
  testing::write_text(dir / "g.jsonl", generations);
  const auto r = run_r1eval("grade --task aime24 --offline --data-dir " + testing::shared_data() + " --generations " +
                            (dir / "g.jsonl").string() + " --out " + (dir / "run").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  std::istringstream in(testing::read_text(dir / "run" / "samples.jsonl"));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 18u);
  std::string shuffled;
  for (std::size_t i = 0; i < lines.size(); ++i) shuffled += lines[(i * 7) % lines.size()] + "\n";
  shuffled += lines[4] + "\n";
  testing::write_text(dir / "shuffled.jsonl", shuffled);
  const auto report = run_r1eval("report " + (dir / "shuffled.jsonl").string() + " --format json");
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(nlohmann::json::parse(report.out), nlohmann::json::parse(testing::read_text(dir / "run" / "scores.json")));
  EXPECT_THAT(report.err, HasSubstr("1 duplicate sample line(s) ignored"));
}

TEST(Cli, GradeRejectsUnknownProblemIds) {
  const auto dir = testing::scratch_dir("cli_unknown");
  testing::write_text(dir / "g.jsonl", "{\"id\": \"999\", \"response\": \"x\"}\n{\"id\": \"998\", \"response\": \"x\"}\n");
  const auto r = run_r1eval("grade --task aime24 --offline --data-dir " + testing::shared_data() + " --generations " +
                            (dir / "g.jsonl").string() + " --out " + (dir / "run").string());
  expect_one_line_error(r, "2 generation(s) name problems unknown to task 'aime24' (first: 999, 998)");
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "samples.jsonl"));
}

// Data with another number of problems than the benchmark's release is used, and said to be not comparable.
TEST(Cli, APartialDatasetIsNoted) {
  const auto dir = testing::scratch_dir("partial_aime24");
  std::filesystem::create_directories(dir / "aime24");
  std::istringstream full(testing::read_text(std::filesystem::path(testing::shared_data()) / "aime24" / "test.jsonl"));
  std::ofstream partial(dir / "aime24" / "test.jsonl");
  std::string line;
  for (int i = 0; i < 10 && std::getline(full, line); ++i) partial << line << '\n';
  partial.close();
  const auto r = run_r1eval("prompts --task aime24 --samples 1 --offline --data-dir " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 10);
  EXPECT_THAT(r.err, HasSubstr("aime24: the data holds 10 problems, the benchmark 30"));
}

TEST(Cli, PromptsPrintsOneLinePerSample) {
  const auto r = run_r1eval("prompts --task aime25 --samples 2 --offline --data-dir " + testing::shared_data());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 60);
  const auto first = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  EXPECT_EQ(first["task"], "aime25");
  EXPECT_EQ(first["sample_index"], 0);
  EXPECT_THAT(first["prompt"].get<std::string>(),
              HasSubstr("\nPlease reason step by step, and put your final answer within \\boxed{}."));
}

TEST(Cli, JudgeAnnotatesEachPair) {
  const auto r = run_r1eval("judge math",
                            "{\"gold\": \"\\\\frac{1}{2}\", \"response\": \"so \\\\boxed{0.5}\", \"tag\": 7}\n"
                            "{\"gold\": \"3\", \"response\": \"no box\"}\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  std::getline(lines, line);
  const auto a = nlohmann::json::parse(line);
  EXPECT_EQ(a["tag"], 7);
  EXPECT_EQ(a["correct"], true);
  EXPECT_EQ(a["extracted"], "0.5");
  EXPECT_TRUE(a["micros"].is_number());
  std::getline(lines, line);
  const auto b = nlohmann::json::parse(line);
  EXPECT_EQ(b["correct"], false);
  EXPECT_TRUE(b["extracted"].is_null());

  const auto choice = run_r1eval("judge choice", "{\"gold\": \"B\", \"response\": \"**Answer:** B\"}\n");
  ASSERT_EQ(choice.exit_code, 0);
  EXPECT_THAT(choice.out, HasSubstr("\"correct\":true"));
  expect_one_line_error(run_r1eval("judge choice", "{\"gold\": \"AB\", \"response\": \"B\"}\n"),
                        "field \"gold\": expected one letter (A-Z), got 'AB'");

  expect_one_line_error(run_r1eval("judge math", "{\"gold\": 3, \"response\": \"x\"}\n"),
                        "stdin:1: expected string field \"gold\"");
  // A prompt that opened the thinking: the response continues it, and thinking cut off states no answer.
  const auto cut = run_r1eval("judge choice", "{\"gold\": \"C\", \"prompt\": \"Q<think>\\n\", \"response\": \"So the answer is B.\\nWait\"}\n");
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  EXPECT_THAT(cut.out, HasSubstr("\"extracted\":null"));
  expect_one_line_error(run_r1eval("judge choice", "{\"gold\": \"C\", \"prompt\": 5, \"response\": \"C\"}\n"),
                        "stdin:1: field \"prompt\": expected a string");
  expect_one_line_error(run_r1eval("judge math", "{\"gold\": \"3\", \"response\": \"x\", \"meta\": " +
                                                     std::string(100000, '[') + std::string(100000, ']') + "}\n"),
                        "stdin:1: expected one JSON object per line, nested deeper than 256 levels");
}

}  // namespace
}  // namespace r1eval::harness

namespace r1eval::harness {
namespace {

// Writes a generations file answering every AIME 2024 prompt: right when `right(index)` says so.
std::string aime_generations(const std::function<bool(int)>& right) {
  const auto prompts = testing::run_r1eval("prompts --task aime24 --samples 2 --offline --data-dir " + testing::shared_data());
  std::istringstream lines(prompts.out);
  std::string line, out;
  for (int i = 0; std::getline(lines, line); ++i) {
    const auto p = nlohmann::json::parse(line);
    const std::string answer = right(i) ? p["gold"].get<std::string>() : "1000";
    out += nlohmann::json{{"id", p["problem_id"]}, {"sample_index", p["sample_index"]},
                          {"response", "\\boxed{" + answer + "}"}}.dump() + "\n";
  }
  return out;
}

TEST(Cli, CompareFlagsASignificantRegression) {
  const auto dir = testing::scratch_dir("cli_compare");
  testing::write_text(dir / "old.jsonl", aime_generations([](int i) { return i % 10 != 0; }));  // 90%
  testing::write_text(dir / "new.jsonl", aime_generations([](int i) { return i % 10 < 3; }));   // 30%
  const std::string common = " --offline --data-dir " + testing::shared_data();
  for (const char* run : {"old", "new"}) {
    const auto r = testing::run_r1eval("grade --task aime24" + common + " --generations " +
                                       (dir / (std::string(run) + ".jsonl")).string() + " --out " + (dir / run).string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const auto report = testing::run_r1eval("report " + (dir / "new").string() + " --compare " + (dir / "old").string());
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_THAT(report.out, HasSubstr("| aime24 | 30 | 90.0 | 30.0 | -60.0 ["));
  EXPECT_THAT(report.out, HasSubstr("| worse |"));

  const auto gate = testing::run_r1eval("report " + (dir / "new").string() + " --compare " + (dir / "old").string() +
                                        " --fail-on-regression --format json");
  EXPECT_EQ(gate.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(gate.out)[0]["verdict"], "worse");

  const auto same = testing::run_r1eval("report " + (dir / "old").string() + " --compare " + (dir / "old").string() +
                                        " --fail-on-regression");
  EXPECT_EQ(same.exit_code, 0) << same.out;
  EXPECT_THAT(same.out, HasSubstr("no significant change"));

  EXPECT_EQ(testing::run_r1eval("report " + (dir / "old").string() + " --fail-on-regression").exit_code, 2);
}

}  // namespace
}  // namespace r1eval::harness
