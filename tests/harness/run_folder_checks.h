// Checks on run folders shared by the CLI tests: the samples of a folder by identity, and the equality
// that batching, preemption, threads and interruption must never break.
#pragma once
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "results/sample_record.h"
#include "results/store.h"
#include "test_support.h"

namespace r1eval::harness::testing {

using SampleKey = std::tuple<std::string, std::string, int>;  // task, problem id, sample index

// The folder's samples.jsonl by identity; a sample written twice is a test failure.
inline std::map<SampleKey, results::SampleRecord> samples_by_key(const std::filesystem::path& dir) {
  std::map<SampleKey, results::SampleRecord> out;
  for (results::SampleRecord& r : results::load_samples(dir)) {
    const SampleKey key{r.task, r.problem_id, r.sample_index};
    EXPECT_FALSE(out.count(key)) << "sample written twice: " << r.task << "/" << r.problem_id << "#" << r.sample_index;
    out.emplace(key, std::move(r));
  }
  return out;
}

// The same samples with the same text, token counts, seeds and grading.
inline void expect_same_samples(const std::map<SampleKey, results::SampleRecord>& a,
                                const std::map<SampleKey, results::SampleRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [key, ra] : a) {
    ASSERT_TRUE(b.count(key)) << std::get<0>(key) << "/" << std::get<1>(key) << "#" << std::get<2>(key);
    const results::SampleRecord& rb = b.at(key);
    EXPECT_EQ(ra.response, rb.response) << std::get<1>(key) << "#" << std::get<2>(key);
    EXPECT_EQ(ra.completion_tokens, rb.completion_tokens);
    EXPECT_EQ(ra.prompt_tokens, rb.prompt_tokens);
    EXPECT_EQ(ra.finish_reason, rb.finish_reason);
    EXPECT_EQ(ra.seed, rb.seed);
    EXPECT_EQ(ra.correct, rb.correct);
    EXPECT_EQ(ra.extracted, rb.extracted);
  }
}

// How many samples a killed run folder had stored when the kill landed (0 before the first).
inline std::size_t stored_samples(const std::filesystem::path& dir) {
  return std::filesystem::exists(dir / "samples.jsonl") ? results::load_samples(dir).size() : 0;
}

// Complete lines in `path` (0 when it does not exist); a line being appended is not counted.
inline std::size_t lines_in(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return static_cast<std::size_t>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// Spawns `args` and waits (at most 30 s) until the run folder `dir` shows `ready` (or the run ended); returns
// the run's pid for the caller to signal and reap.
inline pid_t spawn_until(const std::string& args, const std::filesystem::path& dir,
                         const std::function<bool(const std::filesystem::path&)>& ready) {
  const pid_t pid = spawn_r1eval(args);
  EXPECT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (pid > 0 && std::chrono::steady_clock::now() < deadline && !ready(dir) && ::kill(pid, 0) == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return pid;
}

// Starts r1eval with `args` and, once the run folder `dir` holds `target` sample lines or more (waiting up to
// 30 s), kills it (SIGKILL) `extra` later; a run that finishes first is left alone. Returns the samples the
// folder holds afterwards. Kills keyed to the store, not the clock, land at different points however loaded
// the machine is.
inline std::size_t kill_when_stored(const std::string& args, const std::filesystem::path& dir, std::size_t target,
                                    std::chrono::milliseconds extra) {
  const pid_t pid = spawn_r1eval(args);
  EXPECT_GT(pid, 0);
  if (pid <= 0) return stored_samples(dir);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline && lines_in(dir / "samples.jsonl") < target) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return stored_samples(dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(extra);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return stored_samples(dir);
}

// The end of every kill -9 test: the kills landed at different points (`stored_after_kill`), and finishing the
// killed run with `killed_args` gives the samples and the scores of the uninterrupted `reference` run.
inline void expect_finished_run_matches(const std::set<std::size_t>& stored_after_kill, const std::string& killed_args,
                                        const std::filesystem::path& reference, const std::filesystem::path& killed) {
  EXPECT_GE(stored_after_kill.size(), 2u) << "the kills should land at different points of the run";
  const auto finish = run_r1eval(killed_args);
  ASSERT_EQ(finish.exit_code, 0) << finish.err;
  expect_same_samples(samples_by_key(reference), samples_by_key(killed));
  EXPECT_EQ(read_text(killed / "scores.json"), read_text(reference / "scores.json"));
}

}  // namespace r1eval::harness::testing
