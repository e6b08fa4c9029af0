// pack_forward_batch: the host half of the CUDA backend's one-copy batch upload.
#include "engine/backend/packed_batch.h"

#include <gtest/gtest.h>

#include <cstring>

namespace r1eval::engine {
namespace {

template <typename T>
std::vector<T> read(const PackedBatch& packed, std::size_t offset, std::size_t count) {
  std::vector<T> out(count);
  if (count > 0) std::memcpy(out.data(), packed.bytes.data() + offset, count * sizeof(T));
  return out;
}

// Sequences: A prefill chunk of 3 tokens at positions 4..6, B one decode token at 9, C a first chunk
// of 2 tokens, D one decode token at 0 (a one-token prompt is a "decode" row too: same kernel result).
ForwardBatch mixed_batch() {
  ForwardBatch b;
  b.token_ids = {10, 11, 12, 20, 30, 31, 40};
  b.positions = {4, 5, 6, 9, 0, 1, 0};
  b.slot_mapping = {4, 5, 6, 16 + 9, 32, 33, 48};
  b.seq_starts = {0, 3, 4, 6, 7};
  b.max_blocks_per_seq = 2;
  b.block_tables = {0, 5, 1, 6, 2, 7, 3, 8};
  b.logit_rows = {6, 2, 3, 5};
  return b;
}

TEST(PackedBatch, DecodeRowsComeFirstAndLogitRowsFollowTheTokens) {
  const PackedBatch p = pack_forward_batch(mixed_batch());
  EXPECT_EQ(p.num_tokens, 7);
  EXPECT_EQ(p.num_decode, 2);
  EXPECT_EQ(p.num_prefill_seqs, 2);
  EXPECT_EQ(p.num_logit_rows, 4);
  EXPECT_EQ(read<std::int32_t>(p, p.offsets.token_ids, 7), (std::vector<std::int32_t>{20, 40, 10, 11, 12, 30, 31}));
  EXPECT_EQ(read<std::int32_t>(p, p.offsets.positions, 7), (std::vector<std::int32_t>{9, 0, 4, 5, 6, 0, 1}));
  EXPECT_EQ(read<std::int64_t>(p, p.offsets.slot_mapping, 7), (std::vector<std::int64_t>{25, 48, 4, 5, 6, 32, 33}));
  // Batch tokens 6 (D), 2 (A's last), 3 (B), 5 (C's last) sit at device rows 1, 4, 0, 6.
  EXPECT_EQ(read<std::int32_t>(p, p.offsets.logit_rows, 4), (std::vector<std::int32_t>{1, 4, 0, 6}));
}

TEST(PackedBatch, AttentionArraysDescribeEachGroup) {
  const PackedBatch p = pack_forward_batch(mixed_batch());
  EXPECT_EQ(read<std::int32_t>(p, p.offsets.decode_context_lens, 2), (std::vector<std::int32_t>{10, 1}));
  EXPECT_EQ(read<std::int32_t>(p, p.offsets.decode_block_tables, 4), (std::vector<std::int32_t>{1, 6, 3, 8}));
  EXPECT_EQ(read<std::int32_t>(p, p.offsets.prefill_query_starts, 3), (std::vector<std::int32_t>{0, 3, 5}));
  EXPECT_EQ(read<std::int32_t>(p, p.offsets.prefill_context_lens, 2), (std::vector<std::int32_t>{7, 2}));
  EXPECT_EQ(read<std::int32_t>(p, p.offsets.prefill_block_tables, 4), (std::vector<std::int32_t>{0, 5, 2, 7}));
  EXPECT_EQ(p.max_decode_context_len, 10);
  EXPECT_EQ(p.max_prefill_query_len, 3);
  EXPECT_EQ(p.max_prefill_context_len, 7);
  EXPECT_EQ(p.max_blocks_per_seq, 2);
}

TEST(PackedBatch, ArraysAreAlignedAndInsideTheBuffer) {
  const PackedBatch p = pack_forward_batch(mixed_batch());
  const PackedOffsets& o = p.offsets;
  for (const std::size_t offset : {o.token_ids, o.positions, o.slot_mapping, o.logit_rows, o.decode_context_lens,
                                   o.decode_block_tables, o.prefill_query_starts, o.prefill_context_lens,
                                   o.prefill_block_tables}) {
    EXPECT_EQ(offset % 16, 0u);
    EXPECT_LE(offset, p.bytes.size());
  }
  EXPECT_EQ(p.bytes.size() % 16, 0u);
  EXPECT_LE(o.prefill_block_tables + 4 * sizeof(std::int32_t), p.bytes.size());
}

// Two sequences of one new token each, with their logit rows in order.
ForwardBatch two_decode_rows() {
  ForwardBatch decode;
  decode.token_ids = {1, 2};
  decode.positions = {3, 7};
  decode.slot_mapping = {3, 23};
  decode.seq_starts = {0, 1, 2};
  decode.max_blocks_per_seq = 1;
  decode.block_tables = {0, 1};
  decode.logit_rows = {0, 1};
  return decode;
}

TEST(PackedBatch, AllDecodeOrAllPrefillLeaveTheOtherGroupEmpty) {
  const ForwardBatch decode = two_decode_rows();
  const PackedBatch d = pack_forward_batch(decode);
  EXPECT_EQ(d.num_decode, 2);
  EXPECT_EQ(d.num_prefill_seqs, 0);
  EXPECT_EQ(d.max_prefill_query_len, 0);
  EXPECT_EQ(read<std::int32_t>(d, d.offsets.logit_rows, 2), (std::vector<std::int32_t>{0, 1}));
  EXPECT_EQ(read<std::int32_t>(d, d.offsets.prefill_query_starts, 1), (std::vector<std::int32_t>{0}));

  ForwardBatch prefill = decode;
  prefill.seq_starts = {0, 2};
  prefill.positions = {0, 1};
  prefill.slot_mapping = {0, 1};
  prefill.block_tables = {0};
  prefill.logit_rows = {1};
  const PackedBatch f = pack_forward_batch(prefill);
  EXPECT_EQ(f.num_decode, 0);
  EXPECT_EQ(f.num_prefill_seqs, 1);
  EXPECT_EQ(f.max_decode_context_len, 0);
  EXPECT_EQ(read<std::int32_t>(f, f.offsets.logit_rows, 1), (std::vector<std::int32_t>{1}));
}

// The head reads the activations in place only when every device row is a logit row, in order.
TEST(PackedBatch, LogitRowsAreTokensOnlyWhenEveryRowIsOneInOrder) {
  ForwardBatch decode = two_decode_rows();
  EXPECT_TRUE(logit_rows_are_tokens(pack_forward_batch(decode)));
  decode.logit_rows = {1, 0};
  EXPECT_FALSE(logit_rows_are_tokens(pack_forward_batch(decode)));
  decode.logit_rows = {1};
  EXPECT_FALSE(logit_rows_are_tokens(pack_forward_batch(decode)));
  EXPECT_FALSE(logit_rows_are_tokens(pack_forward_batch(mixed_batch())));  // reordered rows, not all of them
}

}  // namespace
}  // namespace r1eval::engine
