// `r1eval run` end to end on the tiny model folder: the run folder, continuing a run, resuming after
// kill -9, batch/preemption invariance, and bad input.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include <nlohmann/json.hpp>

#include "harness/seeds.h"
#include "results/store.h"
#include "run_folder_checks.h"
#include "cli_checks.h"
#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;
using testing::expect_same_samples;
using testing::samples_by_key;

// The smoke-run options, with `extra` replacing any of the defaults it names.
std::string run_args(const std::filesystem::path& model, const std::filesystem::path& out, const std::string& extra = "") {
  std::string args = "run --model " + model.string() + " --out " + out.string() +
                     " --tasks aime24,math500 --limit 2 --offline --data-dir " + testing::shared_data() +
                     " --progress-seconds 0.05 " + extra;
  // A small KV cache keeps start-up fast (the default allocates 1 GiB).
  for (const char* option : {"--samples 2", "--max-tokens 12", "--seed 3", "--kv-cache-gb 0.05"}) {
    const std::string flag = std::string(option).substr(0, std::string(option).find(' '));
    if (extra.find(flag + " ") == std::string::npos) args += std::string(" ") + option;
  }
  return args;
}


TEST(RunCommand, WritesTheRunFolder) {
  const auto model = testing::tiny_model("run_folder");
  const auto out = testing::scratch_dir("run_folder_out");
  const auto r = testing::run_r1eval(run_args(model, out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* file : {"run.json", "samples.jsonl", "scores.json", "report.md", "report.html"})
    EXPECT_TRUE(std::filesystem::exists(out / file)) << file;
  const auto samples = samples_by_key(out);
  ASSERT_EQ(samples.size(), 8u);  // 2 tasks x 2 problems x 2 samples
  for (const auto& [key, s] : samples) {
    EXPECT_EQ(s.seed, sample_seed(3, s.task, s.problem_id, s.sample_index));
    EXPECT_LE(s.completion_tokens, 12);
    EXPECT_GT(s.prompt_tokens, static_cast<std::int64_t>(s.prompt.size()));  // the template adds tokens
    EXPECT_THAT(s.finish_reason, ::testing::AnyOf("stop", "length"));
    EXPECT_FALSE(s.gold.empty());
  }
  const auto run = nlohmann::json::parse(testing::read_text(out / "run.json"));
  EXPECT_EQ(run["config"]["seed"], 3);
  EXPECT_EQ(run["config"]["tasks"][1]["name"], "math500");
  EXPECT_EQ(run["config"]["tasks"][1]["max_tokens"], 12);
  EXPECT_THAT(run["config"]["model"]["config_json"].get<std::string>(), HasSubstr("fnv1a64:"));
  EXPECT_EQ(run["provenance"]["model_files"]["weights"][0]["name"], "model.safetensors");
  EXPECT_GT(run["provenance"]["machine"]["cores"].get<int>(), 0);
  EXPECT_TRUE(run["provenance"]["machine"]["gpus"].is_array());  // empty without a visible CUDA device
  EXPECT_EQ(run["provenance"]["datasets"]["aime24"]["problems"], 30);
  const auto scores = nlohmann::json::parse(testing::read_text(out / "scores.json"));
  ASSERT_EQ(scores["tasks"].size(), 2u);
  EXPECT_EQ(scores["tasks"][0]["problems"], 2);
  EXPECT_THAT(r.err, HasSubstr("8/8 samples"));
  EXPECT_THAT(r.err, HasSubstr("aime24 4/4 pass@1"));
  EXPECT_THAT(r.out, HasSubstr("aime24"));
}

TEST(RunCommand, RerunGeneratesNothingAndResumeExtends) {
  const auto model = testing::tiny_model("run_rerun");
  const auto out = testing::scratch_dir("run_rerun_out");
  ASSERT_EQ(testing::run_r1eval(run_args(model, out)).exit_code, 0);
  const std::string first = testing::read_text(out / "samples.jsonl");
  const auto again = testing::run_r1eval(run_args(model, out));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("8 already in"));
  EXPECT_THAT(again.err, HasSubstr("0 samples generated"));
  EXPECT_EQ(testing::read_text(out / "samples.jsonl"), first);
  EXPECT_EQ(nlohmann::json::parse(testing::read_text(out / "run.json"))["earlier_invocations"].size(), 1u);

  // A larger extent without --resume is another run; with it, only the new samples are generated.
  const std::string wider = run_args(model, out, "--samples 3");
  const auto refused = testing::run_r1eval(wider);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("samples"));
  const auto extended = testing::run_r1eval(wider + " --resume");
  ASSERT_EQ(extended.exit_code, 0) << extended.err;
  EXPECT_THAT(extended.err, HasSubstr("4 samples generated"));
  const auto samples = samples_by_key(out);
  EXPECT_EQ(samples.size(), 12u);
  const auto fresh = testing::scratch_dir("run_rerun_fresh");
  ASSERT_EQ(testing::run_r1eval(run_args(model, fresh, "--samples 3")).exit_code, 0);
  expect_same_samples(samples, samples_by_key(fresh));

  // Narrowed again (--samples 2 --resume): samples.jsonl keeps the third samples, and `report` scores the
  // run's plan as the run's own scores.json does.
  ASSERT_EQ(testing::run_r1eval(run_args(model, out, "--samples 2 --resume")).exit_code, 0);
  const auto report = testing::run_r1eval("report " + out.string() + " --format json");
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_THAT(report.err, HasSubstr("4 sample line(s) outside run.json's plan"));
  const nlohmann::json reported = nlohmann::json::parse(report.out);
  const nlohmann::json own = nlohmann::json::parse(testing::read_text(out / "scores.json"));
  EXPECT_EQ(reported.dump(), own.dump());
}

