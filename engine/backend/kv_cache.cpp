#include "engine/backend/kv_cache.h"

namespace r1eval::engine {

PagedKvCache::PagedKvCache(std::int64_t layers, std::int64_t kv_heads, std::int64_t head_dim, std::int32_t block_size,
                           std::int64_t num_blocks)
    : block_size_(block_size),
      num_blocks_(num_blocks),
      slot_floats_(kv_heads * head_dim),
      keys_(static_cast<std::size_t>(layers * num_blocks * block_size * kv_heads * head_dim)),
      values_(keys_.size()) {}

std::uint64_t PagedKvCache::block_bytes(std::int64_t layers, std::int64_t kv_heads, std::int64_t head_dim,
                                        std::int32_t block_size) {
  return 2ull * static_cast<std::uint64_t>(layers * block_size * kv_heads * head_dim) * sizeof(float);
}

}  // namespace r1eval::engine
