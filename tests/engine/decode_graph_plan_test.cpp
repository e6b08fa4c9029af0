// Decode steps packed at a CUDA graph's fixed shape: the buckets, a layout that depends on the shape alone,
// and (run by the kernels' CPU twins) the same logits and the same KV cache as the step packed as it is.
#include "engine/backend/decode_graph_plan.h"

#include <gtest/gtest.h>

#include <cstring>

#include "backend_parity.h"
#include "bf16_host_backend.h"

namespace r1eval::engine {
namespace {

// A decode step of `contexts.size()` sequences, sequence s at position contexts[s] - 1, blocks s*8.. of 16 slots.
ForwardBatch decode_step(const std::vector<int>& contexts) {
  ForwardBatch batch;
  batch.max_blocks_per_seq = 8;
  batch.seq_starts.push_back(0);
  for (std::size_t s = 0; s < contexts.size(); ++s) {
    const int position = contexts[s] - 1;
    batch.token_ids.push_back(static_cast<std::int32_t>(s % 7));
    batch.positions.push_back(position);
    batch.slot_mapping.push_back(static_cast<std::int64_t>(s) * 8 * 16 + position);
    batch.logit_rows.push_back(static_cast<std::int32_t>(s));
    batch.seq_starts.push_back(static_cast<std::int32_t>(s + 1));
    for (int b = 0; b < 8; ++b) batch.block_tables.push_back(static_cast<std::int32_t>(s) * 8 + b);
  }
  return batch;
}

TEST(DecodeGraphShape, BucketsSequencesAndContexts) {
  const auto shape = [](const std::vector<int>& contexts, std::size_t draws = 0, int max_seqs = 256,
                        std::int64_t max_context = 4096) {
    return decode_graph_shape(decode_step(contexts), draws, 16, max_seqs, max_context);
  };
  EXPECT_EQ(shape({5}), (DecodeGraphShape{1, 256}));
  EXPECT_EQ(shape({5, 6, 7}), (DecodeGraphShape{4, 256}));
  EXPECT_EQ(shape(std::vector<int>(9, 3)), (DecodeGraphShape{16, 256}));
  EXPECT_EQ(shape(std::vector<int>(17, 3)), (DecodeGraphShape{24, 256}));
  EXPECT_EQ(shape({257, 3}), (DecodeGraphShape{2, 512}));
  EXPECT_EQ(shape({100}, 0, 256, 100), (DecodeGraphShape{1, 112}));  // the cap, rounded up to a block
  EXPECT_EQ(shape({3, 3, 3}, 0, 3), (DecodeGraphShape{3, 256}));     // the bucket, capped at max_seqs
  EXPECT_EQ(shape({4097}), std::nullopt);                            // past max_context
  EXPECT_EQ(shape({3, 3, 3}, 0, 2), std::nullopt);                   // more sequences than max_seqs
  EXPECT_EQ(shape({3, 3}, 3), std::nullopt);                         // more draws than sequences
  ForwardBatch prefill = decode_step({3, 3});
  prefill.token_ids.push_back(1);
  prefill.positions.push_back(3);
  prefill.slot_mapping.push_back(8 * 16 + 3);
  prefill.seq_starts.back() = 3;
  EXPECT_EQ(decode_graph_shape(prefill, 0, 16, 256, 4096), std::nullopt);
  ForwardBatch without_row = decode_step({3, 3});
  without_row.logit_rows = {1};
  EXPECT_EQ(decode_graph_shape(without_row, 0, 16, 256, 4096), std::nullopt);
}

// Every kernel argument a graph captured comes from the layout: two different steps of one shape must pack
// to the same offsets and sizes, and fit the upload buffer sized for the shape.
TEST(DecodeGraphShape, LayoutDependsOnTheShapeAlone) {
  const DecodeGraphShape shape{8, 512};
  PackedBatch a = pack_decode_graph_batch(decode_step({3, 40, 300}), shape, 16);
  PackedBatch b = pack_decode_graph_batch(decode_step({500, 2, 9, 17, 33}), shape, 16);
  EXPECT_EQ(a.bytes.size(), b.bytes.size());
  const auto offsets = [](const PackedOffsets& o) {
    return std::vector<std::size_t>{o.token_ids,           o.positions,           o.slot_mapping,
                                    o.logit_rows,          o.decode_context_lens, o.decode_block_tables,
                                    o.prefill_query_starts, o.prefill_context_lens, o.prefill_block_tables};
  };
  EXPECT_EQ(offsets(a.offsets), offsets(b.offsets));
  for (const PackedBatch* p : {&a, &b}) {
    EXPECT_EQ(p->num_decode, 8);
    EXPECT_EQ(p->num_tokens, 8);
    EXPECT_EQ(p->num_logit_rows, 8);
    EXPECT_EQ(p->num_prefill_seqs, 0);
    EXPECT_EQ(p->max_blocks_per_seq, 32);
    EXPECT_EQ(p->max_decode_context_len, 512);
  }
  const PackedDraws draws = append_token_draws(b, std::vector<TokenDraw>(5));
  EXPECT_EQ(draws.num_draws, 5);
  EXPECT_LE(b.bytes.size(), decode_graph_upload_bytes(shape, 16));
  append_token_draws(a, std::vector<TokenDraw>(8));
  EXPECT_EQ(a.bytes.size(), decode_graph_upload_bytes(shape, 16));
}

// The padded step computes what the step itself computes: the same logits for the batch's rows and the same
// KV cache afterwards (padding writes nothing), with the decode bound raised to the context bucket.
TEST(DecodeGraphShape, PaddedStepMatchesTheStepOnTheCpuTwins) {
  const std::string dir = testing::parity_checkpoint(testing::parity_models()[0]);
  testing::Bf16HostBackend eager(dir, 16, 64), graph(dir, 16, 64);
  const int vocab = static_cast<int>(eager.config().vocab_size);
  const auto prompts = testing::random_sequences(5, 3, 70, vocab, 11);
  testing::SequenceDriver eager_driver(eager, 8), graph_driver(graph, 8);
  eager_driver.step(prompts);
  graph_driver.step(prompts);
  for (int round = 0; round < 3; ++round) {
    std::vector<std::vector<std::int32_t>> next;
    for (int s = 0; s < 5; ++s) next.push_back({(round * 5 + s) % vocab});
    const ForwardBatch step = eager_driver.next_batch(next);
    graph_driver.next_batch(next);
    const auto shape = decode_graph_shape(step, step.num_seqs(), 16, 256, 128);
    ASSERT_TRUE(shape.has_value());
    EXPECT_EQ(shape->seqs, 8);
    EXPECT_EQ(shape->context, 128);
    const std::vector<float> expected = eager.forward(step);
    const std::vector<float> actual = graph.forward_as_decode_graph(step, *shape);
    ASSERT_EQ(actual.size(), expected.size());
    EXPECT_EQ(actual, expected) << "round " << round;
    const auto& a = eager.kv_storage();
    const auto& b = graph.kv_storage();
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(bf16)), 0) << "round " << round;
  }
}