// The template is recorded and kept on resume. The tiny model has none, so auto gives the R1 one and "model"
// is refused; given a chat_template.jinja that writes the R1 prompt, "model" renders it through the
// interpreter and the samples are those of the native R1 template.
TEST(RunCommand, RecordsTheChatTemplateAndKeepsItOnResume) {
  const auto model = testing::tiny_model("run_template");
  const auto out = testing::scratch_dir("run_template_out");
  ASSERT_EQ(testing::run_r1eval(run_args(model, out)).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(testing::read_text(out / "run.json"))["config"]["chat_template"], "r1-distill, <think> forced");
  const auto other = testing::run_r1eval(run_args(model, out, "--chat-template plain --samples 3 --resume"));
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.err, HasSubstr("chat_template"));
  const auto own = testing::scratch_dir("run_template_own");
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, own, "--chat-template model")), "has none");
  std::ofstream(model / "chat_template.jinja")
      << "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>{% for m in messages %}<\xEF\xBD\x9CUser\xEF\xBD\x9C>"
         "{{ m.content }}{% endfor %}{% if add_generation_prompt %}<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C><think>\n{% endif %}";
  ASSERT_EQ(testing::run_r1eval(run_args(model, own, "--chat-template model")).exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(testing::read_text(own / "run.json"))["config"]["chat_template"], "checkpoint's own");
  expect_same_samples(samples_by_key(out), samples_by_key(own));
}

