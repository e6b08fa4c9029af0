// Continuous batching: decides which sequences run in the next step and with how many tokens.
// Running sequences go first (decode, or the next chunk of a long prompt), then waiting ones are admitted
// while token budget and free blocks last. When blocks run out, the most recently admitted running
// sequence is preempted: its blocks are freed and it waits to be recomputed. Never touches tensors.
#pragma once
#include <cstdint>
#include <deque>
#include <vector>

#include "engine/runtime/block_manager.h"
#include "engine/runtime/sequence.h"

namespace r1eval::engine {

struct SchedulerOptions {
  std::int64_t max_batched_tokens = 512;  // new tokens per step, over all sequences (prefill chunk size)
  std::int64_t max_seqs = 64;             // sequences per step
};

struct ScheduledSequence {
  Sequence* seq = nullptr;
  std::int64_t num_new = 0;   // tokens [seq->num_cached, seq->num_cached + num_new) run this step
  bool needs_logits = false;  // the chunk reaches the sequence's last token: sample after it
};

struct Schedule {
  std::vector<ScheduledSequence> entries;
  std::vector<BlockCopy> copies;  // copy-on-write, to do before the step
  std::int64_t num_preempted = 0;
};

class Scheduler {
 public:
  Scheduler(BlockManager& blocks, const SchedulerOptions& options);

  // Queues a sequence whose keys/values are not (or no longer) cached.
  void add_waiting(Sequence* seq);
  // Adds a sequence that already holds cache blocks (a sample forked from a processed prompt).
  void add_running(Sequence* seq);
  // Releases a finished sequence's blocks and forgets it.
  void finish(Sequence* seq);
  bool empty() const { return waiting_.empty() && running_.empty(); }
  std::size_t num_waiting() const { return waiting_.size(); }
  std::size_t num_running() const { return running_.size(); }

  // The next step. Blocks for the scheduled tokens are reserved in the sequences' tables before it
  // returns; a step is empty only when nothing is queued.
  Schedule schedule();
  // After a step that did not fit the device's memory: halves the tokens a step may hold (and caps the
  // sequences at that), so the next schedule() is a smaller step over the same sequences, which keep their
  // cache blocks. Returns false when `failed` was a single token: no smaller step exists.
  bool shrink_after(const Schedule& failed);
  const SchedulerOptions& options() const { return options_; }

 private:
  void preempt(Sequence* seq);
  BlockManager& blocks_;
  SchedulerOptions options_;
  std::deque<Sequence*> waiting_;
  std::vector<Sequence*> running_;  // in admission order
};

}  // namespace r1eval::engine
