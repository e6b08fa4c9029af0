#include "harness/run/progress.h"

#include "harness/run/progress_view.h"

#include <cmath>
#include <cstdio>

namespace r1eval::harness::run {

Progress::Progress(const std::vector<std::pair<std::string, std::size_t>>& totals,
                   const std::map<std::string, std::pair<std::size_t, std::size_t>>& done_and_correct) {
  for (const auto& [name, total] : totals) {
    order_.push_back(name);
    TaskCounts& t = tasks_[name];
    t.total = total;
    if (auto it = done_and_correct.find(name); it != done_and_correct.end()) {
      t.done = it->second.first;
      t.correct = it->second.second;
    }
    total_ += t.total;
    done_ += t.done;
  }
}

void Progress::record(const std::string& task, bool correct, std::int64_t completion_tokens, double grade_micros,
                      double store_micros) {
  std::lock_guard lock(mutex_);
  TaskCounts& t = tasks_[task];
  ++t.done;
  ++t.generated;
  if (completion_tokens > 0) t.tokens += completion_tokens;
  t.correct += correct ? 1 : 0;
  ++done_;
  ++generated_;
  if (completion_tokens > 0) tokens_ += completion_tokens;
  grade_micros_ += grade_micros;
  store_micros_ += store_micros;
}

std::string Progress::overhead_line() const {
  std::lock_guard lock(mutex_);
  const double n = generated_ ? static_cast<double>(generated_) : 1.0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "r1eval: harness overhead per sample: grading %.0f us, store %.0f us (mean of %zu)",
                grade_micros_ / n, store_micros_ / n, generated_);
  return buf;
}

std::size_t Progress::generated() const {
  std::lock_guard lock(mutex_);
  return generated_;
}

ProgressSnapshot Progress::snapshot() const {
  std::lock_guard lock(mutex_);
  ProgressSnapshot s;
  for (const std::string& name : order_) {
    const TaskCounts& t = tasks_.at(name);
    s.tasks.push_back({name, t.total, t.done, t.correct, t.generated, t.tokens});
  }
  s.total = total_;
  s.done = done_;
  s.generated = generated_;
  s.tokens = token_source_ ? token_source_() : tokens_;
  s.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return s;
}

void Progress::set_token_source(std::function<std::int64_t()> tokens) { token_source_ = std::move(tokens); }

std::string Progress::line() const {
  std::lock_guard lock(mutex_);
  const std::int64_t tokens = token_source_ ? token_source_() : tokens_;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char buf[160];
  std::snprintf(buf, sizeof buf, "r1eval: %zu/%zu samples (%.1f%%), %.0f tokens/s", done_, total_,
                total_ ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 100.0,
                elapsed > 0 ? static_cast<double>(tokens) / elapsed : 0.0);
  std::string out = buf;
  const std::size_t left = total_ - done_;
  if (left == 0)
    out += ", done";
  else if (generated_ > 0)
    out += ", ETA " + duration_text(elapsed / static_cast<double>(generated_) * static_cast<double>(left));
  else
    out += ", ETA unknown";
  for (const std::string& name : order_) {
    const TaskCounts& t = tasks_.at(name);
    std::snprintf(buf, sizeof buf, " | %s %zu/%zu", name.c_str(), t.done, t.total);
    out += buf;
    if (t.done > 0) {
      std::snprintf(buf, sizeof buf, " pass@1 %.3f", static_cast<double>(t.correct) / static_cast<double>(t.done));
      out += buf;
    }
  }
  return out;
}

}  // namespace r1eval::harness::run
