#include "engine/runtime/block_manager.h"

#include <stdexcept>
#include <string>

namespace r1eval::engine {

BlockManager::BlockManager(std::int64_t num_blocks, std::int32_t block_size)
    : block_size_(block_size), ref_counts_(static_cast<std::size_t>(num_blocks), 0) {
  if (num_blocks <= 0 || block_size <= 0) throw std::invalid_argument("BlockManager: blocks and block size must be positive");
  for (std::int64_t b = num_blocks - 1; b >= 0; --b) free_.push_back(static_cast<std::int32_t>(b));
}

std::int64_t BlockManager::append_cost(const std::vector<std::int32_t>& table, std::int64_t cached,
                                       std::int64_t total) const {
  const std::int64_t needed = (total + block_size_ - 1) / block_size_;
  std::int64_t cost = std::max<std::int64_t>(0, needed - static_cast<std::int64_t>(table.size()));
  if (total > cached && cached % block_size_ != 0) {
    const auto last = static_cast<std::size_t>(cached / block_size_);
    if (last < table.size() && ref_count(table[last]) > 1) ++cost;
  }
  return cost;
}

std::int32_t BlockManager::take_free() {
  if (free_.empty()) throw std::logic_error("BlockManager: no free block (append_cost was not checked)");
  const std::int32_t block = free_.back();
  free_.pop_back();
  ref_counts_[static_cast<std::size_t>(block)] = 1;
  return block;
}

void BlockManager::append(std::vector<std::int32_t>& table, std::int64_t cached, std::int64_t total,
                          std::vector<BlockCopy>& copies) {
  if (total > cached && cached % block_size_ != 0) {
    const auto last = static_cast<std::size_t>(cached / block_size_);
    if (last < table.size() && ref_count(table[last]) > 1) {
      const std::int32_t copy = take_free();
      copies.push_back(BlockCopy{table[last], copy});
      --ref_counts_[static_cast<std::size_t>(table[last])];
      table[last] = copy;
    }
  }
  const std::int64_t needed = (total + block_size_ - 1) / block_size_;
  while (static_cast<std::int64_t>(table.size()) < needed) table.push_back(take_free());
}

std::vector<std::int32_t> BlockManager::fork(const std::vector<std::int32_t>& table) {
  for (const std::int32_t block : table) ++ref_counts_[static_cast<std::size_t>(block)];
  return table;
}

void BlockManager::release(std::vector<std::int32_t>& table) {
  for (auto it = table.rbegin(); it != table.rend(); ++it) {
    std::int32_t& count = ref_counts_[static_cast<std::size_t>(*it)];
    if (count <= 0) throw std::logic_error("BlockManager: block " + std::to_string(*it) + " released twice");
    if (--count == 0) free_.push_back(*it);
  }
  table.clear();
}

}  // namespace r1eval::engine
