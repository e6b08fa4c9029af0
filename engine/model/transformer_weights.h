// The weights of one tensor-parallel rank of a Qwen2 / Llama / Qwen3 / Phi-3 / Mistral / Qwen3-MoE / SmolLM3 /
// Gemma decoder, widened to fp32. Gemma's norm weights are stored as offsets from 1 and held here as the factors
// they are (1 + w, added in fp32 as transformers does).
// Tensor-parallel sharding happens here, where weights are loaded, so the model code only sees
// local shapes: q/k/v/gate/up are column-parallel (a slice of output rows: whole heads, a slice of
// the intermediate size), o/down row-parallel (the matching slice of input columns; the partial
// outputs are summed across ranks), the embedding and head vocab-parallel (a slice of vocabulary rows).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/model/checkpoint.h"
#include "engine/model/model_config.h"

namespace r1eval::engine {

// Which part of the model this rank holds.
struct ShardSpec {
  int rank = 0;
  int world_size = 1;
  // false: every rank holds the whole embedding and head (the bf16 backends, whose kernels gather and
  // sample a full vocabulary on each rank); the decoder layers are sharded either way.
  bool shard_vocab = true;
};

// [begin, end) of `n` items held by `rank` of `world_size` (contiguous, sizes differ by at most one).
struct Range {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t size() const { return end - begin; }
};
Range shard_range(std::int64_t n, int rank, int world_size);

// A linear layer y = x W^T + b; W row-major [out, in]. bias is empty when the layer has none.
struct Linear {
  std::int64_t out = 0;
  std::int64_t in = 0;
  std::vector<float> weight;
  std::vector<float> bias;
};

struct ExpertWeights {
  Linear gate, up, down;  // as the dense MLP's, over expert_intermediate_size
};

struct LayerWeights {
  std::vector<float> input_norm;           // [hidden]; empty without input norms (OLMo 2/3)
  Linear q, k, v, o;                       // q,k,v column-parallel; o row-parallel
  // QkNorm::kPerHead (Qwen3, Gemma 3): [head_dim] each, whole on every rank; kWholeProjection (OLMo 2/3): this
  // rank's rows of the [q heads * head_dim] and [kv heads * head_dim] weights, as q and k are split; else empty.
  std::vector<float> q_norm, k_norm;
  std::vector<float> post_attention_norm;  // [hidden]: the MLP's input norm (Gemma 2/3: pre_feedforward_layernorm)
  std::vector<float> attn_output_norm;     // [hidden], Gemma 2/3, OLMo 2/3 (post_attention_layernorm): attention output
  std::vector<float> ffn_output_norm;      // [hidden], Gemma 2/3, OLMo 2/3 (post_feedforward_layernorm): MLP output
  Linear gate, up, down;                   // gate,up column-parallel; down row-parallel (empty in a sparse layer)
  Linear router;                           // sparse layer: [num_experts, hidden], whole on every rank
  std::vector<float> sinks;                // gpt-oss: the attention sink of each of this rank's query heads
  std::vector<ExpertWeights> experts;      // sparse layer: sharded as the dense MLP is
};

// gpt-oss's experts as released, kept in MXFP4 for the bf16 forward: this rank's rows in the kernels' layout
// (kernels::Mxfp4Weights), gate_up [experts][gate rows, then up rows][hidden / 2] code bytes with [..][hidden / 32]
// scales, down [experts][hidden][the rank's inter columns / 2] with [..][/ 32].
struct Mxfp4ExpertStacks {
  std::vector<std::uint8_t> gate_up_blocks, gate_up_scales, down_blocks, down_scales;
};

struct TransformerWeights {
  ModelConfig config;
  ShardSpec shard;
  std::int64_t local_q_heads = 0;
  std::int64_t local_kv_heads = 0;
  Range vocab;                 // vocabulary rows held by this rank (embedding and head)
  std::vector<float> embed;    // [vocab.size(), hidden]
  std::vector<LayerWeights> layers;
  std::vector<float> final_norm;  // [hidden]
  std::vector<float> lm_head;     // [vocab.size(), hidden]; empty when tied to embed