// Variables of the checkpoint's own template (--chat-template-kwargs, as gpt-oss's reasoning_effort) reach it, are
// recorded with the template's name, and a resume must give the same ones. A template whose variable is empty here
// writes the R1 prompt, so its samples are the native template's. Malformed variables, or variables for a native
// template, are one-line errors before anything is written.
TEST(RunCommand, ChatTemplateVariablesReachTheTemplateAndAreRecorded) {
  const auto model = testing::tiny_model("run_template_kwargs");
  const auto native = testing::scratch_dir("run_template_kwargs_native");
  ASSERT_EQ(testing::run_r1eval(run_args(model, native)).exit_code, 0);
  std::ofstream(model / "chat_template.jinja")
      << "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>{% for m in messages %}<\xEF\xBD\x9CUser\xEF\xBD\x9C>"
         "{{ lead }}{{ m.content }}{% endfor %}{% if add_generation_prompt %}<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C><think>\n{% endif %}";
  const auto out = testing::scratch_dir("run_template_kwargs_out");
  const std::string kwargs = " --chat-template model --chat-template-kwargs '{\"lead\": \"\"}'";
  const auto ran = testing::run_r1eval(run_args(model, out, kwargs));
  ASSERT_EQ(ran.exit_code, 0) << ran.err;
  EXPECT_EQ(nlohmann::json::parse(testing::read_text(out / "run.json"))["config"]["chat_template"],
            "checkpoint's own, {\"lead\":\"\"}");
  expect_same_samples(samples_by_key(native), samples_by_key(out));
  const auto other = testing::run_r1eval(
      run_args(model, out, " --chat-template model --chat-template-kwargs '{\"lead\": \"Think hard. \"}' --resume"));
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.err, HasSubstr("chat_template"));
  const auto bad = testing::scratch_dir("run_template_kwargs_bad");
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, bad, " --chat-template model --chat-template-kwargs '[1]'")),
                                 "--chat-template-kwargs: expected a JSON object of template variables");
  testing::expect_one_line_error(
      testing::run_r1eval(run_args(model, bad, " --chat-template model --chat-template-kwargs '{\"messages\": []}'")),
      "'messages' is set by r1eval");
  testing::expect_one_line_error(
      testing::run_r1eval(run_args(model, bad, " --chat-template r1 --chat-template-kwargs '{\"lead\": \"x\"}'")),
      "are for the checkpoint's own template, not the native R1 distill one");
  EXPECT_FALSE(std::filesystem::exists(bad / "run.json"));
}

TEST(RunCommand, ResumeAfterKillNineMatchesAnUninterruptedRun) {
  const auto model = testing::tiny_model("run_kill");
  const auto reference = testing::scratch_dir("run_kill_reference");
  const auto killed = testing::scratch_dir("run_kill_out");
  const std::string extra = "--samples 4 --max-tokens 16";
  // The killed runs hold few samples in the engine at once, so samples finish one after another and the
  // kills land between many different store states (and the batches differ from the reference's).
  const std::string killed_args = run_args(model, killed, extra + " --max-batch 3");
  ASSERT_EQ(testing::run_r1eval(run_args(model, reference, extra)).exit_code, 0);
  const std::size_t total = samples_by_key(reference).size();
  // Kill points spread over a whole run: each kill waits until the store holds a target number of lines
  // (rising from 0 to all of them over the 20 kills, each run resuming the last) and then a few random
  // milliseconds more, so kills land at start-up, mid-append, while grading and during the final writes
  // whatever the machine's speed.
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<int> extra_ms(0, 4);
  std::set<std::size_t> stored_after_kill;
  for (int i = 0; i < 20; ++i) {
    const std::size_t target = total * static_cast<std::size_t>(i) / 20;
    stored_after_kill.insert(testing::kill_when_stored(killed_args, killed, target, std::chrono::milliseconds(extra_ms(rng))));
  }
  testing::expect_finished_run_matches(stored_after_kill, killed_args, reference, killed);
}

TEST(RunCommand, SigtermWritesScoresOfWhatIsDone) {
  const auto model = testing::tiny_model("run_term");
  const auto out = testing::scratch_dir("run_term_out");
  // Wait for the first graded sample, then stop the run.
  const auto graded = [](const std::filesystem::path& dir) { return testing::lines_in(dir / "samples.jsonl") > 0; };
  const pid_t pid = testing::spawn_until(run_args(model, out, "--samples 32 --max-tokens 128"), out, graded);
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  const auto samples = samples_by_key(out);
  if (WEXITSTATUS(status) == 0) {
    EXPECT_EQ(samples.size(), 128u);  // finished before the signal arrived
  } else {
    EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
    EXPECT_LT(samples.size(), 128u);
  }
  const auto scores = nlohmann::json::parse(testing::read_text(out / "scores.json"));
  int scored = 0;
  for (const auto& task : scores["tasks"]) scored += task["problems"].get<int>();
  EXPECT_GT(scored, 0);
}

