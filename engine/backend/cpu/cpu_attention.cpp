#include "engine/backend/cpu/cpu_attention.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace r1eval::engine::cpu {
namespace {

// Eight independent partial sums, so the compiler can keep them in one vector register instead of
// waiting on one long chain of dependent additions.
float dot(const float* a, const float* b, int n) {
  float partial[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int j = 0; j < 8; ++j) partial[j] += a[i + j] * b[i + j];
  }
  float total = 0.0f;
  for (; i < n; ++i) total += a[i] * b[i];
  for (const float p : partial) total += p;
  return total;
}

}  // namespace

void paged_attention(const ForwardBatch& batch, const PagedKvCache& cache, std::int64_t layer, const float* q,
                     int q_heads, int kv_heads, int head_dim, float scale, float* out, std::int64_t window,
                     float softcap, const float* sinks) {
  const std::size_t tokens = batch.num_tokens();
  const int group = q_heads / kv_heads;
  const std::int32_t block_size = cache.block_size();
  // Which sequence each token belongs to.
  std::vector<std::int32_t> seq_of(tokens);
  for (std::size_t s = 0; s < batch.num_seqs(); ++s) {
    std::fill(seq_of.begin() + batch.seq_starts[s], seq_of.begin() + batch.seq_starts[s + 1], static_cast<std::int32_t>(s));
  }
  const auto attend = [&](std::size_t task) {
    const std::size_t t = task / static_cast<std::size_t>(q_heads);
    const int h = static_cast<int>(task % static_cast<std::size_t>(q_heads));
    const int kv_head = h / group;
    const std::int32_t* table =
        batch.block_tables.data() + static_cast<std::size_t>(seq_of[t]) * static_cast<std::size_t>(batch.max_blocks_per_seq);
    const std::int32_t context = batch.positions[t] + 1;
    // The first visible position: 0, or the start of the sliding window.
    const std::int32_t begin = window > 0 && context > window ? context - static_cast<std::int32_t>(window) : 0;
    const float* query = q + (t * static_cast<std::size_t>(q_heads) + static_cast<std::size_t>(h)) * static_cast<std::size_t>(head_dim);
    std::vector<float> scores(static_cast<std::size_t>(context), 0.0f);
    // Walk the context block by block: one table lookup per block rather than a division per position.
    float max_score = -INFINITY;
    for (std::int32_t first = begin - begin % block_size; first < context; first += block_size) {
      const std::int64_t base = static_cast<std::int64_t>(table[first / block_size]) * block_size;
      const std::int32_t count = std::min(block_size, context - first);
      for (std::int32_t o = std::max(0, begin - first); o < count; ++o) {
        float score = dot(query, cache.key(layer, base + o) + kv_head * head_dim, head_dim) * scale;
        if (softcap > 0) score = std::tanh(score / softcap) * softcap;
        scores[static_cast<std::size_t>(first + o)] = score;
        max_score = std::max(max_score, score);
      }
    }
    // A sink (gpt-oss) joins the softmax as one more logit without a value, as transformers appends it.
    if (sinks != nullptr) max_score = std::max(max_score, sinks[h]);
    float total = sinks != nullptr ? std::exp(sinks[h] - max_score) : 0.0f;
    for (std::size_t p = static_cast<std::size_t>(begin); p < scores.size(); ++p) {
      scores[p] = std::exp(scores[p] - max_score);
      total += scores[p];
    }
    float* result = out + (t * static_cast<std::size_t>(q_heads) + static_cast<std::size_t>(h)) * static_cast<std::size_t>(head_dim);
    std::fill(result, result + head_dim, 0.0f);
    for (std::int32_t first = begin - begin % block_size; first < context; first += block_size) {
      const std::int64_t base = static_cast<std::int64_t>(table[first / block_size]) * block_size;
      const std::int32_t count = std::min(block_size, context - first);
      for (std::int32_t o = std::max(0, begin - first); o < count; ++o) {
        const float* value = cache.value(layer, base + o) + kv_head * head_dim;
        const float weight = scores[static_cast<std::size_t>(first + o)] / total;
        for (int i = 0; i < head_dim; ++i) result[i] += weight * value[i];
      }
    }
  };
  // Small steps (a few decode tokens of a small model) cost less than handing tasks to other threads.
  std::int64_t work = 0;
  for (std::size_t t = 0; t < tokens; ++t) work += static_cast<std::int64_t>(batch.positions[t] + 1) * q_heads * head_dim;
  const std::size_t tasks = tokens * static_cast<std::size_t>(q_heads);
  if (work < (1 << 18)) {
    for (std::size_t task = 0; task < tasks; ++task) attend(task);
  } else {
    tbb::parallel_for(std::size_t{0}, tasks, attend);
  }
}

}  // namespace r1eval::engine::cpu
