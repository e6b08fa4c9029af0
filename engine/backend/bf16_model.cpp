#include "engine/backend/bf16_model.h"

#include <limits>

#include "engine/backend/gate_activation.h"
#include "engine/backend/rope.h"
#include "kernels/moe.h"

#include <stdexcept>
#include <string>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace r1eval::engine {

namespace {

std::size_t aligned(std::size_t bytes) { return (bytes + 255) & ~std::size_t{255}; }

// Visits the arena's tensors in arena order: visit(target, elements, parts, read_share), where `parts` are the
// fp32 tensors concatenated into that arena tensor and `read_share` the fraction of it a one-token step reads
// (1; experts_per_token / experts for the expert arrays). With `read` false nothing is read from the checkpoint and
// the parts are empty (only the sizes, known from the shard's shape). With `read` true one layer at a
// time is held. Tensors of no elements (an absent bias, a tied head) are not visited: their pointers
// stay null.
// MXFP4 expert stacks kept packed go to visit_bytes(target, bytes, data, read_share) instead (data null unread).
template <typename Visit, typename VisitBytes>
void walk_arena(const TransformerShardReader& reader, Bf16Model& model, bool read, Visit&& visit, VisitBytes&& visit_bytes) {
  const ModelConfig& c = reader.config();
  if (const auto why = bf16_unsupported(c)) throw std::invalid_argument(c.architecture_name + ": " + *why);
  const auto hidden = static_cast<std::size_t>(c.hidden_size);
  const auto vocab = static_cast<std::size_t>(reader.vocab().size());
  const auto q = static_cast<std::size_t>(reader.q_rows().size());
  const auto kv = static_cast<std::size_t>(reader.kv_rows().size());
  const auto inter = static_cast<std::size_t>(reader.intermediate_part().size());
  const bool whole_projection = c.qk_norm == QkNorm::kWholeProjection;
  const auto q_norm = c.qk_norm == QkNorm::kPerHead ? static_cast<std::size_t>(c.head_dim) : whole_projection ? q : 0;
  const auto k_norm = c.qk_norm == QkNorm::kPerHead ? static_cast<std::size_t>(c.head_dim) : whole_projection ? kv : 0;
  // Post-norms on the block outputs (OLMo): the MLP's input norm is then there only with input norms (Gemma).
  const std::size_t output_norm = c.sandwich_norms ? hidden : 0;
  const std::size_t input_norm = c.input_norms ? hidden : 0;
  const auto experts = static_cast<std::size_t>(c.moe.num_experts);
  const auto expert_inter = static_cast<std::size_t>(reader.expert_part().size());
  const auto put = [&](const bf16** target, std::size_t elements, std::vector<std::vector<float>*> parts,
                       double read_share = 1.0) {
    if (elements > 0) visit(target, elements, parts, read_share);
  };
  const double expert_share = experts > 0 ? static_cast<double>(c.moe.experts_per_token) / static_cast<double>(experts) : 1.0;
  std::vector<float> global;
  if (read) global = reader.embed();
  put(&model.embed, vocab * hidden, {&global});
  if (read) global = reader.final_norm();
  put(&model.final_norm, hidden, {&global});
  if (read) global = reader.lm_head();
  put(&model.head, c.tie_word_embeddings ? 0 : vocab * hidden, {&global});
  std::vector<float>().swap(global);

  model.layers.resize(static_cast<std::size_t>(c.num_hidden_layers));
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const bool packed = reader.packed_experts(static_cast<std::int64_t>(l));
    LayerWeights w;
    if (read) w = reader.layer(static_cast<std::int64_t>(l), packed);
    Bf16Layer& d = model.layers[l];
    put(&d.input_norm, input_norm, {&w.input_norm});
    put(&d.qkv, (q + 2 * kv) * hidden, {&w.q.weight, &w.k.weight, &w.v.weight});
    put(&d.qkv_bias, c.qkv_bias ? q + 2 * kv : 0, {&w.q.bias, &w.k.bias, &w.v.bias});
    put(&d.q_norm, q_norm, {&w.q_norm});
    put(&d.k_norm, k_norm, {&w.k_norm});
    put(&d.o, hidden * q, {&w.o.weight});
    put(&d.o_bias, c.o_bias ? hidden : 0, {&w.o.bias});
    put(&d.attn_output_norm, output_norm, {&w.attn_output_norm});
    put(&d.post_attention_norm, input_norm, {&w.post_attention_norm});
    put(&d.sinks, c.attention_sinks ? q / static_cast<std::size_t>(c.head_dim) : 0, {&w.sinks});
    if (c.moe.sparse(static_cast<std::int64_t>(l))) {
      std::vector<std::vector<float>*> gate_up, down, gate_up_bias, down_bias;
      if (read) {
        for (ExpertWeights& expert : w.experts) {
          gate_up.insert(gate_up.end(), {&expert.gate.weight, &expert.up.weight});
          down.push_back(&expert.down.weight);
          gate_up_bias.insert(gate_up_bias.end(), {&expert.gate.bias, &expert.up.bias});
          down_bias.push_back(&expert.down.bias);
        }
      }
      const std::size_t biases = c.moe.biases ? 1 : 0;
      put(&d.router, experts * hidden, {&w.router.weight});
      put(&d.router_bias, biases * experts, {&w.router.bias});
      if (packed) {  // MXFP4: half a byte a value and a scale byte per 32
        Mxfp4ExpertStacks s;
        if (read) s = reader.mxfp4_experts(static_cast<std::int64_t>(l));
        const std::size_t gate_up_values = experts * 2 * expert_inter * hidden, down_values = experts * hidden * expert_inter;
        visit_bytes(&d.experts_gate_up_mxfp4.blocks, gate_up_values / 2, read ? &s.gate_up_blocks : nullptr, expert_share);
        visit_bytes(&d.experts_gate_up_mxfp4.scales, gate_up_values / 32, read ? &s.gate_up_scales : nullptr, expert_share);
        visit_bytes(&d.experts_down_mxfp4.blocks, down_values / 2, read ? &s.down_blocks : nullptr, expert_share);
        visit_bytes(&d.experts_down_mxfp4.scales, down_values / 32, read ? &s.down_scales : nullptr, expert_share);
      } else {
        put(&d.experts_gate_up, experts * 2 * expert_inter * hidden, gate_up, expert_share);
        put(&d.experts_down, experts * hidden * expert_inter, down, expert_share);
      }
      put(&d.experts_gate_up_bias, biases * experts * 2 * expert_inter, gate_up_bias, expert_share);
      put(&d.experts_down_bias, biases * experts * hidden, down_bias, expert_share);
    } else {
      put(&d.gate_up, 2 * inter * hidden, {&w.gate.weight, &w.up.weight});
      put(&d.gate_up_bias, c.mlp_bias ? 2 * inter : 0, {&w.gate.bias, &w.up.bias});
      put(&d.down, hidden * inter, {&w.down.weight});
      put(&d.down_bias, c.mlp_bias ? hidden : 0, {&w.down.bias});
    }
    put(&d.ffn_output_norm, output_norm, {&w.ffn_output_norm});
  }
}

}  // namespace

