// The forward pass of one tensor-parallel rank on the CPU: its shard of the weights, its part of the
// KV cache (its key/value heads), and the communicator that joins its partial sums with the other ranks'.
#pragma once
#include <vector>

#include "engine/backend/forward_batch.h"
#include "engine/backend/kv_cache.h"
#include "engine/model/transformer_weights.h"
#include "engine/parallel/communicator.h"

namespace r1eval::engine::cpu {

class CpuRank {
 public:
  CpuRank(TransformerWeights weights, std::int32_t block_size, std::int64_t num_blocks);

  const TransformerWeights& weights() const { return weights_; }
  // Collective over `comm` (every rank calls it with the same, already validated batch): writes the
  // batch's keys/values into this rank's cache and returns the full-vocabulary logits of
  // batch.logit_rows, [rows, vocab], identical on every rank.
  std::vector<float> forward(const ForwardBatch& batch, Communicator& comm);
  PagedKvCache& cache() { return cache_; }

 private:
  TransformerWeights weights_;
  // Per layer: Gemma 3's sliding layers rotate with their own frequencies.
  struct LayerRotary {
    std::vector<float> inv_freq;
    float scale = 1.0f;
  };
  std::vector<LayerRotary> rotary_;
  float attention_scale_;
  PagedKvCache cache_;
};

}  // namespace r1eval::engine::cpu
