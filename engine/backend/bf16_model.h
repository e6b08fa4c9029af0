// The bf16 model of the CUDA backend, as addresses in one arena: q/k/v merged into one [q | k | v]
// matrix (and bias), gate/up into one [gate | up] matrix, so each is one matmul. Host-side code only:
// the arena may be device memory (the CUDA backend) or host memory (the CPU twins run the same forward
// pass in tests), the caller supplies the copy.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/transformer_weights.h"
#include "kernels/activation.h"
#include "kernels/bf16.h"
#include "kernels/kv_cache.h"
#include "kernels/moe.h"
#include "kernels/rope.h"

namespace r1eval::engine {

using kernels::bf16;

// Pointers into the arena; a null bias means the layer has none.
struct Bf16Layer {
  const bf16* input_norm = nullptr;  // null: the attention reads the stream itself (OLMo 2 / 3, EXAONE 4.0)
  const bf16* qkv = nullptr;  // [q_width + 2 * kv_width][hidden]
  const bf16* qkv_bias = nullptr;
  // Qwen3's per-head norms of q and k ([head_dim] each), or with Bf16Model::projection_qk_norm OLMo's norms of
  // the whole projections ([q_width] and [kv_width], this rank's part); else null.
  const bf16* q_norm = nullptr;
  const bf16* k_norm = nullptr;
  const bf16* o = nullptr;  // [hidden][q_width]
  const bf16* o_bias = nullptr;
  const bf16* attn_output_norm = nullptr;  // OLMo, Gemma 2 / 3, GLM-4-0414, EXAONE 4.0: the attention output's norm
  const bf16* post_attention_norm = nullptr;  // the MLP's input norm; null: the MLP reads the stream (OLMo, EXAONE 4)
  const bf16* gate_up = nullptr;  // [2 * intermediate][hidden]
  const bf16* gate_up_bias = nullptr;
  const bf16* down = nullptr;  // [hidden][intermediate]
  const bf16* down_bias = nullptr;
  const bf16* ffn_output_norm = nullptr;  // the same models: the MLP output's norm before it joins the stream
  // A mixture-of-experts layer (Qwen3-MoE) in place of the dense MLP (gate_up and down then null): the router
  // [experts][hidden], each expert's [gate | up] rows [experts][2 * expert_inter][hidden] and down
  // [experts][hidden][expert_inter], this rank's slice of every expert.
  const bf16* router = nullptr;
  const bf16* experts_gate_up = nullptr;
  const bf16* experts_down = nullptr;
  // gpt-oss: the router's bias [experts] and the experts' biases as kernels::ExpertForm takes them (the down bias
  // zero on ranks other than 0); the attention sink of each of this rank's query heads [q_heads]. Null: none.
  const bf16* router_bias = nullptr;
  const bf16* experts_gate_up_bias = nullptr;
  const bf16* experts_down_bias = nullptr;
  const bf16* sinks = nullptr;
  // gpt-oss's experts kept in MXFP4 (TransformerShardReader::packed_experts), in place of experts_gate_up / down.
  kernels::Mxfp4Weights experts_gate_up_mxfp4, experts_down_mxfp4;
  int window = 0;  // sliding-window attention over this many positions; 0: the whole context
  // Set by set_layer_rotaries; a NoPE layer (SmolLM3) keeps pairs 0: q and k go unrotated.
  kernels::Rotary rotary;
};

struct Bf16Model {
  int hidden = 0, intermediate = 0, vocab = 0, q_heads = 0, kv_heads = 0, head_dim = 0;
  // OLMo 2 / 3: q and k are normalised over each token's whole projections, whose widths summed over the
  // tensor-parallel ranks are these (kernels::ProjectionNorm's totals).
  bool projection_qk_norm = false;
  int q_norm_total = 0, k_norm_total = 0;
  // Mixture of experts (0 experts: a dense model): routing as kernels/moe.h does it.
  int experts = 0, experts_per_token = 0, expert_inter = 0;
  bool renormalize_experts = false;
  float swiglu_limit = 0.0f, swiglu_alpha = 1.0f;  // gpt-oss's clamped SwiGLU (kernels::ExpertForm); 0: plain
  float rms_norm_eps = 1e-6f;
  float attention_scale = 0.0f;  // on q . k before the softmax (attention_logit_scale)
  // The Gemma family: the MLP gate's GELU, the embedding times sqrt(hidden_size) (rounded as transformers
  // rounds it; 1: none), Gemma 2's soft caps of the attention scores and of the logits (0: none).
  kernels::GateActivation activation = kernels::GateActivation::silu;
  float embedding_scale = 1.0f;
  float attention_softcap = 0.0f, logit_softcap = 0.0f;
  const bf16* embed = nullptr;  // [vocab][hidden]
  const bf16* head = nullptr;   // [vocab][hidden]; the embedding when tied
  const bf16* final_norm = nullptr;
  std::vector<Bf16Layer> layers;
  std::uint64_t bytes_per_step = 0;  // bf16 weight bytes one forward step reads

