#include "engine/runtime/scheduler.h"

#include <algorithm>
#include <stdexcept>

namespace r1eval::engine {

Scheduler::Scheduler(BlockManager& blocks, const SchedulerOptions& options) : blocks_(blocks), options_(options) {
  if (options.max_batched_tokens <= 0 || options.max_seqs <= 0) {
    throw std::invalid_argument("scheduler: max_batched_tokens and max_seqs must be positive");
  }
}

void Scheduler::add_waiting(Sequence* seq) {
  seq->status = SequenceStatus::kWaiting;
  waiting_.push_back(seq);
}

void Scheduler::add_running(Sequence* seq) {
  seq->status = SequenceStatus::kRunning;
  running_.push_back(seq);
}

void Scheduler::finish(Sequence* seq) {
  blocks_.release(seq->blocks);
  seq->status = SequenceStatus::kFinished;
  running_.erase(std::remove(running_.begin(), running_.end(), seq), running_.end());
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), seq), waiting_.end());
}

void Scheduler::preempt(Sequence* seq) {
  blocks_.release(seq->blocks);
  seq->num_cached = 0;
  seq->status = SequenceStatus::kWaiting;
  running_.erase(std::remove(running_.begin(), running_.end(), seq), running_.end());
  waiting_.push_front(seq);  // first in line to come back
}

Schedule Scheduler::schedule() {
  Schedule step;
  std::int64_t budget = options_.max_batched_tokens;
  const auto full = [&] { return budget == 0 || static_cast<std::int64_t>(step.entries.size()) >= options_.max_seqs; };

  for (std::size_t i = 0; i < running_.size() && !full(); ++i) {
    Sequence* seq = running_[i];
    const std::int64_t chunk = std::min(seq->num_uncached(), budget);
    const std::int64_t total = seq->num_cached + chunk;
    bool preempted_self = false;
    while (blocks_.append_cost(seq->blocks, seq->num_cached, total) > blocks_.num_free()) {
      Sequence* victim = running_.back();
      preempt(victim);
      ++step.num_preempted;
      if (victim == seq) {
        preempted_self = true;
        break;
      }
    }
    if (preempted_self) break;  // it was the last running sequence
    blocks_.append(seq->blocks, seq->num_cached, total, step.copies);
    step.entries.push_back(ScheduledSequence{seq, chunk, total == static_cast<std::int64_t>(seq->tokens.size())});
    budget -= chunk;
  }

  // Admitting while preempting would only evict the newcomers again next step.
  while (step.num_preempted == 0 && !waiting_.empty() && !full()) {
    Sequence* seq = waiting_.front();
    const std::int64_t chunk = std::min(seq->num_uncached(), budget);
    const std::int64_t total = seq->num_cached + chunk;
    if (blocks_.append_cost(seq->blocks, seq->num_cached, total) > blocks_.num_free()) break;
    waiting_.pop_front();
    blocks_.append(seq->blocks, seq->num_cached, total, step.copies);
    add_running(seq);
    step.entries.push_back(ScheduledSequence{seq, chunk, total == static_cast<std::int64_t>(seq->tokens.size())});
    budget -= chunk;
  }
  return step;
}

bool Scheduler::shrink_after(const Schedule& failed) {
  std::int64_t tokens = 0;
  for (const ScheduledSequence& entry : failed.entries) tokens += entry.num_new;
  if (tokens <= 1) return false;
  options_.max_batched_tokens = std::min(options_.max_batched_tokens, (tokens + 1) / 2);
  options_.max_seqs = std::min(options_.max_seqs, options_.max_batched_tokens);
  return true;
}

}  // namespace r1eval::engine
