#include "engine/backend/cpu/cpu_rank.h"

#include <algorithm>
#include <cstring>

#include "engine/backend/cpu/cpu_attention.h"
#include "engine/backend/cpu/cpu_moe.h"
#include "engine/backend/cpu/cpu_ops.h"
#include "engine/backend/rope.h"

namespace r1eval::engine::cpu {

CpuRank::CpuRank(TransformerWeights weights, std::int32_t block_size, std::int64_t num_blocks)
    : weights_(std::move(weights)),
      attention_scale_(attention_logit_scale(weights_.config)),
      cache_(weights_.config.num_hidden_layers, weights_.local_kv_heads, weights_.config.head_dim, block_size,
             num_blocks) {
  for (std::int64_t l = 0; l < weights_.config.num_hidden_layers; ++l) {
    const ModelConfig rope = layer_rope_config(weights_.config, l);
    rotary_.push_back({rope_inverse_frequencies(rope), rotary_scale(rope)});
  }
}

std::vector<float> CpuRank::forward(const ForwardBatch& batch, Communicator& comm) {
  const ModelConfig& cfg = weights_.config;
  const auto tokens = static_cast<std::int64_t>(batch.num_tokens());
  const std::int64_t hidden = cfg.hidden_size;
  const int head_dim = static_cast<int>(cfg.head_dim);
  const int q_heads = static_cast<int>(weights_.local_q_heads);
  const int kv_heads = static_cast<int>(weights_.local_kv_heads);
  const std::int64_t kv_width = kv_heads * head_dim;
  const auto n = [](std::int64_t count) { return static_cast<std::size_t>(count); };

  // Vocab-parallel embedding: rows outside this rank's slice contribute zeros to the sum.
  std::vector<float> x(n(tokens * hidden), 0.0f);
  for (std::int64_t t = 0; t < tokens; ++t) {
    const std::int64_t id = batch.token_ids[n(t)];
    if (id >= weights_.vocab.begin && id < weights_.vocab.end) {
      std::memcpy(x.data() + t * hidden, weights_.embed.data() + (id - weights_.vocab.begin) * hidden,
                  n(hidden) * sizeof(float));
    }
  }
  comm.all_reduce_sum(x);
  if (cfg.embedding_multiplier != 1.0f)  // Gemma: sqrt(hidden_size)
    for (float& value : x) value *= cfg.embedding_multiplier;

  std::vector<float> h(x.size()), q(n(tokens * q_heads * head_dim)), k(n(tokens * kv_width)), v(k.size());
  std::vector<float> attn(q.size()), proj(x.size());
  std::int64_t inter = 0;  // the widest dense MLP (a sparse layer has none)
  for (const LayerWeights& layer : weights_.layers) inter = std::max(inter, layer.gate.out);
  std::vector<float> gate(n(tokens * inter)), up(gate.size());

  for (std::size_t l = 0; l < weights_.layers.size(); ++l) {
    const LayerWeights& layer = weights_.layers[l];
    const auto layer_index = static_cast<std::int64_t>(l);
    // OLMo 2/3 have no input norms: the projections read the stream itself.
    const float* attention_in = x.data();
    if (!layer.input_norm.empty()) {
      rms_norm(x.data(), layer.input_norm.data(), tokens, hidden, cfg.rms_norm_eps, h.data());
      attention_in = h.data();
    }
    linear_forward(attention_in, tokens, layer.q, q.data());
    linear_forward(attention_in, tokens, layer.k, k.data());
    linear_forward(attention_in, tokens, layer.v, v.data());
    if (cfg.qk_norm == QkNorm::kPerHead) {  // Qwen3: each head of q and of k normalised over its head_dim values
      rms_norm(q.data(), layer.q_norm.data(), tokens * q_heads, head_dim, cfg.rms_norm_eps, q.data());
      rms_norm(k.data(), layer.k_norm.data(), tokens * kv_heads, head_dim, cfg.rms_norm_eps, k.data());
    } else if (cfg.qk_norm == QkNorm::kWholeProjection) {  // OLMo: each token's q and k, split over the ranks
      const SplitRows parts[] = {{q.data(), layer.q_norm.data(), tokens, q_heads * head_dim},
                                 {k.data(), layer.k_norm.data(), tokens, kv_width}};
      rms_norm_split(parts, cfg.rms_norm_eps, comm);
    }
    const bool rotates = cfg.rotates(layer_index);  // SmolLM3's NoPE layers do not
    const LayerRotary& rotary = rotary_[l];
    for (std::int64_t t = 0; t < tokens; ++t) {
      if (rotates) {
        apply_rope(q.data() + t * q_heads * head_dim, q_heads, head_dim, batch.positions[n(t)], rotary.inv_freq, rotary.scale);
        apply_rope(k.data() + t * kv_width, kv_heads, head_dim, batch.positions[n(t)], rotary.inv_freq, rotary.scale);
      }
      const std::int64_t slot = batch.slot_mapping[n(t)];
      std::memcpy(cache_.key(layer_index, slot), k.data() + t * kv_width, n(kv_width) * sizeof(float));
      std::memcpy(cache_.value(layer_index, slot), v.data() + t * kv_width, n(kv_width) * sizeof(float));
    }
    paged_attention(batch, cache_, layer_index, q.data(), q_heads, kv_heads, head_dim, attention_scale_, attn.data(),
                    cfg.sliding_window(layer_index), static_cast<float>(cfg.attn_logit_softcap),
                    layer.sinks.empty() ? nullptr : layer.sinks.data());
    linear_forward(attn.data(), tokens, layer.o, proj.data());
    comm.all_reduce_sum(proj);
    // Gemma 2/3 and OLMo 2/3 normalise the whole attention output (summed over ranks) before it joins the stream.
    if (!layer.attn_output_norm.empty())
      rms_norm(proj.data(), layer.attn_output_norm.data(), tokens, hidden, cfg.rms_norm_eps, proj.data());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += proj[i];

    const float* mlp_in = x.data();
    if (!layer.post_attention_norm.empty()) {
      rms_norm(x.data(), layer.post_attention_norm.data(), tokens, hidden, cfg.rms_norm_eps, h.data());
      mlp_in = h.data();
    }
    if (!layer.experts.empty()) {
      moe_forward(mlp_in, tokens, layer, cfg.moe, proj.data());
    } else {
      linear_forward(mlp_in, tokens, layer.gate, gate.data());
      linear_forward(mlp_in, tokens, layer.up, up.data());
      activation_mul(cfg.activation, gate.data(), up.data(), tokens * layer.gate.out);
      linear_forward(gate.data(), tokens, layer.down, proj.data());
    }
    comm.all_reduce_sum(proj);
    if (!layer.ffn_output_norm.empty())
      rms_norm(proj.data(), layer.ffn_output_norm.data(), tokens, hidden, cfg.rms_norm_eps, proj.data());
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += proj[i];
  }

  const auto rows = static_cast<std::int64_t>(batch.logit_rows.size());
  std::vector<float> selected(n(rows * hidden));
  for (std::int64_t r = 0; r < rows; ++r) {
    std::memcpy(selected.data() + r * hidden, x.data() + batch.logit_rows[n(r)] * hidden, n(hidden) * sizeof(float));
  }
  rms_norm(selected.data(), weights_.final_norm.data(), rows, hidden, cfg.rms_norm_eps, selected.data());
  const std::int64_t local_vocab = weights_.vocab.size();
  std::vector<float> local(n(rows * local_vocab));
  matmul_transposed(selected.data(), rows, weights_.head(), local_vocab, hidden, local.data());
  soft_cap(local.data(), static_cast<std::int64_t>(local.size()), static_cast<float>(cfg.final_logit_softcap));  // Gemma 2
  if (comm.world_size() == 1) return local;
  // Vocab-parallel head: each rank fills its columns; the sum of disjoint columns is exact.
  const std::int64_t vocab = cfg.vocab_size;
  std::vector<float> logits(n(rows * vocab), 0.0f);
  for (std::int64_t r = 0; r < rows; ++r) {
    std::copy_n(local.data() + r * local_vocab, local_vocab, logits.data() + r * vocab + weights_.vocab.begin);
  }
  comm.all_reduce_sum(logits);
  return logits;
}

}  // namespace r1eval::engine::cpu
