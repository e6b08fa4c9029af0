// Paged KV cache bookkeeping: fixed-size blocks, reference-counted so that the samples of one request
// share their prompt's blocks; a shared block that is only partly filled is copied before a sample
// writes into it (copy-on-write). Knows nothing of tensors: copies are returned for the backend to do.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/backend/forward_batch.h"

namespace r1eval::engine {

class BlockManager {
 public:
  BlockManager(std::int64_t num_blocks, std::int32_t block_size);

  std::int32_t block_size() const { return block_size_; }
  std::int64_t num_blocks() const { return static_cast<std::int64_t>(ref_counts_.size()); }
  std::int64_t num_free() const { return static_cast<std::int64_t>(free_.size()); }
  std::int32_t ref_count(std::int32_t block) const { return ref_counts_.at(static_cast<std::size_t>(block)); }

  // Free blocks needed before `table`, holding `cached` tokens, can hold `total` tokens: the new blocks
  // plus one for copying a shared, partly filled last block.
  std::int64_t append_cost(const std::vector<std::int32_t>& table, std::int64_t cached, std::int64_t total) const;
  // Makes `table` able to hold `total` tokens, privately owning every block that positions
  // [cached, total) fall in; appends the copies the backend must make first to `copies`.
  // Precondition: append_cost(...) <= num_free().
  void append(std::vector<std::int32_t>& table, std::int64_t cached, std::int64_t total, std::vector<BlockCopy>& copies);
  // A table sharing every block of `table` (each block's count goes up by one).
  std::vector<std::int32_t> fork(const std::vector<std::int32_t>& table);
  // Drops `table`'s references; blocks nobody references become free. Leaves `table` empty.
  void release(std::vector<std::int32_t>& table);

 private:
  std::int32_t take_free();
  std::int32_t block_size_;
  std::vector<std::int32_t> ref_counts_;
  std::vector<std::int32_t> free_;  // a stack: the most recently freed block is reused first
};

}  // namespace r1eval::engine
