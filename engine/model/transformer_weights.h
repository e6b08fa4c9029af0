// The weights of one tensor-parallel rank of a Qwen2 / Llama decoder, widened to fp32.
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

struct LayerWeights {
  std::vector<float> input_norm;           // [hidden]
  Linear q, k, v, o;                       // q,k,v column-parallel; o row-parallel
  std::vector<float> post_attention_norm;  // [hidden]
  Linear gate, up, down;                   // gate,up column-parallel; down row-parallel
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

// The HF tensor names of the decoder (model.layers.N.self_attn.q_proj.weight, ...).
std::string layer_tensor_name(std::int64_t layer, const std::string& suffix);

// Loads rank `shard` of the model described by `config` from `checkpoint`. Every tensor's shape is checked
// against the config (and its dtype against torch_dtype for matrices) before slicing. Throws
// std::runtime_error with one line "<file>: tensor '<name>': ..." for a missing or mismatched tensor,
// and for a world size local_kv_heads refuses.
TransformerWeights load_transformer_weights(const Checkpoint& checkpoint, const ModelConfig& config, ShardSpec shard);

}  // namespace r1eval::engine