// The book every rank of a backend follows: warm up, capture, replay; out of memory waits until memory
// moves, other failures stay eager; a dropped workspace recaptures without a second warm-up.
TEST(DecodeGraphBook, WarmsCapturesReplaysAndRecovers) {
  using Use = DecodeGraphBook::Use;
  DecodeGraphBook book;
  const DecodeGraphShape a{8, 256}, b{16, 512};
  EXPECT_EQ(book.use_for(a), Use::eager);
  EXPECT_EQ(book.use_for(a), Use::capture);
  book.captured(a);
  EXPECT_EQ(book.use_for(a), Use::replay);
  EXPECT_EQ(book.use_for(b), Use::eager);  // shapes are kept apart

  book.dropped_all();
  EXPECT_EQ(book.use_for(a), Use::capture);  // still warm
  book.capture_failed(a, true);
  for (int step = 0; step < 3; ++step) EXPECT_EQ(book.use_for(a), Use::eager);  // out of memory: not every step
  book.dropped_all();  // memory moved: try again
  EXPECT_EQ(book.use_for(a), Use::capture);

  EXPECT_EQ(book.use_for(b), Use::capture);
  book.capture_failed(b, false);
  for (int step = 0; step < 3; ++step) EXPECT_EQ(book.use_for(b), Use::eager);  // never again
  book.captured(a);
  EXPECT_EQ(book.use_for(a), Use::replay);
}

}  // namespace
}  // namespace r1eval::engine
