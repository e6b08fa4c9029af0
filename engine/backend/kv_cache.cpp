#include "engine/backend/kv_cache.h"

#include <algorithm>

namespace r1eval::engine {

PagedKvCache::PagedKvCache(std::int64_t layers, std::int64_t kv_heads, std::int64_t head_dim, std::int32_t block_size,
                           std::int64_t num_blocks)
    : layers_(layers),
      block_size_(block_size),
      num_blocks_(num_blocks),
      slot_floats_(kv_heads * head_dim),
      keys_(static_cast<std::size_t>(layers * num_blocks * block_size * kv_heads * head_dim)),
      values_(keys_.size()) {}

void PagedKvCache::copy_block(std::int32_t src, std::int32_t dst) {
  const auto floats = static_cast<std::size_t>(block_size_ * slot_floats_);
  for (std::int64_t layer = 0; layer < layers_; ++layer) {
    const std::int64_t from = static_cast<std::int64_t>(src) * block_size_;
    const std::int64_t to = static_cast<std::int64_t>(dst) * block_size_;
    std::copy_n(key(layer, from), floats, key(layer, to));
    std::copy_n(value(layer, from), floats, value(layer, to));
  }
}

std::uint64_t PagedKvCache::block_bytes(std::int64_t layers, std::int64_t kv_heads, std::int64_t head_dim,
                                        std::int32_t block_size) {
  return 2ull * static_cast<std::uint64_t>(layers * block_size * kv_heads * head_dim) * sizeof(float);
}

}  // namespace r1eval::engine