std::optional<std::string> bf16_unsupported(const ModelConfig& config) {
  if (config.moe.any_sparse() &&
      (config.moe.num_experts > kernels::kMoeMaxExperts || config.moe.experts_per_token > kernels::kMoeMaxTopK))
    return "mixture-of-experts layers of more than " + std::to_string(kernels::kMoeMaxExperts) + " experts or " +
           std::to_string(kernels::kMoeMaxTopK) + " per token run on the CPU backend only (--backend cpu)";
  return std::nullopt;
}

std::size_t bf16_arena_bytes(const TransformerShardReader& reader) {
  Bf16Model scratch;
  std::size_t bytes = 0;
  walk_arena(
      reader, scratch, false,
      [&](const bf16**, std::size_t elements, const std::vector<std::vector<float>*>&, double) {
        bytes += aligned(elements * sizeof(bf16));
      },
      [&](const std::uint8_t**, std::size_t count, const std::vector<std::uint8_t>*, double) { bytes += aligned(count); });
  return bytes;
}

Bf16Model fill_bf16_arena(const TransformerShardReader& reader, std::byte* arena,
                          const std::function<void(std::byte*, const void*, std::size_t)>& copy) {
  const ModelConfig& cfg = reader.config();
  if (reader.vocab().size() != cfg.vocab_size) {
    throw std::invalid_argument("bf16 weights: rank " + std::to_string(reader.shard().rank) + " holds " +
                                std::to_string(reader.vocab().size()) + " of " + std::to_string(cfg.vocab_size) +
                                " vocabulary rows; the bf16 forward needs them all (ShardSpec::shard_vocab false)");
  }
  Bf16Model model;
  model.hidden = static_cast<int>(cfg.hidden_size);
  model.intermediate = static_cast<int>(reader.intermediate_part().size());
  model.vocab = static_cast<int>(cfg.vocab_size);
  model.q_heads = static_cast<int>(reader.local_q_heads());
  model.kv_heads = static_cast<int>(reader.local_kv_heads());
  model.head_dim = static_cast<int>(cfg.head_dim);
  model.rms_norm_eps = static_cast<float>(cfg.rms_norm_eps);
  model.projection_qk_norm = cfg.qk_norm == QkNorm::kWholeProjection;
  if (model.projection_qk_norm) {  // every rank holds as many rows of q and of k: see kernels::ProjectionNorm
    model.q_norm_total = model.q_heads * model.head_dim * reader.shard().world_size;
    model.k_norm_total = model.kv_heads * model.head_dim * reader.shard().world_size;
  }
  model.attention_scale = attention_logit_scale(cfg);
  model.activation = gate_activation_of(cfg.activation);
  model.embedding_scale = cfg.embedding_multiplier;
  model.attention_softcap = static_cast<float>(cfg.attn_logit_softcap);
  model.logit_softcap = static_cast<float>(cfg.final_logit_softcap);
  if (cfg.moe.any_sparse()) {
    model.experts = static_cast<int>(cfg.moe.num_experts);
    model.experts_per_token = static_cast<int>(cfg.moe.experts_per_token);
    model.expert_inter = static_cast<int>(reader.expert_part().size());
    model.renormalize_experts = cfg.moe.norm_topk_prob;
    model.swiglu_limit = static_cast<float>(cfg.moe.swiglu_limit);
    model.swiglu_alpha = static_cast<float>(cfg.moe.swiglu_alpha);
  }

  // Bytes read per step: every matrix and vector once; the embedding only through the tied head.
  std::uint64_t per_step = 0;
  std::size_t offset = 0;
  std::vector<bf16> rounded;
  walk_arena(reader, model, true,
             [&](const bf16** target, std::size_t elements, const std::vector<std::vector<float>*>& parts,
                 double read_share) {
               rounded.resize(elements);
               std::size_t at = 0;
               for (std::vector<float>* part : parts) {
                 if (at + part->size() > elements) break;
                 tbb::parallel_for(tbb::blocked_range<std::size_t>(0, part->size(), 1 << 16),
                                   [&](const tbb::blocked_range<std::size_t>& range) {
                                     for (std::size_t i = range.begin(); i < range.end(); ++i)
                                       rounded[at + i] = kernels::to_bf16((*part)[i]);
                                   });
                 at += part->size();
                 std::vector<float>().swap(*part);
               }
               if (at != elements) {
                 throw std::logic_error("bf16 weights: a tensor of rank " + std::to_string(reader.shard().rank) +
                                        " read " + std::to_string(at) + " values where its shape says " +
                                        std::to_string(elements));
               }
               copy(arena + offset, rounded.data(), elements * sizeof(bf16));
               *target = reinterpret_cast<const bf16*>(arena + offset);
               if (target != &model.embed || cfg.tie_word_embeddings)
                 per_step += static_cast<std::uint64_t>(static_cast<double>(elements) * read_share + 0.5) * sizeof(bf16);
               offset += aligned(elements * sizeof(bf16));
             },
             [&](const std::uint8_t** target, std::size_t count, std::vector<std::uint8_t>* data, double read_share) {
               if (data == nullptr || data->size() != count)
                 throw std::logic_error("bf16 weights: packed expert bytes of rank " + std::to_string(reader.shard().rank) +
                                        " do not match their shape");
               copy(arena + offset, data->data(), count);
               *target = reinterpret_cast<const std::uint8_t*>(arena + offset);
               per_step += static_cast<std::uint64_t>(static_cast<double>(count) * read_share + 0.5);
               offset += aligned(count);
               std::vector<std::uint8_t>().swap(*data);
             });
  if (model.head == nullptr) model.head = model.embed;  // tied embeddings
  // A window past int's range hides nothing of any context the kernels take (their lengths are ints).
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const std::int64_t window = cfg.sliding_window(static_cast<std::int64_t>(l));
    model.layers[l].window = window > std::numeric_limits<int>::max() ? 0 : static_cast<int>(window);
  }
  model.bytes_per_step = per_step;
  return model;
}

