// The paged KV cache of one attention layer, as the kernels see it.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/host_device.h"

namespace r1eval::kernels {

// Two pools (keys, values), each [num_blocks][num_kv_heads][block_size][head_dim] bf16: one block of one
// head is a contiguous block_size x head_dim tile, which is what a decode step streams. A token's slot is
// block * block_size + offset; a sequence's block table lists its blocks in position order.
struct KvCacheView {
  bf16* key = nullptr;
  bf16* value = nullptr;
  int num_blocks = 0;
  int block_size = 0;
  int num_kv_heads = 0;
  int head_dim = 0;
};

// Element index of (block, head, offset in block, dim) in either pool.
R1EVAL_HOST_DEVICE std::size_t kv_cache_index(const KvCacheView& cache, std::int64_t block, int head, int offset, int dim) {
  return ((static_cast<std::size_t>(block) * cache.num_kv_heads + head) * cache.block_size + offset) *
             cache.head_dim + dim;
}

// Throws std::invalid_argument naming the field when a dimension is not positive or a pool is null.
void validate_kv_cache(const KvCacheView& cache);

}  // namespace r1eval::kernels
