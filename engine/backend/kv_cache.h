// Paged key/value storage of one tensor-parallel rank: for every layer, num_blocks * block_size token
// slots, each holding the rank's key/value heads in fp32.
#pragma once
#include <cstdint>
#include <vector>

namespace r1eval::engine {

class PagedKvCache {
 public:
  PagedKvCache(std::int64_t layers, std::int64_t kv_heads, std::int64_t head_dim, std::int32_t block_size,
               std::int64_t num_blocks);

  // Bytes one block takes across all layers (keys and values) for this shape.
  static std::uint64_t block_bytes(std::int64_t layers, std::int64_t kv_heads, std::int64_t head_dim,
                                   std::int32_t block_size);

  std::int32_t block_size() const { return block_size_; }
  std::int64_t num_blocks() const { return num_blocks_; }
  // Copies the keys and values of block `src` to block `dst` in every layer.
  void copy_block(std::int32_t src, std::int32_t dst);
  // The kv_heads * head_dim floats of `slot` in `layer`.
  float* key(std::int64_t layer, std::int64_t slot) { return keys_.data() + offset(layer, slot); }
  float* value(std::int64_t layer, std::int64_t slot) { return values_.data() + offset(layer, slot); }
  const float* key(std::int64_t layer, std::int64_t slot) const { return keys_.data() + offset(layer, slot); }
  const float* value(std::int64_t layer, std::int64_t slot) const { return values_.data() + offset(layer, slot); }

 private:
  std::size_t offset(std::int64_t layer, std::int64_t slot) const {
    return static_cast<std::size_t>((layer * num_blocks_ * block_size_ + slot) * slot_floats_);
  }
  std::int64_t layers_;
  std::int32_t block_size_;
  std::int64_t num_blocks_;
  std::int64_t slot_floats_;
  std::vector<float> keys_;
  std::vector<float> values_;
};

}  // namespace r1eval::engine