  const float* head() const { return lm_head.empty() ? embed.data() : lm_head.data(); }
  // Bytes of weights this rank reads in one forward step (every matrix once, embedding rows aside).
  std::uint64_t weight_bytes_per_step() const;
};

// Key/value heads each rank holds: a 1/world_size share when world_size divides num_key_value_heads,
// otherwise one head, replicated over world_size / num_key_value_heads ranks (so that every rank's query
// heads find their key/value head locally). Throws std::runtime_error when neither divides the other or
// world_size does not divide num_attention_heads.
std::int64_t local_kv_heads(const ModelConfig& config, int world_size);

// One rank's weights read part by part, with the slices and checks of load_transformer_weights, for a
// loader that holds one layer at a time instead of the whole rank widened to fp32 (the bf16 backends: a
// 32B model would otherwise take 128 GB of host memory on its way to the GPU). Knows the rank's shapes
// before reading anything. Keeps references to `checkpoint`; copies `config`, with tie_word_embeddings
// settled against the checkpoint as transformers does (a stored head that differs from the embedding is
// used, not tied; a tied checkpoint holding only lm_head.weight takes its embedding from it). The tensors are
// model.* and lm_head.weight, an image-text checkpoint's language_model.model.* (or model.language_model.*).
class TransformerShardReader {
 public:
  // Throws std::invalid_argument for a rank outside the world, std::runtime_error for a world size
  // local_kv_heads refuses.
  TransformerShardReader(const Checkpoint& checkpoint, const ModelConfig& config, ShardSpec shard);
  const ModelConfig& config() const { return config_; }
  ShardSpec shard() const { return shard_; }
  std::int64_t local_q_heads() const { return local_q_heads_; }
  std::int64_t local_kv_heads() const { return local_kv_heads_; }
  Range vocab() const { return vocab_; }                // rows of the embedding and head held
  Range q_rows() const { return q_rows_; }              // rows of q (and columns of o) held
  Range kv_rows() const { return kv_rows_; }            // rows of k and v held
  Range intermediate_part() const { return inter_part_; }  // rows of gate and up (columns of down) held
  // The same of each expert (MoE); MXFP4 experts are cut between whole 32-value groups, so ranks may differ by 32.
  Range expert_part() const { return expert_part_; }
  // The rank's TransformerWeights without tensors (config, shard, heads, vocabulary range, no layers).
  TransformerWeights skeleton() const;
  // Each throws std::runtime_error with one line "<file>: tensor '<name>': ..." for a missing or
  // mismatched tensor. lm_head() is empty when the head is tied to the embedding.
  std::vector<float> embed() const;
  std::vector<float> final_norm() const;
  std::vector<float> lm_head() const;
  // With `keep_packed` (in layers where packed_experts(index)), the expert matrices are left empty (their biases and
  // the router are read): mxfp4_experts gives them packed.
  LayerWeights layer(std::int64_t index, bool keep_packed = false) const;
  // Whether layer `index`'s experts are stored in MXFP4 and this rank's slice of them is whole 32-value groups (its
  // share of the intermediate size a multiple of 32), so they can stay packed; and those packed rows.
  bool packed_experts(std::int64_t index) const;
  Mxfp4ExpertStacks mxfp4_experts(std::int64_t index) const;

 private:
  const Checkpoint& checkpoint_;
  ModelConfig config_;
  ShardSpec shard_;
  // The HF tensor names: <body>embed_tokens.weight, <body>layers.N.self_attn.q_proj.weight, <body>norm.weight, the head;
  // with exaone_names_, the released EXAONE 3 / 3.5 / Deep names of the same tensors (transformer.wte.weight,
  // transformer.h.N.attn.attention.q_proj.weight, ..., transformer.ln_f.weight), which transformers renames on load.
  std::string layer_name(std::int64_t layer, const std::string& suffix) const;
  bool mxfp4_checkpoint() const;  // the (fused) experts are stored as MXFP4 blocks and scales
  std::string body_ = "model.";
  std::string head_tensor_ = "lm_head.weight";
  std::string embed_tensor_;
  std::string final_norm_tensor_;
  bool exaone_names_ = false;
  std::int64_t local_q_heads_ = 0, local_kv_heads_ = 0;
  Range vocab_, q_rows_, kv_rows_, inter_part_, expert_part_;
};

// Loads rank `shard` of the model described by `config` from `checkpoint`. Every tensor's shape is checked
// against the config before slicing (any float dtype is read, converted). Throws
// std::runtime_error with one line "<file>: tensor '<name>': ..." for a missing or mismatched tensor,
// and for a world size local_kv_heads refuses.
TransformerWeights load_transformer_weights(const Checkpoint& checkpoint, const ModelConfig& config, ShardSpec shard);

}  // namespace r1eval::engine
