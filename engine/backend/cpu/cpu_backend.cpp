#include "engine/backend/cpu/cpu_backend.h"

#include <unistd.h>

#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "engine/backend/kv_cache.h"
#include "engine/model/checkpoint.h"

namespace r1eval::engine {

std::uint64_t host_memory_bytes() {
  return static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<std::uint64_t>(sysconf(_SC_PAGE_SIZE));
}

CpuBackend::CpuBackend(const std::string& model_dir, const CpuBackendOptions& options)
    : config_(load_model_config(model_dir)), block_size_(options.kv_block_size) {
  if (options.tensor_parallel <= 0) throw std::invalid_argument("tensor_parallel must be at least 1");
  if (block_size_ <= 0) throw std::invalid_argument("kv_block_size must be at least 1");
  // Replicated key/value heads (more ranks than heads) cost memory on every rank that holds them.
  const std::int64_t kv_heads_all_ranks = local_kv_heads(config_, options.tensor_parallel) * options.tensor_parallel;
  const std::uint64_t block_bytes =
      PagedKvCache::block_bytes(config_.num_hidden_layers, kv_heads_all_ranks, config_.head_dim, block_size_);
  // The cache is host memory, taken whole at start: a size past the machine's would end in an allocation
  // failure or the kernel's OOM killer, naming nothing.
  const double gib = static_cast<double>(1ull << 30);
  const std::uint64_t physical = host_memory_bytes();
  if (options.kv_cache_bytes > physical) {
    std::ostringstream message;
    message << std::setprecision(3) << "KV cache of " << static_cast<double>(options.kv_cache_bytes) / gib
            << " GiB (--kv-cache-gb) is more than this machine's " << static_cast<double>(physical) / gib
            << " GiB of memory";
    throw std::invalid_argument(message.str());
  }
  num_blocks_ = static_cast<std::int64_t>(options.kv_cache_bytes / block_bytes);
  if (num_blocks_ == 0) {
    throw std::invalid_argument("KV cache of " + std::to_string(options.kv_cache_bytes) +
                                " bytes holds no block of " + std::to_string(block_bytes) + " bytes");
  }
  const Checkpoint checkpoint(model_dir);
  for (int r = 0; r < options.tensor_parallel; ++r) {
    ranks_.push_back(std::make_unique<cpu::CpuRank>(
        load_transformer_weights(checkpoint, config_, ShardSpec{r, options.tensor_parallel}), block_size_, num_blocks_));
  }
  if (options.tensor_parallel > 1) {
    group_ = std::make_unique<ThreadGroup>(options.tensor_parallel);
    threads_ = std::make_unique<RankThreads>(options.tensor_parallel, [group = group_.get()] { group->abandon(); });
  }
}

CpuBackend::~CpuBackend() = default;

std::vector<float> CpuBackend::forward(const ForwardBatch& batch) {
  // Validated before any rank starts, so that bad input fails the same way on every rank.
  check_forward_step(batch, {}, config_.vocab_size, num_blocks_, block_size_);
  if (ranks_.size() == 1) {
    SoloCommunicator solo;
    return ranks_.front()->forward(batch, solo);
  }
  group_->reset();  // a step that failed before left it abandoned
  std::vector<float> logits;
  threads_->run([&](int r) {
    std::vector<float> rank_logits = ranks_[static_cast<std::size_t>(r)]->forward(batch, group_->communicator(r));
    if (r == 0) logits = std::move(rank_logits);
  });
  return logits;
}

void CpuBackend::copy_kv_blocks(const std::vector<BlockCopy>& copies) {
  for (const BlockCopy& copy : copies) {
    if (copy.src < 0 || copy.src >= num_blocks_ || copy.dst < 0 || copy.dst >= num_blocks_) {
      throw std::invalid_argument("copy_kv_blocks: block " + std::to_string(copy.src) + " -> " +
                                  std::to_string(copy.dst) + " outside the KV cache of " + std::to_string(num_blocks_));
    }
  }
  for (const BlockCopy& copy : copies) {
    for (auto& rank : ranks_) rank->cache().copy_block(copy.src, copy.dst);
  }
}

std::uint64_t CpuBackend::weight_bytes_per_step() const {
  std::uint64_t total = 0;
  for (const auto& rank : ranks_) total += rank->weights().weight_bytes_per_step();
  return total;
}

}  // namespace r1eval::engine
