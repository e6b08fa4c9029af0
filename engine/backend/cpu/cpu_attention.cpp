#include "engine/backend/cpu/cpu_attention.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace r1eval::engine::cpu {

void paged_attention(const ForwardBatch& batch, const PagedKvCache& cache, std::int64_t layer, const float* q,
                     int q_heads, int kv_heads, int head_dim, float* out) {
  const std::size_t tokens = batch.num_tokens();
  const int group = q_heads / kv_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const std::int32_t block_size = cache.block_size();
  // Which sequence each token belongs to.
  std::vector<std::int32_t> seq_of(tokens);
  for (std::size_t s = 0; s < batch.num_seqs(); ++s) {
    std::fill(seq_of.begin() + batch.seq_starts[s], seq_of.begin() + batch.seq_starts[s + 1], static_cast<std::int32_t>(s));
  }
  tbb::parallel_for(std::size_t{0}, tokens * static_cast<std::size_t>(q_heads), [&](std::size_t task) {
    const std::size_t t = task / static_cast<std::size_t>(q_heads);
    const int h = static_cast<int>(task % static_cast<std::size_t>(q_heads));
    const int kv_head = h / group;
    const std::int32_t* table =
        batch.block_tables.data() + static_cast<std::size_t>(seq_of[t]) * static_cast<std::size_t>(batch.max_blocks_per_seq);
    const std::int32_t context = batch.positions[t] + 1;
    const float* query = q + (t * static_cast<std::size_t>(q_heads) + static_cast<std::size_t>(h)) * static_cast<std::size_t>(head_dim);
    std::vector<float> scores(static_cast<std::size_t>(context));
    float max_score = -INFINITY;
    for (std::int32_t p = 0; p < context; ++p) {
      const std::int64_t slot = static_cast<std::int64_t>(table[p / block_size]) * block_size + p % block_size;
      const float* key = cache.key(layer, slot) + kv_head * head_dim;
      float dot = 0.0f;
      for (int i = 0; i < head_dim; ++i) dot += query[i] * key[i];
      scores[static_cast<std::size_t>(p)] = dot * scale;
      max_score = std::max(max_score, scores[static_cast<std::size_t>(p)]);
    }
    float total = 0.0f;
    for (float& s : scores) {
      s = std::exp(s - max_score);
      total += s;
    }
    float* result = out + (t * static_cast<std::size_t>(q_heads) + static_cast<std::size_t>(h)) * static_cast<std::size_t>(head_dim);
    std::fill(result, result + head_dim, 0.0f);
    for (std::int32_t p = 0; p < context; ++p) {
      const std::int64_t slot = static_cast<std::int64_t>(table[p / block_size]) * block_size + p % block_size;
      const float* value = cache.value(layer, slot) + kv_head * head_dim;
      const float weight = scores[static_cast<std::size_t>(p)] / total;
      for (int i = 0; i < head_dim; ++i) result[i] += weight * value[i];
    }
  });
}

}  // namespace r1eval::engine::cpu
