#include "engine/runtime/scheduler.h"

#include <gtest/gtest.h>

#include <memory>

#include "engine/runtime/batch_builder.h"

namespace r1eval::engine {
namespace {

std::unique_ptr<Sequence> sequence_of(std::int64_t prompt_len) {
  auto seq = std::make_unique<Sequence>();
  seq->tokens.assign(static_cast<std::size_t>(prompt_len), 7);
  seq->prompt_len = prompt_len;
  return seq;
}

// What the engine does after a step: the scheduled tokens are now cached; sequences that got logits
// gain a token.
void complete(const Schedule& step) {
  for (const ScheduledSequence& entry : step.entries) {
    entry.seq->num_cached += entry.num_new;
    if (entry.needs_logits) entry.seq->tokens.push_back(9);
  }
}

TEST(Scheduler, ChunksLongPromptsWithinTheTokenBudget) {
  BlockManager blocks(64, 4);
  Scheduler scheduler(blocks, SchedulerOptions{10, 8});
  auto a = sequence_of(25);
  auto b = sequence_of(5);
  scheduler.add_waiting(a.get());
  scheduler.add_waiting(b.get());

  Schedule step = scheduler.schedule();  // a's first 10 tokens fill the budget
  ASSERT_EQ(step.entries.size(), 1u);
  EXPECT_EQ(step.entries[0].num_new, 10);
  EXPECT_FALSE(step.entries[0].needs_logits);
  EXPECT_EQ(a->blocks.size(), 3u);
  complete(step);

  step = scheduler.schedule();
  ASSERT_EQ(step.entries.size(), 1u);
  EXPECT_EQ(step.entries[0].num_new, 10);
  complete(step);

  step = scheduler.schedule();  // a's last 5, then b's whole prompt shares the step
  ASSERT_EQ(step.entries.size(), 2u);
  EXPECT_EQ(step.entries[0].seq, a.get());
  EXPECT_EQ(step.entries[0].num_new, 5);
  EXPECT_TRUE(step.entries[0].needs_logits);
  EXPECT_EQ(step.entries[1].seq, b.get());
  EXPECT_EQ(step.entries[1].num_new, 5);
  EXPECT_TRUE(step.entries[1].needs_logits);

  const ForwardBatch batch = build_forward_batch(step, 4);
  EXPECT_EQ(batch.num_tokens(), 10u);
  EXPECT_EQ(batch.positions.front(), 20);
  EXPECT_EQ(batch.positions[5], 0);
  EXPECT_EQ(batch.logit_rows, (std::vector<std::int32_t>{4, 9}));
  EXPECT_EQ(batch.max_blocks_per_seq, 7);
  EXPECT_EQ(batch.block_tables[7 + 2], -1);  // b's table padded
  EXPECT_EQ(batch.slot_mapping.front(), static_cast<std::int64_t>(a->blocks[5]) * 4);
  EXPECT_EQ(validate_forward_batch(batch, 10, blocks.num_blocks(), 4), "");
  complete(step);

  step = scheduler.schedule();  // both decode one token
  ASSERT_EQ(step.entries.size(), 2u);
  EXPECT_EQ(step.entries[0].num_new, 1);
  EXPECT_EQ(step.entries[1].num_new, 1);
}

TEST(Scheduler, AdmitsOnlyWhatFreeBlocksHold) {
  BlockManager blocks(4, 4);
  Scheduler scheduler(blocks, SchedulerOptions{100, 8});
  auto a = sequence_of(12);  // 3 blocks
  auto b = sequence_of(8);   // 2 blocks: must wait
  scheduler.add_waiting(a.get());
  scheduler.add_waiting(b.get());
  const Schedule step = scheduler.schedule();
  ASSERT_EQ(step.entries.size(), 1u);
  EXPECT_EQ(scheduler.num_waiting(), 1u);
  EXPECT_EQ(blocks.num_free(), 1);
  complete(step);
  scheduler.finish(a.get());
  EXPECT_EQ(blocks.num_free(), 4);
  EXPECT_EQ(scheduler.schedule().entries.front().seq, b.get());
}

TEST(Scheduler, PreemptsTheNewestWhenBlocksRunOut) {
  BlockManager blocks(4, 4);
  Scheduler scheduler(blocks, SchedulerOptions{100, 8});
  auto a = sequence_of(8);
  auto b = sequence_of(8);
  scheduler.add_waiting(a.get());
  scheduler.add_waiting(b.get());
  complete(scheduler.schedule());  // both prefilled: all 4 blocks used, each has a 9th token to run
  EXPECT_EQ(blocks.num_free(), 0);

  const Schedule step = scheduler.schedule();
  EXPECT_EQ(step.num_preempted, 1);
  ASSERT_EQ(step.entries.size(), 1u);
  EXPECT_EQ(step.entries[0].seq, a.get());
  EXPECT_EQ(b->status, SequenceStatus::kWaiting);
  EXPECT_EQ(b->num_cached, 0);  // recomputed from scratch when it comes back
  EXPECT_TRUE(b->blocks.empty());
  EXPECT_EQ(scheduler.num_waiting(), 1u);
}

TEST(Scheduler, RespectsTheSequenceLimit) {
  BlockManager blocks(64, 4);
  Scheduler scheduler(blocks, SchedulerOptions{100, 2});
  std::vector<std::unique_ptr<Sequence>> seqs;
  for (int i = 0; i < 5; ++i) {
    seqs.push_back(sequence_of(3));
    scheduler.add_waiting(seqs.back().get());
  }
  EXPECT_EQ(scheduler.schedule().entries.size(), 2u);
  EXPECT_EQ(scheduler.num_waiting(), 3u);
  EXPECT_THROW(Scheduler(blocks, SchedulerOptions{0, 1}), std::invalid_argument);
}

// A step that did not fit the device: the same sequences come back in a step of at most half the tokens,
// keeping the blocks the failed step reserved (no block is taken twice).
TEST(Scheduler, ShrinksTheStepAfterOneDidNotFit) {
  BlockManager blocks(64, 4);
  Scheduler scheduler(blocks, SchedulerOptions{32, 8});
  auto a = sequence_of(20);
  auto b = sequence_of(9);
  scheduler.add_waiting(a.get());
  scheduler.add_waiting(b.get());
  const Schedule failed = scheduler.schedule();
  ASSERT_EQ(failed.entries.size(), 2u);
  const std::int64_t free_after_failed = blocks.num_free();

  ASSERT_TRUE(scheduler.shrink_after(failed));  // 29 tokens failed: 15 a step from now on
  EXPECT_EQ(scheduler.options().max_batched_tokens, 15);
  EXPECT_EQ(scheduler.options().max_seqs, 8);
  const Schedule retry = scheduler.schedule();
  ASSERT_EQ(retry.entries.size(), 1u);
  EXPECT_EQ(retry.entries[0].seq, a.get());
  EXPECT_EQ(retry.entries[0].num_new, 15);
  EXPECT_FALSE(retry.entries[0].needs_logits);
  EXPECT_EQ(blocks.num_free(), free_after_failed);  // a's table already covers its 20 tokens
  EXPECT_EQ(scheduler.num_running(), 2u);            // b was admitted by the failed step and stays

  complete(retry);
  const Schedule next = scheduler.schedule();  // a's last 5 tokens, then 9 of b's... within 15
  ASSERT_EQ(next.entries.size(), 2u);
  EXPECT_EQ(next.entries[0].num_new, 5);
  EXPECT_TRUE(next.entries[0].needs_logits);
  EXPECT_EQ(next.entries[1].num_new, 9);
  EXPECT_EQ(blocks.num_free(), free_after_failed);

  // Sequences are capped with the tokens; a single token cannot shrink.
  ASSERT_TRUE(scheduler.shrink_after(Schedule{{{a.get(), 2, false}, {b.get(), 1, true}}, {}, 0}));
  EXPECT_EQ(scheduler.options().max_batched_tokens, 2);
  EXPECT_EQ(scheduler.options().max_seqs, 2);
  EXPECT_FALSE(scheduler.shrink_after(Schedule{{{a.get(), 1, true}}, {}, 0}));
  EXPECT_EQ(scheduler.options().max_batched_tokens, 2);
}

}  // namespace
}  // namespace r1eval::engine
