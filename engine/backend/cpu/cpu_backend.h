// The CPU backend: the reference implementation of Backend. fp32 compute over bf16/fp16/fp32
// checkpoints; tensor-parallel ranks run as threads joined by an in-process all-reduce. A rank that
// fails releases the others from the all-reduce; the step throws that rank's error.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/cpu/cpu_rank.h"
#include "engine/parallel/rank_threads.h"
#include "engine/parallel/thread_communicator.h"

namespace r1eval::engine {

// This machine's physical memory in bytes, which the CPU backend's KV caches (one per replica) must fit in.
std::uint64_t host_memory_bytes();

struct CpuBackendOptions {
  int tensor_parallel = 1;           // ranks (threads); must divide the attention and key/value heads
  std::int32_t kv_block_size = 16;   // token slots per KV cache block
  std::uint64_t kv_cache_bytes = 256ull << 20;  // all ranks' caches together never exceed this
};

class CpuBackend final : public Backend {
 public:
  // Loads config.json and the weights of `model_dir`, sharded over options.tensor_parallel ranks.
  // Throws std::runtime_error (one line naming the file, field or tensor) for a bad model folder, and
  // std::invalid_argument when the KV cache budget holds no block.
  CpuBackend(const std::string& model_dir, const CpuBackendOptions& options);
  ~CpuBackend() override;

  const ModelConfig& config() const override { return config_; }
  std::int32_t kv_block_size() const override { return block_size_; }
  std::int64_t num_kv_blocks() const override { return num_blocks_; }
  std::vector<float> forward(const ForwardBatch& batch) override;
  void copy_kv_blocks(const std::vector<BlockCopy>& copies) override;

  int tensor_parallel() const { return static_cast<int>(ranks_.size()); }
  // Weight bytes all ranks read in one step (what bounds decode speed).
  std::uint64_t weight_bytes_per_step() const;

 private:
  ModelConfig config_;
  std::int32_t block_size_;
  std::int64_t num_blocks_ = 0;
  std::vector<std::unique_ptr<cpu::CpuRank>> ranks_;
  std::unique_ptr<ThreadGroup> group_;
  std::unique_ptr<RankThreads> threads_;  // after group_: joined before the group goes
};

}  // namespace r1eval::engine