TEST(RunCommand, SamplesDoNotDependOnTheKvCacheSize) {
  const auto model = testing::tiny_model("run_kv");
  const auto roomy = testing::scratch_dir("run_kv_roomy");
  const auto tight = testing::scratch_dir("run_kv_tight");
  const std::string extra = "--samples 4 --max-tokens 16";
  ASSERT_EQ(testing::run_r1eval(run_args(model, roomy, extra + " --kv-cache-gb 1")).exit_code, 0);
  const auto r = testing::run_r1eval(run_args(model, tight, extra + " --kv-cache-gb 0.0004"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, std::regex("(\\d+) preemptions"))) << r.err;
  EXPECT_GT(std::stoi(m[1]), 0) << "the small cache should force preemption";
  expect_same_samples(samples_by_key(roomy), samples_by_key(tight));
}

TEST(RunCommand, BadInputIsOneLineAndExitTwo) {
  const auto model = testing::tiny_model("run_bad");
  const auto out = testing::scratch_dir("run_bad_out");
  testing::expect_one_line_error(testing::run_r1eval("run --model " + model.string() + " --out " + out.string() + " --tasks aime2099"), "aime2099");
  testing::expect_one_line_error(testing::run_r1eval(run_args("/nonexistent/model", out)), "/nonexistent/model");
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, out, "--resume")), "--resume");
  // Found once generation starts, after the plan was logged: the error is the last line.
  const auto tiny_cache = testing::run_r1eval(run_args(model, testing::scratch_dir("run_bad_tiny_cache"), "--kv-cache-gb 0.0001"));
  EXPECT_EQ(tiny_cache.exit_code, 2);
  const std::string last_line = tiny_cache.err.substr(tiny_cache.err.rfind('\n', tiny_cache.err.size() - 2) + 1);
  EXPECT_THAT(last_line, ::testing::StartsWith("r1eval: sample "));
  EXPECT_THAT(last_line, HasSubstr("KV cache blocks"));
  ASSERT_EQ(testing::run_r1eval(run_args(model, out)).exit_code, 0);
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, out, "--seed 4")), "seed");
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, out, "--temperature 0.9 --resume")), "temperature");
  // Numbers CLI11 would let through, refused before the folder is touched (run.json stays as it was).
  const std::string recorded = testing::read_text(out / "run.json");
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, out, "--top-p nan --resume")), "--top-p");
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, out, "--temperature inf")), "--temperature");
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, out, "--progress-seconds 1e10")),
                                 "--progress-seconds");
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, out, "--seed -1")), "--seed");
  EXPECT_EQ(testing::read_text(out / "run.json"), recorded);
}

// A run that fails before it stores a sample (here: weights that do not load) leaves the folder as it found it, gone
// when it made it, so the same command runs once the model is fixed.
TEST(RunCommand, AFailureBeforeAnySampleLeavesTheFolderAsItWas) {
  const auto model = testing::tiny_model("run_rollback");
  const auto broken = testing::scratch_dir("run_rollback_model");
  for (const auto& entry : std::filesystem::directory_iterator(model))
    std::filesystem::copy(entry.path(), broken / entry.path().filename());
  std::filesystem::resize_file(broken / "model.safetensors", std::filesystem::file_size(broken / "model.safetensors") - 64);
  const auto parent = testing::scratch_dir("run_rollback_out");
  const auto fresh = parent / "fresh";
  // The load error is the only line: the model is loaded before the plan's status line.
  testing::expect_one_line_error(testing::run_r1eval(run_args(broken, fresh)), "model.safetensors");
  EXPECT_FALSE(std::filesystem::exists(fresh));
  EXPECT_EQ(testing::run_r1eval(run_args(model, fresh)).exit_code, 0);
  // A folder that held something keeps exactly that.
  const auto kept = parent / "kept";
  std::filesystem::create_directories(kept);
  std::ofstream(kept / "notes.txt") << "mine";
  EXPECT_EQ(testing::run_r1eval(run_args(broken, kept)).exit_code, 2);
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kept)) names.insert(entry.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"notes.txt"}));
  // A finished run's folder keeps its run.json and samples when a --resume fails the same way.
  const std::string recorded = testing::read_text(fresh / "run.json");
  const auto samples = std::filesystem::file_size(fresh / "samples.jsonl");
  EXPECT_EQ(testing::run_r1eval(run_args(broken, fresh, "--samples 3 --resume")).exit_code, 2);
  EXPECT_EQ(testing::read_text(fresh / "run.json"), recorded);
  EXPECT_EQ(std::filesystem::file_size(fresh / "samples.jsonl"), samples);
}

