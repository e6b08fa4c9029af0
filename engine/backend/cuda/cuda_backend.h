// The CUDA backend: the model in bf16 on one GPU or, tensor-parallel, on `tensor_parallel` GPUs of this
// process (decoder layers sharded by the loader, an NCCL all-reduce after the o and down projections, one
// host thread per GPU), a bf16 paged KV cache in the kernels' layout (kernels/kv_cache.h), one forward
// pass per ragged batch over the kernels of kernels/cuda, tokens sampled on the device (or fp32 logits
// copied back by forward()), decode steps replayed from CUDA graphs captured per shape
// (decode_graph_plan.h). NOT YET RUN ON A GPU: compiled and linked only (see engine/README.md).
// Blocks and slots are numbered as the runtime's BlockManager numbers them, like the CPU backend's.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/backend/backend.h"

namespace r1eval::engine {

struct CudaBackendOptions {
  int device = 0;                   // CUDA device ordinal
  std::int32_t kv_block_size = 16;  // token slots per KV cache block
  // KV cache size; 0 takes kv_cache_memory_fraction of the device memory left free after the weights and
  // the workspace, less 1 GiB kept for what steps allocate later (attention scratch, sampling, graphs).
  std::uint64_t kv_cache_bytes = 0;
  double kv_cache_memory_fraction = 0.9;
  // The activation workspace is sized for this many tokens per batch at construction (and for this
  // many logit rows, or fewer when the batch bound is smaller); a larger batch grows it once.
  std::int32_t max_batch_tokens = 8192;
  std::int32_t max_logit_rows = 512;
  // GPUs device, device + 1, ... hold one rank each; above 1 needs NCCL (cuda_backend_has_nccl()).
  int tensor_parallel = 1;
  // Decode steps of up to max_graph_seqs sequences and contexts up to max_context_len (0: 40960, or the
  // model's max_position_embeddings if smaller) are replayed from CUDA graphs: run eagerly the first time a
  // shape is seen, captured the second, replayed after; longer or larger steps run eagerly. The graphs'
  // shared attention scratch is allocated at construction. false runs every step eagerly.
  bool cuda_graphs = true;
  int max_graph_seqs = 256;
  std::int64_t max_context_len = 0;
};

struct CudaGraphStats {
  std::int64_t captured = 0;  // captures (summed over ranks), graphs dropped later included
  std::int64_t replays = 0;   // steps replayed (summed over ranks)
};

// Whether this build found NCCL (tensor parallelism over GPUs needs it).
bool cuda_backend_has_nccl();

class CudaBackend final : public Backend {
 public:
  // Loads config.json and the weights of `model_dir` onto the devices as bf16 (fp16 and fp32 checkpoints
  // are rounded to bf16). Throws std::runtime_error with one line for: a bad model folder (as the CPU
  // backend), too few visible CUDA devices, a device that runs out of memory (naming what asked for how
  // many bytes), an NCCL failure; std::invalid_argument for a head dimension the attention kernels are not
  // built for, a bad block size, a head count the ranks cannot share, tensor parallelism without NCCL, or
  // a KV cache budget that holds no block.
  CudaBackend(const std::string& model_dir, const CudaBackendOptions& options);
  ~CudaBackend() override;

  const ModelConfig& config() const override;
  std::int32_t kv_block_size() const override;
  std::int64_t num_kv_blocks() const override;
  // One host->device copy of the packed batch, the layers on the backend's stream, the logits of
  // batch.logit_rows copied back as fp32. Throws std::invalid_argument for a batch that fails
  // validate_forward_batch (nothing is launched), DeviceOutOfMemory when a rank cannot allocate what the
  // step needs (checked on every rank before any launches: the cache is untouched and a smaller step may
  // follow), std::runtime_error naming the CUDA call that failed otherwise. When a tensor-parallel step
  // fails, the communicators are aborted and every later call (copy_kv_blocks too) throws runtime_error.
  std::vector<float> forward(const ForwardBatch& batch) override;
  // The forward pass, then the sampling kernel on the device logits; only the token ids are copied back.
  std::vector<std::int32_t> forward_and_sample(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) override;
  // Device-to-device copies of whole blocks (keys and values, every layer), ordered on the stream
  // before the next forward.
  void copy_kv_blocks(const std::vector<BlockCopy>& copies) override;

  // Weight bytes one step reads (what bounds batch-1 decode), and the device bytes of the KV cache; both
  // summed over the ranks.
  std::uint64_t weight_bytes_per_step() const;
  std::uint64_t kv_cache_bytes() const;
  CudaGraphStats graph_stats() const;
  // Turns graph replay of decode steps on or off from the next step on (benchmarks compare the two); on
  // only works for a backend constructed with cuda_graphs.
  void set_cuda_graphs(bool enabled);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace r1eval::engine
