// Counts of a run in progress and the plain log line that reports them.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace r1eval::harness::run {

class Progress {
 public:
  // `totals`: samples planned per task (in display order); `done`: of those, already in the store.
  Progress(const std::vector<std::pair<std::string, std::size_t>>& totals,
           const std::map<std::string, std::pair<std::size_t, std::size_t>>& done_and_correct);
  // One graded sample of `task`, with what the harness spent on it (grading, and appending it to the
  // store). Thread-safe.
  void record(const std::string& task, bool correct, std::int64_t completion_tokens, double grade_micros,
              double store_micros);
  // "r1eval: 12/40 samples (30.0%), 410 tokens/s, ETA 1m05s | aime24 6/20 pass@1 0.167 | ..." Thread-safe.
  std::string line() const;
  std::size_t generated() const;
  // Where the line's tokens/s comes from: a live count (unfinished samples included) instead of the
  // tokens of finished samples. Call before other threads use this object.
  void set_token_source(std::function<std::int64_t()> tokens);
  // "harness overhead per sample: grading 12 us, store 850 us (mean of N)", for samples recorded here.
  std::string overhead_line() const;

 private:
  struct TaskCounts {
    std::size_t total = 0, done = 0, correct = 0;
  };
  mutable std::mutex mutex_;
  std::vector<std::string> order_;
  std::map<std::string, TaskCounts> tasks_;
  std::size_t total_ = 0, done_ = 0, generated_ = 0;
  std::int64_t tokens_ = 0;
  std::function<std::int64_t()> token_source_;
  double grade_micros_ = 0, store_micros_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace r1eval::harness::run