// One process per run folder: a second run on a folder in use is refused, and the first finishes alone.
TEST(RunCommand, ASecondRunOnTheSameFolderIsRefused) {
  const auto model = testing::tiny_model("run_lock");
  const auto out = testing::scratch_dir("run_lock_out");
  const auto started = [](const std::filesystem::path& dir) { return std::filesystem::exists(dir / "run.json"); };
  const pid_t first = testing::spawn_until(run_args(model, out, "--samples 16 --max-tokens 64"), out, started);
  ASSERT_GT(first, 0);
  const auto second = testing::run_r1eval(run_args(model, out, "--samples 16 --max-tokens 64"));
  int status = 0;
  ::waitpid(first, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  if (second.exit_code == 0) GTEST_SKIP() << "the first run ended before the second started";
  testing::expect_one_line_error(second, "another r1eval is running on this folder");
  EXPECT_EQ(samples_by_key(out).size(), 64u);
}

// Other weights under the same config.json and file sizes are another model: no resume.
TEST(RunCommand, ResumeRefusesChangedWeights) {
  const auto model = testing::tiny_model("run_weights");
  const auto out = testing::scratch_dir("run_weights_out");
  ASSERT_EQ(testing::run_r1eval(run_args(model, out)).exit_code, 0);
  const auto weights = model / "model.safetensors";
  std::fstream file(weights, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(-4, std::ios::end);
  file.write("\x11\x22\x33\x44", 4);
  file.close();
  testing::expect_one_line_error(testing::run_r1eval(run_args(model, out, "--samples 3 --resume")),
                                 "config field 'model.weights[0].sampled' differs");
}

}  // namespace
}  // namespace r1eval::harness

namespace r1eval::harness {
namespace {

// A code task runs through the sandboxed judge: the tiny model writes no program, so every sample is CE, and
// interactive problems are set aside before any is generated.
TEST(RunCommand, CodeTasksAreJudgedInTheSandbox) {
  const auto model = testing::tiny_model("run_code");
  const auto out = testing::scratch_dir("run_code") / "run";
  const auto r = testing::run_r1eval("run --model " + model.string() + " --out " + out.string() +
                                     " --tasks codeforces --limit 2 --samples 2 --max-tokens 8 --seed 1 "
                                     "--kv-cache-gb 0.05 --offline --data-dir " + testing::shared_data());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("problems excluded (first: "));
  const auto records = results::load_samples(out);
  ASSERT_EQ(records.size(), 4u);
  for (const auto& record : records) {
    EXPECT_FALSE(record.correct);
    EXPECT_EQ(record.reason.rfind("CE", 0), 0u) << record.reason;
  }
  // The problems set aside are counted in the report and in scores.json, never scored as failures.
  EXPECT_THAT(testing::read_text(out / "report.md"), HasSubstr("problems excluded (not graded, not counted): "));
  const auto scores = nlohmann::json::parse(testing::read_text(out / "scores.json"));
  EXPECT_FALSE(scores["tasks"][0]["excluded"].empty());
  EXPECT_THAT(scores["tasks"][0]["excluded"][0].get<std::string>(), HasSubstr("interactive"));
}

}  // namespace
}  // namespace r1eval::harness