  int q_width() const { return q_heads * head_dim; }
  int kv_width() const { return kv_heads * head_dim; }
  int qkv_width() const { return q_width() + 2 * kv_width(); }
};

// Why the bf16 forward (the CUDA backend) cannot run the model `config` describes, in words to follow "<arch>: ",
// or nullopt when it can: experts beyond kernels/moe.h's limits run on the CPU backend only. (The CUDA backend also
// needs a head_dim its attention kernels are built for: kernels::attention_head_dim_supported.)
std::optional<std::string> bf16_unsupported(const ModelConfig& config);

// Bytes of the arena one rank's weights need (from the shapes alone: nothing is read).
std::size_t bf16_arena_bytes(const TransformerShardReader& reader);

// Reads the rank's tensors from the checkpoint one layer at a time, rounds each to bf16 and hands it to
// copy(destination in the arena, data, bytes) (MXFP4 expert stacks are handed over as their bytes, packed), so the
// host never holds more than one layer (the largest
// single tensor aside: the embedding or head). `arena` is the arena's base address (only offset from,
// never read here). Returns the model's pointers into the arena. Throws std::invalid_argument when the
// rank holds only a slice of the vocabulary (read it with ShardSpec::shard_vocab false), and what the
// reader throws for a bad checkpoint.
Bf16Model fill_bf16_arena(const TransformerShardReader& reader, std::byte* arena,
                          const std::function<void(std::byte* destination, const void* data, std::size_t bytes)>& copy);

// The rotary tables of a model's layers: the distinct inverse-frequency arrays with their factors (one, or two
// when the sliding layers rotate with their own RoPE: OLMo 3), and each layer's table (-1: a NoPE layer).
struct Bf16RopeTables {
  std::vector<std::vector<float>> inv_freq;
  std::vector<float> scale;
  std::vector<int> of_layer;
};
Bf16RopeTables bf16_rope_tables(const ModelConfig& config);
// Points every layer's rotary at its table: table_at[i] is where the caller put tables.inv_freq[i] (device or
// host memory, held as long as the model is used).
void set_layer_rotaries(Bf16Model& model, const Bf16RopeTables& tables, const std::vector<const float*>& table_at);

// The paged KV cache of every layer in one allocation: [layer][key | value][block][kv_head][offset][dim].
struct Bf16KvPools {
  bf16* base = nullptr;
  std::int64_t num_blocks = 0;
  int block_size = 0, kv_heads = 0, head_dim = 0;

  std::size_t pool_elements() const {
    return static_cast<std::size_t>(num_blocks) * static_cast<std::size_t>(block_size) * kv_heads * head_dim;
  }
  std::size_t block_elements() const { return static_cast<std::size_t>(block_size) * kv_heads * head_dim; }
  kernels::KvCacheView layer(std::int64_t layer_index) const;
};
// Bytes of one block across all layers, keys and values.
std::size_t bf16_kv_block_bytes(std::int64_t layers, int kv_heads, int head_dim, int block_size);

// The activations of one forward pass, carved from one buffer sized for `tokens` rows and `rows` logit rows.
struct Bf16Workspace {
  bf16 *residual = nullptr, *normed = nullptr, *proj = nullptr, *qkv = nullptr, *attn = nullptr,
       *gate_up = nullptr, *act = nullptr;
  bf16 *rows_proj = nullptr, *rows_residual = nullptr, *rows_normed = nullptr;
  float* qk_sums = nullptr;      // [tokens][2]: the sums of squares of whole q and k projections (OLMo, ranks > 1)
  // Mixture of experts (sized 0 for a dense model): router logits [tokens][experts], each token's experts and
  // weights [tokens][k], the pairs grouped by expert (offsets [experts + 1], pairs [tokens * k], the experts
  // with pairs [experts]), each pair's
  // activation [tokens * k][expert_inter] and output [tokens * k][hidden].
  float* router_logits = nullptr;
  std::int32_t *expert_ids = nullptr, *expert_offsets = nullptr, *expert_pairs = nullptr, *active_experts = nullptr;
  float* expert_weights = nullptr;
  bf16 *expert_act = nullptr, *expert_out = nullptr;
  float* rows_logits = nullptr;  // [rows][vocab]
};
std::size_t bf16_workspace_bytes(const Bf16Model& model, std::int64_t tokens, std::int64_t rows);
Bf16Workspace carve_bf16_workspace(const Bf16Model& model, std::byte* base, std::int64_t tokens, std::int64_t rows);

}  // namespace r1eval::engine
