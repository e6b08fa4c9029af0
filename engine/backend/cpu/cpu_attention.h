// Causal grouped-query attention over a paged KV cache, fp32.
#pragma once
#include <cstdint>

#include "engine/backend/forward_batch.h"
#include "engine/backend/kv_cache.h"

namespace r1eval::engine::cpu {

// For every token t of `batch` and every local query head h, out[t, h] = softmax(scale * q[t,h] . K) V
// over the positions 0..positions[t] of t's sequence (with a sliding `window` > 0, the last `window` of them),
// read from `cache` layer `layer` through the block table; query head h reads key/value head
// h / (q_heads / kv_heads). q: [tokens, q_heads * head_dim]. scale is 1 / sqrt(head_dim) for plain RoPE
// (attention_logit_scale). A `softcap` > 0 (Gemma 2) turns each scaled score s into tanh(s / softcap) * softcap.
// `sinks` (gpt-oss; [q_heads] or null) adds exp(sinks[h]) to head h's softmax denominator: a logit without a value.
void paged_attention(const ForwardBatch& batch, const PagedKvCache& cache, std::int64_t layer, const float* q,
                     int q_heads, int kv_heads, int head_dim, float scale, float* out, std::int64_t window = 0,
                     float softcap = 0.0f, const float* sinks = nullptr);

}  // namespace r1eval::engine::cpu