Bf16RopeTables bf16_rope_tables(const ModelConfig& config) {
  Bf16RopeTables tables;
  for (std::int64_t l = 0; l < config.num_hidden_layers; ++l) {
    if (!config.rotates(l)) {
      tables.of_layer.push_back(-1);
      continue;
    }
    const ModelConfig rope = layer_rope_config(config, l);
    std::vector<float> inv_freq = rope_inverse_frequencies(rope);
    const float scale = rotary_scale(rope);
    int table = 0;
    while (table < static_cast<int>(tables.inv_freq.size()) &&
           (tables.inv_freq[static_cast<std::size_t>(table)] != inv_freq || tables.scale[static_cast<std::size_t>(table)] != scale))
      ++table;
    if (table == static_cast<int>(tables.inv_freq.size())) {
      tables.inv_freq.push_back(std::move(inv_freq));
      tables.scale.push_back(scale);
    }
    tables.of_layer.push_back(table);
  }
  return tables;
}

void set_layer_rotaries(Bf16Model& model, const Bf16RopeTables& tables, const std::vector<const float*>& table_at) {
  if (tables.of_layer.size() != model.layers.size() || table_at.size() != tables.inv_freq.size())
    throw std::logic_error("set_layer_rotaries: the tables were made for another model");
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    const int table = tables.of_layer[l];
    if (table < 0) {
      model.layers[l].rotary = kernels::Rotary{};
      continue;
    }
    const auto t = static_cast<std::size_t>(table);
    model.layers[l].rotary = kernels::Rotary{table_at[t], static_cast<int>(tables.inv_freq[t].size()), tables.scale[t]};
  }
}

