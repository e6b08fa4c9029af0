// One GPU's part of the CUDA backend: its shard of the bf16 weights (the whole model with one rank), its
// bf16 KV pools (its key/value heads), its stream, workspace and upload buffer. Host-side code; the
// backend drives every rank with the same packed step, one host thread per rank when there are several.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/backend/bf16_forward.h"
#include "engine/backend/decode_graph_plan.h"
#include "engine/backend/forward_batch.h"
#include "engine/backend/packed_batch.h"
#include "engine/model/checkpoint.h"
#include "engine/model/model_config.h"
#include "engine/model/transformer_weights.h"

struct CUstream_st;

namespace r1eval::engine {
class RankThreads;
}

namespace r1eval::engine::cuda {

struct CudaRankOptions {
  int device = 0;
  std::int32_t kv_block_size = 16;
  std::int32_t max_batch_tokens = 8192;  // workspace sized for this at construction (grown on demand)
  std::int32_t max_logit_rows = 512;
  // Decode graphs: the attention scratch every graph shares is allocated at construction for this many
  // sequences at this context (0 sequences: no graphs on this rank).
  int max_graph_seqs = 0;
  std::int64_t max_graph_context = 0;
};

// What one step asks of a rank: the packed batch (draws appended) and what to bring back.
struct RankStep {
  const PackedBatch* packed = nullptr;
  // Set when `packed` was packed at this graph shape (pack_decode_graph_batch): the step may be captured
  // (capture()) and replayed.
  std::optional<DecodeGraphShape> graph_shape;
  bool replay = false;  // run the graph of graph_shape (captured before) instead of the layers one by one
  PackedDraws draws;
  bool want_logits = false;             // copy the fp32 logits back (forward())
  int logit_rows = 0;                    // the batch's own logit rows (a graph's padding rows follow them)
  std::vector<float>* logits = nullptr;  // [logit_rows][vocab] when want_logits
  std::vector<std::int32_t>* tokens = nullptr;  // one per draw otherwise
  // The threads of tensor-parallel ranks stepping together (null for one rank): when another rank of the
  // step failed, an eager step stops enqueueing at its next all-reduce and the final wait stops, with
  // PeerRankFailed.
  const RankThreads* peers = nullptr;
};

class CudaRank {
 public:
  // Loads rank `shard` of the checkpoint (vocabulary whole) onto options.device as bf16. Throws
  // std::runtime_error with one line for a CUDA failure or too little device memory.
  CudaRank(const Checkpoint& checkpoint, const ModelConfig& config, ShardSpec shard, const CudaRankOptions& options);
  ~CudaRank();
  CudaRank(const CudaRank&) = delete;
  CudaRank& operator=(const CudaRank&) = delete;

  // All-reduces of 1, 16, 256 and max_batch_tokens rows of hidden over `collectives`, finished before it
  // returns: NCCL sets up the connections and buffers of an algorithm at its first collective, which should
  // come before the KV cache is sized.
  // Stops waiting (PeerRankFailed) when another of `peers`' ranks failed.
  void warm_up_collectives(Bf16Collectives* collectives, const RankThreads* peers);
  // KV blocks this device can hold: `bytes` worth, or (bytes 0) `fraction` of its memory free now less
  // 1 GiB kept for what steps allocate later.
  std::int64_t kv_blocks_affordable(std::uint64_t bytes, double fraction) const;
  // Allocates the KV pools (every rank of a backend gets the same number of blocks).
  void allocate_kv_cache(std::int64_t blocks);
  std::int64_t num_kv_blocks() const;

  // Allocates what the step needs (workspace growth, upload and scratch buffers; the cuBLASLt workspace is
  // made with the rank) without enqueueing anything. Throws DeviceOutOfMemory when it does not fit; the KV cache is untouched
  // and a smaller step may be prepared next. The backend prepares every rank before any rank runs, so that
  // no rank waits in a collective for one that ran out of memory.
  void prepare(const RankStep& step);
  // Runs the step on this device after prepare(step) reserved its buffers: one upload, the layers (with
  // `collectives` between tensor-parallel ranks; null for one rank), then the logits or the sampled tokens
  // back; returns when they are on the host. Throws std::runtime_error naming the CUDA call that failed, or
  // PeerRankFailed (step.peers) when it stopped waiting for a rank that failed.
  void run(const RankStep& step, Bf16Collectives* collectives);
  // Captures the layers of step (prepared, with graph_shape set) into that shape's graph, to be replayed by
  // run() with step.replay; nothing runs. Throws DeviceOutOfMemory when the graph's buffers do not fit,
  // std::runtime_error naming the call when capture fails; the rank then holds no graph of the shape.
  void capture(const RankStep& step, Bf16Collectives* collectives);
  void drop_graph(const DecodeGraphShape& shape);
  // How often the activation workspace moved (prepare() grew it); each move dropped every graph of the rank.
  std::uint64_t workspace_moves() const;
  void drop_graphs();
  // Destroys every graph's executable (one in flight is freed when it completes) but keeps its buffers,
  // whose free would wait for the device: before aborting communicators whose all-reduces the graphs
  // captured (the abort waits for those graphs); drop_graphs() afterwards.
  void destroy_graph_executables();
  // Device-to-device copies of whole blocks, ordered before the next run. Blocks must be inside the cache.
  void copy_kv_blocks(const std::vector<BlockCopy>& copies);

  int device() const;
  CUstream_st* stream() const;
  std::uint64_t weight_bytes_per_step() const;
  std::uint64_t kv_cache_bytes() const;
  // Whether decode graphs can be captured (max_graph_seqs > 0 at construction).
  bool graphs_available() const;
  // Decode steps replayed from a captured graph, and graphs captured, since construction.
  std::int64_t graph_replays() const;
  std::int64_t graphs_captured() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace r1eval::engine::cuda
