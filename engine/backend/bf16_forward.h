// The forward pass of the CUDA backend, written once over a kernel family: `Kernels` is a struct of static
// functions with the signatures of r1eval::kernels::cuda (the CUDA backend) or r1eval::kernels::cpu (the CPU
// twins, which run the very same sequence of operations on host memory in tests).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "engine/backend/bf16_model.h"
#include "engine/backend/packed_batch.h"
#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/elementwise.h"
#include "kernels/moe.h"
#include "kernels/norm.h"
#include "kernels/projection.h"
#include "kernels/rope.h"
#include "kernels/sampling.h"

namespace r1eval::engine {

// The arrays of a PackedBatch once its bytes sit at `base` (device or host memory).
struct PackedPointers {
  const std::int32_t* token_ids;
  const std::int32_t* positions;
  const std::int64_t* slot_mapping;
  const std::int32_t* logit_rows;
  kernels::PagedBatch decode;
  kernels::PagedBatch prefill;
};

inline PackedPointers packed_pointers(const PackedBatch& packed, const std::byte* base) {
  const PackedOffsets& o = packed.offsets;
  const auto i32 = [base](std::size_t offset) { return reinterpret_cast<const std::int32_t*>(base + offset); };
  PackedPointers p{};
  p.token_ids = i32(o.token_ids);
  p.positions = i32(o.positions);
  p.slot_mapping = reinterpret_cast<const std::int64_t*>(base + o.slot_mapping);
  p.logit_rows = i32(o.logit_rows);
  p.decode.num_seqs = packed.num_decode;
  p.decode.context_lens = i32(o.decode_context_lens);
  p.decode.query_starts = p.decode.context_lens;  // decode ignores it; it must not be null
  p.decode.block_tables = i32(o.decode_block_tables);
  p.decode.max_blocks_per_seq = packed.max_blocks_per_seq;
  p.decode.max_query_len = 1;
  p.decode.max_context_len = packed.max_decode_context_len;
  p.prefill.num_seqs = packed.num_prefill_seqs;
  p.prefill.query_starts = i32(o.prefill_query_starts);
  p.prefill.context_lens = i32(o.prefill_context_lens);
  p.prefill.block_tables = i32(o.prefill_block_tables);
  p.prefill.max_blocks_per_seq = packed.max_blocks_per_seq;
  p.prefill.max_query_len = packed.max_prefill_query_len;
  p.prefill.max_context_len = packed.max_prefill_context_len;
  return p;
}

// The sums between tensor-parallel ranks: after the attention output projection and after the MLP down
// projection (row-parallel layers) each rank holds a partial sum of the block output; OLMo's norms of the
// whole q and k projections sum their squares over the ranks too. The embedding and the head are whole on
// every rank (ShardSpec::shard_vocab false), so nothing else crosses ranks.
class Bf16Collectives {
 public:
  virtual ~Bf16Collectives() = default;
  // Collective: every rank calls it, in the same order, for `count` values at `data` (its own memory, as
  // the kernels' pointers); enqueued on `stream`, it leaves the element-wise sum, identical on every rank.
  virtual void all_reduce_sum(bf16* data, std::size_t count, kernels::Stream stream) = 0;
  // The same in fp32: OLMo's sums of squares of the whole q and k projections, two values per token.
  virtual void all_reduce_sum(float* data, std::size_t count, kernels::Stream stream) = 0;
};

// Floats of decode scratch a batch needs (0 without decode rows).
inline std::size_t bf16_decode_workspace_floats(const Bf16Model& m, const PackedBatch& packed) {
  if (packed.num_decode == 0) return 0;
  return kernels::decode_workspace_floats(packed.num_decode, m.q_heads, m.head_dim, packed.max_decode_context_len);
}

// A mixture-of-experts layer's MLP (kernels/moe.h) on the n normed rows in w.normed, into w.proj (this rank's
// partial sum with tensor parallelism).
template <typename Kernels>
void moe_block_output(const Bf16Model& m, const Bf16Layer& layer, const Bf16Workspace& w, int n,
                      kernels::Stream stream) {
  const int k = m.experts_per_token, pairs = n * k;
  Kernels::matmul(w.normed, layer.router, layer.router_bias, w.router_logits, n, m.experts, m.hidden, stream);
  Kernels::moe_route(w.router_logits, n, m.experts, k, m.renormalize_experts, w.expert_ids, w.expert_weights, stream);
  Kernels::moe_group(w.expert_ids, pairs, m.experts, w.expert_offsets, w.expert_pairs, w.active_experts, stream);
  kernels::ExpertForm form;
  form.gate_up_bias = layer.experts_gate_up_bias;
  form.down_bias = layer.experts_down_bias;
  form.swiglu_limit = m.swiglu_limit;
  form.swiglu_alpha = m.swiglu_alpha;
  form.gate_up_mxfp4 = layer.experts_gate_up_mxfp4;
  form.down_mxfp4 = layer.experts_down_mxfp4;
  Kernels::moe_gate_up(w.normed, m.hidden, layer.experts_gate_up, m.expert_inter, m.experts, k, w.expert_offsets,
                       w.expert_pairs, w.active_experts, pairs, w.expert_act, form, stream);
  Kernels::moe_down(w.expert_act, m.expert_inter, layer.experts_down, m.hidden, m.experts, w.expert_offsets,
                    w.expert_pairs, w.active_experts, pairs, w.expert_out, form, stream);
  Kernels::moe_combine(w.expert_out, w.expert_weights, n, k, m.hidden, w.proj, stream);
}

// Runs `packed` (its bytes at `batch`) through the model: writes its keys and values into `kv` and leaves
// the logits of its logit rows, in the batch's order, in w.rows_logits ([rows][vocab] fp32). `w` must be
// carved for at least packed.num_tokens tokens and packed.num_logit_rows rows; decode_workspace must hold
// bf16_decode_workspace_floats floats. Everything is enqueued on `stream`; nothing is synchronized.
// With tensor parallelism `m` and `kv` are this rank's shard and every rank runs the same batch with its
// `collectives`; the logits come out identical on every rank. `collectives` is null for one rank. Each
// layer rotates q and k by its own Bf16Layer::rotary (set_layer_rotaries).
template <typename Kernels>
void bf16_forward(const Bf16Model& m, const PackedBatch& packed, const std::byte* batch, const Bf16Workspace& w,
                  const Bf16KvPools& kv, float* decode_workspace, kernels::Stream stream,
                  Bf16Collectives* collectives = nullptr) {
  const PackedPointers p = packed_pointers(packed, batch);
  const int n = packed.num_tokens, rows = packed.num_logit_rows;
  const int h = m.hidden, inter = m.intermediate, qkv_width = m.qkv_width(), q_width = m.q_width();
  const float scale = m.attention_scale, eps = m.rms_norm_eps;
  // One rank adds each block output (attention o, MLP down) into the residual stream in the projection
  // itself, and each norm then reads the stream alone, fused into the projection after it on the GPU. With
  // tensor parallelism a rank's projection is a partial sum: it goes to proj, is summed over the ranks,
  // and the norm after it adds it to the stream (proj_pending).
  const bool one_rank = collectives == nullptr;
  bool proj_pending = false;
  const auto norm = [&](const bf16* weight) {
    Kernels::rmsnorm_residual(proj_pending ? w.proj : w.residual, proj_pending ? w.residual : nullptr, w.normed,
                              weight, n, h, eps, stream);
    proj_pending = false;
  };
  const auto add_block_output = [&](const bf16* x, const bf16* weight, const bf16* bias, int k) {
    if (one_rank) {
      Kernels::matmul_add_residual(x, weight, bias, w.residual, n, h, k, stream);
      return;
    }
    Kernels::matmul(x, weight, bias, w.proj, n, h, k, stream);
    collectives->all_reduce_sum(w.proj, static_cast<std::size_t>(n) * h, stream);
    proj_pending = true;
  };
  // OLMo 2 / 3: a block output's norm joins the stream (summed over the ranks first), which the next block
  // then reads as it is.
  const auto add_normed_block_output = [&](const bf16* x, const bf16* weight, const bf16* bias, int k,
                                           const bf16* output_norm) {
    Kernels::matmul(x, weight, bias, w.proj, n, h, k, stream);
    if (!one_rank) collectives->all_reduce_sum(w.proj, static_cast<std::size_t>(n) * h, stream);
    Kernels::rmsnorm_add(w.proj, w.residual, output_norm, n, h, eps, stream);
  };
  Kernels::embedding_gather(p.token_ids, n, m.embed, m.vocab, h, w.residual, stream);
  if (m.embedding_scale != 1.0f)  // Gemma
    Kernels::scale_values(w.residual, static_cast<std::size_t>(n) * h, m.embedding_scale, stream);
  // Gemma's GELU MLPs run unfused: the norm (if any), the gate/up product, then GELU * up.
  const auto gelu_mlp = [&](const bf16* norm_weight, const Bf16Layer& layer) {
    const bf16* mlp_in = w.residual;
    if (norm_weight != nullptr) {
      norm(norm_weight);
      mlp_in = w.normed;
    }
    Kernels::matmul(mlp_in, layer.gate_up, layer.gate_up_bias, w.gate_up, n, 2 * inter, h, stream);
    Kernels::gated_activation_mul(w.gate_up, w.act, n, inter, m.activation, stream);
  };
  for (std::size_t l = 0; l < m.layers.size(); ++l) {
    const Bf16Layer& layer = m.layers[l];
    const kernels::KvCacheView cache = kv.layer(static_cast<std::int64_t>(l));
    const kernels::Rotary& layer_rotary = layer.rotary;
    // OLMo and EXAONE 4.0 have no input norm: the attention reads the stream itself (their sandwich norms add each
    // block's output into it at once, so nothing is pending there).
    const bf16* attention_in = w.residual;
    const auto normed_attention_input = [&] {
      if (layer.input_norm == nullptr) return;
      norm(layer.input_norm);
      attention_in = w.normed;
    };
    if (m.projection_qk_norm) {  // OLMo: q and k normalised over whole projections, then RoPE
      normed_attention_input();
      Kernels::matmul(attention_in, layer.qkv, layer.qkv_bias, w.qkv, n, qkv_width, h, stream);
      kernels::ProjectionNorm projection_norm{layer.q_norm, layer.k_norm, eps, nullptr, m.q_norm_total, m.k_norm_total};
      if (!one_rank) {
        Kernels::qk_sum_squares(w.qkv, n, q_width, m.kv_width(), w.qk_sums, stream);
        collectives->all_reduce_sum(w.qk_sums, static_cast<std::size_t>(n) * 2, stream);
        projection_norm.sums = w.qk_sums;
      }
      Kernels::qk_projection_norm(w.qkv, n, q_width, m.kv_width(), projection_norm, stream);
      Kernels::rope_write_kv(w.qkv, n, m.q_heads, p.positions, p.slot_mapping, layer_rotary, cache, stream);
    } else if (layer.q_norm != nullptr) {  // Qwen3: the per-head norm needs whole heads, so RoPE runs after the matmul
      normed_attention_input();
      Kernels::matmul(attention_in, layer.qkv, layer.qkv_bias, w.qkv, n, qkv_width, h, stream);
      Kernels::qk_norm_rope_write_kv(w.qkv, n, m.q_heads, kernels::HeadNorm{layer.q_norm, layer.k_norm, eps},
                                     p.positions, p.slot_mapping, layer_rotary, cache, stream);
    } else if (one_rank && !proj_pending) {
      Kernels::rmsnorm_matmul_rope_write_kv(w.residual, layer.input_norm, eps, w.normed, layer.qkv, layer.qkv_bias,
                                            w.qkv, n, m.q_heads, h, p.positions, p.slot_mapping, layer_rotary, cache,
                                            stream);
    } else {
      norm(layer.input_norm);
      Kernels::matmul_rope_write_kv(w.normed, layer.qkv, layer.qkv_bias, w.qkv, n, m.q_heads, h, p.positions,
                                    p.slot_mapping, layer_rotary, cache, stream);
    }
    // Decode rows come first in the packed order; the prefill rows follow them. A window layer attends to its
    // last `window` positions.
    kernels::PagedBatch decode = p.decode, prefill = p.prefill;
    decode.window = prefill.window = layer.window;
    decode.softcap = prefill.softcap = m.attention_softcap;
    decode.sinks = prefill.sinks = layer.sinks;
    if (packed.num_decode > 0) {
      Kernels::paged_attention_decode(w.qkv, qkv_width, w.attn, m.q_heads, cache, decode, scale, decode_workspace,
                                      stream);
    }
    if (packed.num_prefill_seqs > 0) {
      const auto first = static_cast<std::size_t>(packed.num_decode);
      Kernels::paged_attention_prefill(w.qkv + first * static_cast<std::size_t>(qkv_width), qkv_width,
                                       w.attn + first * static_cast<std::size_t>(q_width), m.q_heads, cache, prefill,
                                       scale, stream);
    }
    if (layer.attn_output_norm != nullptr) {
      add_normed_block_output(w.attn, layer.o, layer.o_bias, q_width, layer.attn_output_norm);
    } else {
      add_block_output(w.attn, layer.o, layer.o_bias, q_width);
    }
    if (layer.router != nullptr) {  // mixture of experts: its output goes to proj; the next norm adds it
      norm(layer.post_attention_norm);
      moe_block_output<Kernels>(m, layer, w, n, stream);
      if (!one_rank) collectives->all_reduce_sum(w.proj, static_cast<std::size_t>(n) * h, stream);
      proj_pending = true;
      continue;
    }
    if (m.activation != kernels::GateActivation::silu) {
      gelu_mlp(layer.post_attention_norm, layer);
    } else if (layer.post_attention_norm == nullptr) {  // OLMo: the MLP reads the stream itself
      Kernels::matmul_silu_mul(w.residual, layer.gate_up, layer.gate_up_bias, w.gate_up, w.act, n, inter, h, stream);
    } else if (one_rank) {
      Kernels::rmsnorm_matmul_silu_mul(w.residual, layer.post_attention_norm, eps, w.normed, layer.gate_up,
                                       layer.gate_up_bias, w.gate_up, w.act, n, inter, h, stream);
    } else {
      norm(layer.post_attention_norm);
      Kernels::matmul_silu_mul(w.normed, layer.gate_up, layer.gate_up_bias, w.gate_up, w.act, n, inter, h, stream);
    }
    if (layer.ffn_output_norm != nullptr) {
      add_normed_block_output(w.act, layer.down, layer.down_bias, inter, layer.ffn_output_norm);
    } else {
      add_block_output(w.act, layer.down, layer.down_bias, inter);
    }
  }
  if (rows == 0) return;
  // Only the logit rows go through the last residual add (tensor parallel), the final norm and the head:
  // gather them first (an embedding gather over the activations as a table of n rows), unless they are
  // the rows as they stand (one rank, every row a logit row in order: decode steps).
  if (!proj_pending && logit_rows_are_tokens(packed)) {
    Kernels::rmsnorm_residual(w.residual, static_cast<bf16*>(nullptr), w.rows_normed, m.final_norm, rows, h, eps,
                              stream);
  } else {
    Kernels::embedding_gather(p.logit_rows, rows, w.residual, n, h, w.rows_residual, stream);
    if (proj_pending) Kernels::embedding_gather(p.logit_rows, rows, w.proj, n, h, w.rows_proj, stream);
    Kernels::rmsnorm_residual(proj_pending ? w.rows_proj : w.rows_residual, proj_pending ? w.rows_residual : nullptr,
                              w.rows_normed, m.final_norm, rows, h, eps, stream);
  }
  Kernels::matmul(w.rows_normed, m.head, static_cast<const bf16*>(nullptr), w.rows_logits, rows, m.vocab, h, stream);
  if (m.logit_softcap > 0.0f)  // Gemma 2
    Kernels::soft_cap_values(w.rows_logits, static_cast<std::size_t>(rows) * m.vocab, m.logit_softcap, stream);
}

// Chooses the token of every draw packed after the batch at `batch` (append_token_draws) from the logits that
// bf16_forward left in w.rows_logits, into `tokens` (draws.num_draws entries, same memory as the batch).
// sample_workspace: kernels::sampling_workspace_bytes(draws.num_draws, m.vocab) bytes of scratch, or null
// (the same tokens, one block per draw on a GPU).
template <typename Kernels>
void bf16_sample(const Bf16Model& m, const PackedDraws& draws, const std::byte* batch, const Bf16Workspace& w,
                 std::int32_t* tokens, std::byte* sample_workspace, kernels::Stream stream) {
  if (draws.num_draws == 0) return;
  Kernels::sample_token_rows(w.rows_logits, m.vocab, reinterpret_cast<const std::int32_t*>(batch + draws.rows),
                             draws.num_draws, reinterpret_cast<const kernels::SamplingParams*>(batch + draws.params),
                             reinterpret_cast<const kernels::SampleKey*>(batch + draws.keys), tokens, sample_workspace,
                             stream);
}

// The kernel family as a Kernels argument of bf16_forward: KERNEL_NS is r1eval::kernels::cuda or ::cpu.
#define R1EVAL_BF16_KERNEL_FAMILY(NAME, KERNEL_NS)                                                                   \
  struct NAME {                                                                                                     \
    template <typename T>                                                                                           \
    static void embedding_gather(const std::int32_t* ids, int count, const ::r1eval::kernels::bf16* table,          \
                                 int vocab, int dim, T* out, ::r1eval::kernels::Stream s) {                         \
      KERNEL_NS::embedding_gather<T>(ids, count, table, vocab, dim, out, s);                                        \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void rmsnorm_residual(const T* in, T* residual, T* out, const ::r1eval::kernels::bf16* weight, int rows, \
                                 int dim, float eps, ::r1eval::kernels::Stream s) {                                 \
      KERNEL_NS::rmsnorm_residual<T>(in, residual, out, weight, rows, dim, eps, s);                                 \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void matmul(const ::r1eval::kernels::bf16* x, const ::r1eval::kernels::bf16* weight,                     \
                       const ::r1eval::kernels::bf16* bias, T* y, int m, int n, int k, ::r1eval::kernels::Stream s) { \
      KERNEL_NS::matmul<T>(x, weight, bias, y, m, n, k, s);                                                         \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void paged_attention_decode(const T* q, int stride, T* out, int q_heads,                                 \
                                       const ::r1eval::kernels::KvCacheView& cache,                                 \
                                       const ::r1eval::kernels::PagedBatch& batch, float scale, float* work,        \
                                       ::r1eval::kernels::Stream s) {                                               \
      KERNEL_NS::paged_attention_decode<T>(q, stride, out, q_heads, cache, batch, scale, work, s);                  \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void paged_attention_prefill(const T* q, int stride, T* out, int q_heads,                                \
                                        const ::r1eval::kernels::KvCacheView& cache,                                \
                                        const ::r1eval::kernels::PagedBatch& batch, float scale,                    \
                                        ::r1eval::kernels::Stream s) {                                              \
      KERNEL_NS::paged_attention_prefill<T>(q, stride, out, q_heads, cache, batch, scale, s);                       \
    }                                                                                                               \
    static void sample_token_rows(const float* logits, int vocab, const std::int32_t* rows, int draws,               \
                                  const ::r1eval::kernels::SamplingParams* params,                                  \
                                  const ::r1eval::kernels::SampleKey* keys, std::int32_t* tokens,                   \
                                  std::byte* workspace, ::r1eval::kernels::Stream s) {                              \
      KERNEL_NS::sample_token_rows(logits, vocab, rows, draws, params, keys, tokens, workspace, s);                 \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void matmul_rope_write_kv(const ::r1eval::kernels::bf16* x, const ::r1eval::kernels::bf16* weight,      \
                                     const ::r1eval::kernels::bf16* bias, T* qkv, int m, int q_heads, int k,        \
                                     const std::int32_t* positions, const std::int64_t* slots,                     \
                                     const ::r1eval::kernels::Rotary& rotary,                                       \
                                     const ::r1eval::kernels::KvCacheView& cache,                                   \
                                     ::r1eval::kernels::Stream s) {                                                 \
      KERNEL_NS::matmul_rope_write_kv<T>(x, weight, bias, qkv, m, q_heads, k, positions, slots, rotary, cache, s);  \
    }                                                                                                               \
    static void rmsnorm_matmul_rope_write_kv(                                                                       \
        const ::r1eval::kernels::bf16* input, const ::r1eval::kernels::bf16* norm_weight, float eps,                \
        ::r1eval::kernels::bf16* normed, const ::r1eval::kernels::bf16* weight, const ::r1eval::kernels::bf16* bias, \
        ::r1eval::kernels::bf16* qkv, int m, int q_heads, int k, const std::int32_t* positions,                     \
        const std::int64_t* slots,                                                                                  \
        const ::r1eval::kernels::Rotary& rotary, const ::r1eval::kernels::KvCacheView& cache,                       \
        ::r1eval::kernels::Stream s) {                                                                              \
      KERNEL_NS::rmsnorm_matmul_rope_write_kv<::r1eval::kernels::bf16>(input, norm_weight, eps, normed, weight,    \
                                                                       bias, qkv, m, q_heads, k, positions, slots,  \
                                                                       rotary, cache, s);                           \
    }                                                                                                               \
    static void rmsnorm_matmul_silu_mul(const ::r1eval::kernels::bf16* input,                                       \
                                        const ::r1eval::kernels::bf16* norm_weight, float eps,                      \
                                        ::r1eval::kernels::bf16* normed, const ::r1eval::kernels::bf16* weight,     \
                                        const ::r1eval::kernels::bf16* bias, ::r1eval::kernels::bf16* gate_up,      \
                                        ::r1eval::kernels::bf16* out, int m, int inter, int k,                      \
                                        ::r1eval::kernels::Stream s) {                                              \
      KERNEL_NS::rmsnorm_matmul_silu_mul<::r1eval::kernels::bf16>(input, norm_weight, eps, normed, weight, bias,    \
                                                                  gate_up, out, m, inter, k, s);                    \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void qk_norm_rope_write_kv(T* qkv, int m, int q_heads, const ::r1eval::kernels::HeadNorm& norm,         \
                                      const std::int32_t* positions, const std::int64_t* slots,                    \
                                      const ::r1eval::kernels::Rotary& rotary,                                      \
                                      const ::r1eval::kernels::KvCacheView& cache,                                  \
                                      ::r1eval::kernels::Stream s) {                                                \
      KERNEL_NS::qk_norm_rope_write_kv<T>(qkv, m, q_heads, norm, positions, slots, rotary, cache, s);               \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void rmsnorm_add(const T* in, T* residual, const ::r1eval::kernels::bf16* weight, int rows, int dim,     \
                            float eps, ::r1eval::kernels::Stream s) {                                               \
      KERNEL_NS::rmsnorm_add<T>(in, residual, weight, rows, dim, eps, s);                                           \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void qk_sum_squares(const T* qkv, int rows, int q_width, int kv_width, float* sums,                      \
                               ::r1eval::kernels::Stream s) {                                                       \
      KERNEL_NS::qk_sum_squares<T>(qkv, rows, q_width, kv_width, sums, s);                                          \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void qk_projection_norm(T* qkv, int rows, int q_width, int kv_width,                                     \
                                   const ::r1eval::kernels::ProjectionNorm& norm, ::r1eval::kernels::Stream s) {    \
      KERNEL_NS::qk_projection_norm<T>(qkv, rows, q_width, kv_width, norm, s);                                      \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void rope_write_kv(T* qkv, int m, int q_heads, const std::int32_t* positions, const std::int64_t* slots, \
                              const ::r1eval::kernels::Rotary& rotary, const ::r1eval::kernels::KvCacheView& cache, \
                              ::r1eval::kernels::Stream s) {                                                        \
      KERNEL_NS::rope_write_kv<T>(qkv, m, q_heads, positions, slots, rotary, cache, s);                             \
    }                                                                                                               \
    static void moe_route(const float* logits, int rows, int experts, int k, bool renormalize, std::int32_t* ids,   \
                          float* weights, ::r1eval::kernels::Stream s) {                                            \
      KERNEL_NS::moe_route(logits, rows, experts, k, renormalize, ids, weights, s);                                 \
    }                                                                                                               \
    static void moe_group(const std::int32_t* ids, int pairs, int experts, std::int32_t* offsets,                  \
                          std::int32_t* grouped, std::int32_t* active, ::r1eval::kernels::Stream s) {               \
      KERNEL_NS::moe_group(ids, pairs, experts, offsets, grouped, active, s);                                       \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void moe_gate_up(const T* x, int hidden, const ::r1eval::kernels::bf16* gate_up, int inter, int experts, \
                            int k, const std::int32_t* offsets, const std::int32_t* grouped,                        \
                            const std::int32_t* active, int pairs, T* act,                                          \
                            const ::r1eval::kernels::ExpertForm& form, ::r1eval::kernels::Stream s) {               \
      KERNEL_NS::moe_gate_up<T>(x, hidden, gate_up, inter, experts, k, offsets, grouped, active, pairs, act, form,  \
                                s);                                                                                 \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void moe_down(const T* act, int inter, const ::r1eval::kernels::bf16* down, int hidden, int experts,    \
                         const std::int32_t* offsets, const std::int32_t* grouped, const std::int32_t* active,      \
                         int pairs, T* out, const ::r1eval::kernels::ExpertForm& form,                              \
                         ::r1eval::kernels::Stream s) {                                                             \
      KERNEL_NS::moe_down<T>(act, inter, down, hidden, experts, offsets, grouped, active, pairs, out, form, s);     \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void moe_combine(const T* expert_out, const float* weights, int rows, int k, int hidden, T* out,         \
                            ::r1eval::kernels::Stream s) {                                                          \
      KERNEL_NS::moe_combine<T>(expert_out, weights, rows, k, hidden, out, s);                                      \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void matmul_add_residual(const ::r1eval::kernels::bf16* x, const ::r1eval::kernels::bf16* weight,       \
                                    const ::r1eval::kernels::bf16* bias, T* residual, int m, int n, int k,         \
                                    ::r1eval::kernels::Stream s) {                                                  \
      KERNEL_NS::matmul_add_residual<T>(x, weight, bias, residual, m, n, k, s);                                     \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void gated_activation_mul(const T* gate_up, T* out, int rows, int cols,                                  \
                                     ::r1eval::kernels::GateActivation activation, ::r1eval::kernels::Stream s) {   \
      KERNEL_NS::gated_activation_mul<T>(gate_up, out, rows, cols, activation, s);                                  \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void scale_values(T* x, std::size_t count, float factor, ::r1eval::kernels::Stream s) {                  \
      KERNEL_NS::scale_values<T>(x, count, factor, s);                                                              \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void soft_cap_values(T* x, std::size_t count, float cap, ::r1eval::kernels::Stream s) {                  \
      KERNEL_NS::soft_cap_values<T>(x, count, cap, s);                                                              \
    }                                                                                                               \
    template <typename T>                                                                                           \
    static void matmul_silu_mul(const ::r1eval::kernels::bf16* x, const ::r1eval::kernels::bf16* weight,           \
                                const ::r1eval::kernels::bf16* bias, T* gate_up, T* out, int m, int inter, int k,   \
                                ::r1eval::kernels::Stream s) {                                                      \
      KERNEL_NS::matmul_silu_mul<T>(x, weight, bias, gate_up, out, m, inter, k, s);                                 \
    }                                                                                                               \
  }

}  // namespace r1eval::engine
