#include "engine/runtime/block_manager.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace r1eval::engine {
namespace {

TEST(BlockManager, AllocatesBlocksAsTokensArrive) {
  BlockManager blocks(8, 4);
  std::vector<std::int32_t> table;
  std::vector<BlockCopy> copies;
  EXPECT_EQ(blocks.append_cost(table, 0, 10), 3);
  blocks.append(table, 0, 10, copies);
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(blocks.num_free(), 5);
  EXPECT_EQ(blocks.append_cost(table, 10, 12), 0);  // still inside the third block
  EXPECT_EQ(blocks.append_cost(table, 12, 13), 1);
  EXPECT_TRUE(copies.empty());
  blocks.release(table);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(blocks.num_free(), 8);
}

TEST(BlockManager, SamplesShareThePromptAndCopyThePartialBlockOnWrite) {
  BlockManager blocks(8, 4);
  std::vector<std::int32_t> prompt;
  std::vector<BlockCopy> copies;
  blocks.append(prompt, 0, 6, copies);  // one full block, one half-filled
  std::vector<std::int32_t> sample = blocks.fork(prompt);
  EXPECT_EQ(sample, prompt);
  EXPECT_EQ(blocks.ref_count(prompt[0]), 2);
  EXPECT_EQ(blocks.num_free(), 6);

  // The sample writes position 6 into the shared half block: it gets its own copy.
  EXPECT_EQ(blocks.append_cost(sample, 6, 7), 1);
  blocks.append(sample, 6, 7, copies);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].src, prompt[1]);
  EXPECT_EQ(copies[0].dst, sample[1]);
  EXPECT_NE(sample[1], prompt[1]);
  EXPECT_EQ(sample[0], prompt[0]);  // the full block stays shared
  EXPECT_EQ(blocks.ref_count(prompt[1]), 1);

  // The original is now the only owner of its half block and writes in place.
  copies.clear();
  EXPECT_EQ(blocks.append_cost(prompt, 6, 7), 0);
  blocks.append(prompt, 6, 7, copies);
  EXPECT_TRUE(copies.empty());

  blocks.release(sample);
  EXPECT_EQ(blocks.ref_count(prompt[0]), 1);
  blocks.release(prompt);
  EXPECT_EQ(blocks.num_free(), 8);
}

TEST(BlockManager, AlignedPromptsNeedNoCopy) {
  BlockManager blocks(4, 4);
  std::vector<std::int32_t> prompt;
  std::vector<BlockCopy> copies;
  blocks.append(prompt, 0, 8, copies);
  std::vector<std::int32_t> sample = blocks.fork(prompt);
  EXPECT_EQ(blocks.append_cost(sample, 8, 9), 1);  // a fresh block, no copy
  blocks.append(sample, 8, 9, copies);
  EXPECT_TRUE(copies.empty());
}

TEST(BlockManager, MisuseIsCaught) {
  BlockManager blocks(1, 4);
  std::vector<std::int32_t> table;
  std::vector<BlockCopy> copies;
  EXPECT_THROW(blocks.append(table, 0, 5, copies), std::logic_error);
  EXPECT_THROW(BlockManager(0, 4), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::engine