kernels::KvCacheView Bf16KvPools::layer(std::int64_t layer_index) const {
  kernels::KvCacheView view;
  bf16* keys = base + static_cast<std::size_t>(layer_index) * 2 * pool_elements();
  view.key = keys;
  view.value = keys + pool_elements();
  view.num_blocks = static_cast<int>(num_blocks);
  view.block_size = block_size;
  view.num_kv_heads = kv_heads;
  view.head_dim = head_dim;
  return view;
}

std::size_t bf16_kv_block_bytes(std::int64_t layers, int kv_heads, int head_dim, int block_size) {
  return static_cast<std::size_t>(layers) * 2 * static_cast<std::size_t>(kv_heads) * head_dim * block_size *
         sizeof(bf16);
}

namespace {

// Walks the workspace layout once for sizing and once for carving, so the two cannot disagree.
template <typename Take>
void layout(const Bf16Model& m, std::int64_t tokens, std::int64_t rows, Take&& take) {
  const auto t = static_cast<std::size_t>(tokens), r = static_cast<std::size_t>(rows);
  const auto hidden = static_cast<std::size_t>(m.hidden), inter = static_cast<std::size_t>(m.intermediate);
  take(t * hidden * sizeof(bf16));                                     // residual
  take(t * hidden * sizeof(bf16));                                     // normed
  take(t * hidden * sizeof(bf16));                                     // proj
  take(t * static_cast<std::size_t>(m.qkv_width()) * sizeof(bf16));   // qkv
  take(t * static_cast<std::size_t>(m.q_width()) * sizeof(bf16));     // attn
  take(t * 2 * inter * sizeof(bf16));                                  // gate_up
  take(t * inter * sizeof(bf16));                                      // act
  take(r * hidden * sizeof(bf16));                                     // rows_proj
  take(r * hidden * sizeof(bf16));                                     // rows_residual
  take(r * hidden * sizeof(bf16));                                     // rows_normed
  take(t * 2 * sizeof(float));                                         // qk_sums
  take(r * static_cast<std::size_t>(m.vocab) * sizeof(float));        // rows_logits
  const auto experts = static_cast<std::size_t>(m.experts), pairs = t * static_cast<std::size_t>(m.experts_per_token);
  take(t * experts * sizeof(float));                                   // router_logits
  take(pairs * sizeof(std::int32_t));                                  // expert_ids
  take(pairs * sizeof(float));                                         // expert_weights
  take(m.experts > 0 ? (experts + 1) * sizeof(std::int32_t) : 0);      // expert_offsets
  take(pairs * sizeof(std::int32_t));                                  // expert_pairs
  take(pairs * static_cast<std::size_t>(m.expert_inter) * sizeof(bf16));  // expert_act
  take(pairs * hidden * sizeof(bf16));                                 // expert_out
  take(experts * sizeof(std::int32_t));                                // active_experts
}

}  // namespace

