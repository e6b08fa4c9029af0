// `r1eval demo` end to end on the committed demo model: it learned the task (accuracy far above chance),
// and its samples are the same whatever the batch size, the thread count, or a kill -9 and resume.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include <nlohmann/json.hpp>

#include "results/store.h"
#include "run_folder_checks.h"
#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;
using testing::expect_same_samples;
using testing::samples_by_key;

std::string demo_args(const std::filesystem::path& out, const std::string& extra) {
  return "demo --out " + out.string() + " --progress-seconds 0.05 " + extra;
}

// Chance is about nil: an answer is a three- or four-digit number, so guessing one in the right range
// is right about once in a thousand. The model, sampled at temperature 0.6, gets most right (see
// tests/fixtures/demo_model/README.md); 0.5 leaves room for sampling noise on 60 samples.
TEST(DemoCommand, AccuracyIsFarAboveChance) {
  const auto out = testing::scratch_dir("demo_accuracy");
  const auto r = testing::run_r1eval(demo_args(out, "--limit 30 --samples 2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto scores = nlohmann::json::parse(testing::read_text(out / "scores.json"));
  ASSERT_EQ(scores["tasks"].size(), 1u);
  const auto& task = scores["tasks"][0];
  EXPECT_EQ(task["task"], "demo_arith");
  EXPECT_EQ(task["problems"], 30);
  EXPECT_GT(task["pass1"]["value"].get<double>(), 0.5) << r.out;
  EXPECT_GT(task["pass1"]["ci_low"].get<double>(), 0.3) << r.out;
  // The table with its confidence interval, and the samples in R1 form.
  EXPECT_THAT(r.out, HasSubstr("demo_arith"));
  EXPECT_THAT(r.err, HasSubstr("60 samples generated"));
  std::size_t r1_form = 0;
  for (const auto& [key, s] : samples_by_key(out)) {
    r1_form += s.response.find("</think>") != std::string::npos && s.response.find("\\boxed{") != std::string::npos;
    EXPECT_TRUE(s.prompt.ends_with("?\nPlease reason step by step, and put your final answer within \\boxed{}."))
        << s.prompt;
  }
  EXPECT_GT(r1_form, 50u);
}

// The model is nearly sure of every token at 0.6, so these tests sample at temperature 2, where the samples of
// a problem differ: identical sets then show that each sample's draws depend on its seed alone.
constexpr const char* kHot = " --temperature 2";

TEST(DemoCommand, SamplesDoNotDependOnBatchSizeOrThreads) {
  const auto one = testing::scratch_dir("demo_batch_one");
  const auto wide = testing::scratch_dir("demo_batch_wide");
  const auto r1 = testing::run_r1eval(demo_args(one, std::string("--limit 8 --samples 3 --max-batch 1 --threads 1") + kHot));
  ASSERT_EQ(r1.exit_code, 0) << r1.err;
  const auto r2 = testing::run_r1eval(demo_args(wide, std::string("--limit 8 --samples 3 --max-batch 256 --threads 2") + kHot));
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const auto a = samples_by_key(one);
  EXPECT_EQ(a.size(), 24u);
  expect_same_samples(a, samples_by_key(wide));
  // More distinct texts than problems: the test compares sampled text, not one answer per problem repeated.
  std::set<std::string> texts;
  for (const auto& [key, s] : a) texts.insert(s.response);
  EXPECT_GT(texts.size(), 12u);
}

TEST(DemoCommand, KilledAndResumedRunMatchesAnUninterruptedOne) {
  const auto reference = testing::scratch_dir("demo_kill_reference");
  const auto killed = testing::scratch_dir("demo_kill_out");
  const std::string extent = std::string("--limit 10 --samples 2") + kHot;
  // Few samples in the engine at once: they finish one after another, so kills land between many states.
  const std::string killed_args = demo_args(killed, extent + " --max-batch 2");
  const auto whole = testing::run_r1eval(demo_args(reference, extent));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  // Each run is killed a little (a fixed-seed random delay) after it has stored more samples than the last
  // kill left: kills by the clock alone could all land before the first sample on a loaded machine.
  std::mt19937 rng(7);
  std::uniform_int_distribution<long> extra_ms(0, 30);
  std::set<std::size_t> stored_after_kill;
  std::size_t stored = 0;
  for (int i = 0; i < 6; ++i) {
    stored = testing::kill_when_stored(killed_args, killed, stored + 1, std::chrono::milliseconds(extra_ms(rng)));
    stored_after_kill.insert(stored);
  }
  testing::expect_finished_run_matches(stored_after_kill, killed_args, reference, killed);
}

TEST(DemoCommand, RunningAgainReprintsWithoutGenerating) {
  const auto out = testing::scratch_dir("demo_again");
  ASSERT_EQ(testing::run_r1eval(demo_args(out, "--limit 3 --samples 1")).exit_code, 0);
  const std::string first = testing::read_text(out / "samples.jsonl");
  const auto again = testing::run_r1eval(demo_args(out, "--limit 3 --samples 1"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("0 samples generated"));
  EXPECT_THAT(again.out, HasSubstr("demo_arith"));
  EXPECT_EQ(testing::read_text(out / "samples.jsonl"), first);
}

TEST(DemoCommand, AFolderThatIsNoModelIsOneLineAndWritesNothing) {
  const auto out = testing::scratch_dir("demo_bad_model");
  const auto empty = testing::scratch_dir("demo_bad_model_in");
  const auto r = testing::run_r1eval(demo_args(out / "run", "--model " + empty.string()));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(empty.string()));
  EXPECT_THAT(r.err, HasSubstr("config.json"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out / "run"));
}

}  // namespace
}  // namespace r1eval::harness