std::size_t bf16_workspace_bytes(const Bf16Model& model, std::int64_t tokens, std::int64_t rows) {
  std::size_t total = 0;
  layout(model, tokens, rows, [&](std::size_t bytes) { total += aligned(bytes); });
  return total;
}

Bf16Workspace carve_bf16_workspace(const Bf16Model& model, std::byte* base, std::int64_t tokens, std::int64_t rows) {
  std::vector<std::byte*> pieces;
  std::size_t offset = 0;
  layout(model, tokens, rows, [&](std::size_t bytes) {
    pieces.push_back(base + offset);
    offset += aligned(bytes);
  });
  const auto b = [&](std::size_t i) { return reinterpret_cast<bf16*>(pieces[i]); };
  Bf16Workspace w;
  w.residual = b(0);
  w.normed = b(1);
  w.proj = b(2);
  w.qkv = b(3);
  w.attn = b(4);
  w.gate_up = b(5);
  w.act = b(6);
  w.rows_proj = b(7);
  w.rows_residual = b(8);
  w.rows_normed = b(9);
  w.qk_sums = reinterpret_cast<float*>(pieces[10]);
  w.rows_logits = reinterpret_cast<float*>(pieces[11]);
  w.router_logits = reinterpret_cast<float*>(pieces[12]);
  w.expert_ids = reinterpret_cast<std::int32_t*>(pieces[13]);
  w.expert_weights = reinterpret_cast<float*>(pieces[14]);
  w.expert_offsets = reinterpret_cast<std::int32_t*>(pieces[15]);
  w.expert_pairs = reinterpret_cast<std::int32_t*>(pieces[16]);
  w.expert_act = b(17);
  w.expert_out = b(18);
  w.active_experts = reinterpret_cast<std::int32_t*>(pieces[19]);
  return w;
}

}  // namespace r1eval::engine
