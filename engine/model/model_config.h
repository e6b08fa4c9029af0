// config.json of a Hugging Face causal LM -> the shape of the transformer the engine runs.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/dtype.h"

namespace r1eval::engine {

enum class Architecture { kQwen2, kLlama, kQwen3, kPhi3, kMistral, kQwen3Moe, kMixtral, kSmolLM3, kGemma, kGemma2, kGemma3, kOlmo2, kOlmo3, kGlm, kGlm4, kExaone, kExaone4, kSeedOss, kGranite, kErnie45, kGptOss };

// RMSNorm on q and k before RoPE: kPerHead (Qwen3, Gemma 3) normalises each head over its head_dim values with one
// [head_dim] weight; kWholeProjection (OLMo 2 / 3) normalises each token's whole q (and whole k) projection, with a
// weight per row of it, as transformers' Olmo2Attention does before splitting heads.
enum class QkNorm { kNone, kPerHead, kWholeProjection };

// The MLP's activation on the gate: SiLU, GELU's tanh approximation (Gemma's gelu_pytorch_tanh) or GELU (erf).
enum class Activation { kSilu, kGeluTanh, kGelu };

// Rotary embedding frequency scaling. kNone: plain RoPE; kLinear: positions divided by factor;
// kLlama3: Llama-3.1's wavelength-dependent interpolation; kYarn: YaRN (Qwen3 / QwQ long context,
// R1-0528-Qwen3-8B): frequencies between beta_fast and beta_slow rotations over the original context
// blended from kept to divided by factor, and cos and sin multiplied by attention_factor; kLongRope
// (Phi-3.5 / Phi-4-mini): each frequency divided by its own factor, long_factor when the model is longer
// than its original context (vLLM's rule, so one table serves every position of the KV cache; transformers
// switches per forward call at that length), else short_factor, and cos and sin multiplied by attention_factor.
struct RopeScaling {
  enum class Type { kNone, kLinear, kLlama3, kYarn, kLongRope };
  Type type = Type::kNone;
  double factor = 1.0;
  double low_freq_factor = 1.0;
  double high_freq_factor = 4.0;
  std::int64_t original_max_position_embeddings = 0;
  double beta_fast = 32.0;
  double beta_slow = 1.0;
  bool truncate = true;           // yarn: correction range rounded outwards to whole dimensions
  double attention_factor = 1.0;  // yarn, longrope: the factor on cos and sin
  std::vector<float> short_factor, long_factor;  // longrope: one per rotated pair
  bool long_factors = false;                     // longrope: long_factor in force
};

// Mixture of experts (Qwen3-MoE: Qwen3-30B-A3B, Qwen3-235B-A22B): in its sparse layers the MLP is num_experts
// SwiGLU experts of expert_intermediate_size; each token takes the experts_per_token experts of highest router
// softmax probability, their outputs weighted by those probabilities (renormalised to sum 1 with
// norm_topk_prob). The other layers keep the dense MLP of intermediate_size.
struct MoeConfig {
  std::int64_t num_experts = 0;  // 0: a dense model
  std::int64_t experts_per_token = 0;
  std::int64_t expert_intermediate_size = 0;
  bool norm_topk_prob = false;
  std::vector<bool> sparse_layers;  // per layer
  // gpt-oss: a bias on the router and on each expert's gate, up and down products; its SwiGLU clamped at
  // swiglu_limit with gain swiglu_alpha (kernels::ExpertForm); its experts stored fused (mlp.experts.gate_up_proj
  // [experts, hidden, 2 * inter] with gate and up columns alternating, down_proj [experts, inter, hidden]).
  bool biases = false;
  double swiglu_limit = 0.0;  // 0: plain SwiGLU
  double swiglu_alpha = 1.0;
  bool fused_experts = false;
  bool sparse(std::int64_t layer) const {
    return num_experts > 0 && layer >= 0 && static_cast<std::size_t>(layer) < sparse_layers.size() &&
           sparse_layers[static_cast<std::size_t>(layer)];
  }
  bool any_sparse() const;
};

struct ModelConfig {
  Architecture architecture = Architecture::kLlama;
  std::string architecture_name;  // as written in config.json
  std::int64_t hidden_size = 0;
  std::int64_t num_hidden_layers = 0;
  std::int64_t num_attention_heads = 0;
  std::int64_t num_key_value_heads = 0;
  std::int64_t head_dim = 0;
  // The leading dimensions of each head that RoPE turns (Phi-4-mini: 0.75 of them; odd: one more turns, as in
  // transformers); 0: all.
  std::int64_t rotary_dim = 0;
  std::int64_t rotated_dims() const { return rotary_dim > 0 ? rotary_dim : head_dim; }
  // GLM (GlmForCausalLM, Glm4ForCausalLM: GLM-4, GLM-Z1) and ERNIE 4.5 (Ernie4_5ForCausalLM): RoPE turns the neighbouring pairs (2i, 2i + 1) of the
  // rotated dims (GPT-J style) instead of (i, i + half). The loader reorders each q and k head's rows (evens,
  // then odds, then the dims that do not turn) so that the backends' half-split rotation turns the same pairs at
  // the same frequencies; q . k, and so attention, is unchanged by the common reordering.
  bool rotary_interleaved = false;
  std::int64_t intermediate_size = 0;
  std::int64_t vocab_size = 0;
  std::int64_t max_position_embeddings = 0;  // parse_model_config: the config class's default when absent
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  RopeScaling rope_scaling;
  bool tie_word_embeddings = false;
  bool qkv_bias = false;  // Qwen2 always; Llama when attention_bias
  bool o_bias = false;    // Llama when attention_bias
  bool mlp_bias = false;  // Llama when mlp_bias
  QkNorm qk_norm = QkNorm::kNone;
  bool fused_qkv = false;      // Phi-3/4: q, k, v stored as one qkv_proj
  bool fused_gate_up = false;  // Phi-3/4, GLM: gate, up stored as one gate_up_proj
  MoeConfig moe;                   // Qwen3-MoE
  // Sliding-window attention, per layer: a query at position i sees the keys at positions above i - W (the last W,
  // itself included), as transformers and vLLM mask it; 0 sees them all. Empty when no layer slides.
  std::vector<std::int64_t> sliding_windows;
  // SmolLM3: the layers that apply no rotary embedding at all (NoPE, every fourth by default). Empty: every
  // layer rotates.
  std::vector<bool> no_rope_layers;
  bool rotates(std::int64_t layer) const {
    return layer < 0 || static_cast<std::size_t>(layer) >= no_rope_layers.size() ||
           !no_rope_layers[static_cast<std::size_t>(layer)];
  }
  std::int64_t sliding_window(std::int64_t layer) const {
    return layer >= 0 && static_cast<std::size_t>(layer) < sliding_windows.size() ? sliding_windows[static_cast<std::size_t>(layer)] : 0;
  }
  // The Gemma family (GemmaForCausalLM, Gemma2ForCausalLM, Gemma3ForCausalLM): RMSNorm weights are offsets from
  // 1 (x * (1 + w)), the embedding is multiplied by sqrt(hidden_size) rounded to the checkpoint's dtype, the MLP
  // gate goes through GELU (tanh).
  Activation activation = Activation::kSilu;
  bool norm_weight_offset = false;
  float embedding_multiplier = 1.0f;
  // Gemma 2 / 3: the attention output and the MLP output are normalised before each joins the residual
  // stream (post_attention_layernorm, post_feedforward_layernorm; the MLP's input norm is then
  // pre_feedforward_layernorm), and q . k is scaled by query_pre_attn_scalar^-1/2 instead of head_dim^-1/2.
  // GLM-4-0414 (Glm4ForCausalLM) too, under its own names: post_self_attn_layernorm and post_mlp_layernorm on
  // the outputs, post_attention_layernorm before the MLP.
  bool sandwich_norms = false;
  std::optional<double> query_pre_attn_scalar;
  // Granite (GraniteForCausalLM): q . k is scaled by attention_multiplier itself; each attention and MLP output is
  // multiplied by residual_multiplier before it joins the stream, and the logits are divided by logits_scaling.
  // The loader folds the last two into the weights (o_proj and down_proj times residual_multiplier, the final
  // norm's weights divided by logits_scaling), so no backend applies them; embedding_multiplier (below) takes
  // Granite's own, unrounded.
  std::optional<double> attention_multiplier;
  double residual_multiplier = 1.0;
  double logits_scaling = 1.0;
  // OLMo 2 / 3 and EXAONE 4.0 (with sandwich_norms): false; the attention and the MLP read the residual stream as
  // it is, only their outputs are normalised (post_attention_layernorm, post_feedforward_layernorm; no
  // input_layernorm).
  bool input_norms = true;
  // Gemma 2: tanh(x / cap) * cap on the attention scores (transformers' Gemma 3 passes no cap to its attention)
  // and on the logits; 0: none.
  double attn_logit_softcap = 0.0;
  double final_logit_softcap = 0.0;
  // Gemma 3, OLMo 3: the sliding layers rotate with their own RoPE (rope_parameters.sliding_attention, Gemma 3's
  // rope_local_base_freq); the full-attention layers with rope_theta and rope_scaling. Absent: every layer alike.
  struct LayerRope {
    double theta = 10000.0;
    RopeScaling scaling;
    std::vector<bool> layers;  // the layers it serves: the sliding_attention ones, however long their window
  };
  std::optional<LayerRope> sliding_rope;
  // Gemma3ForConditionalGeneration (gemma-3-4b/12b/27b): the text model of an image-text checkpoint, run on text
  // alone; its tensors are named under language_model. (see TransformerShardReader), its vision tower is not read.
  bool multimodal_wrapper = false;
  // gpt-oss: a learned logit per attention head (self_attn.sinks) that joins each softmax denominator.
  bool attention_sinks = false;
  // Quantized weight matrices and where their scales are. FP8 (F8_E4M3 codes): quantization_config "fp8" (Qwen3's
  // *-FP8 and DeepSeek's releases: <name>_scale_inv per weight_block_size block; without a block AutoFP8's
  // <name>_scale per tensor), "fbgemm_fp8" (<name>_scale per output row) or llm-compressor's compressed-tensors
  // "float-quantized" (the FP8-dynamic releases). Integers, compressed-tensors' symmetric "int-quantized" (I8 codes,
  // the W8A8 releases) and "pack-quantized" (int4 or int8 codes packed into I32 <name>_packed, the W4A16 releases):
  // <name>_scale per output row, per tensor, per group of columns or per block. Dequantized at load: code x the
  // scale of its block, in fp32 (weight-only: activation scales are not read).
  struct QuantizedWeights {
    std::string scale_suffix;  // appended to the weight's name; empty: the checkpoint declares no quantized weights
    // The rows and columns one scale covers; 0 is the whole dimension (a scale per row: {1, 0}; per tensor: {0, 0}).
    std::int64_t block_rows = 0, block_cols = 0;
    int packed_bits = 0;  // pack-quantized: bits per code in <name>_packed (4 or 8); 0: codes stored as <name>
    // AutoAWQ's GEMM layout (quant_method "awq"): int4 codes and zero points packed eight to an int32 along the
    // output dim (<prefix>.qweight [in, out / 8], .qzeros [in / group, out / 8]), fp16 .scales [in / group, out];
    // w = (code - zero) x scale. The input rows one scale covers; 0: not AWQ.
    std::int64_t awq_group = 0;
    // GPTQ (quant_method "gptq", AutoGPTQ / GPTQModel): int4 or int8 codes packed along the input dim
    // (<prefix>.qweight [in / (32 / bits), out]), zero points along the output dim (.qzeros [groups, out / (32 / bits)],
    // stored less 1 in the original format: gptq_zero_offset 1, 0 for gptq_v2), .scales [groups, out] and the group
    // of each input (.g_idx, act-order included); w = (code - zero) x scale. gptq_bits 0: not GPTQ.
    int gptq_bits = 0;
    std::int64_t gptq_group = 0;  // inputs a group holds; 0: all of them (group_size -1)
    int gptq_zero_offset = 1;
  };
  QuantizedWeights quantized_weights;
  std::optional<DType> torch_dtype;  // the checkpoint's declared weight dtype, if given
  std::optional<std::int64_t> bos_token_id;
  std::vector<std::int64_t> eos_token_ids;
};

// Parses config.json text. `label` names the file in errors. Throws std::runtime_error with one line
// "<label>: ..." naming the field; an architecture other than Qwen2ForCausalLM / LlamaForCausalLM /
// Qwen3ForCausalLM / Phi3ForCausalLM / MistralForCausalLM / Qwen3MoeForCausalLM / MixtralForCausalLM /
// SmolLM3ForCausalLM / GemmaForCausalLM / Gemma2ForCausalLM / Gemma3ForCausalLM / Olmo2ForCausalLM / Olmo3ForCausalLM /
// GlmForCausalLM / Glm4ForCausalLM / ExaoneForCausalLM / Exaone4ForCausalLM / SeedOssForCausalLM / GraniteForCausalLM /
// MiMoForCausalLM (read as Qwen2) / Ernie4_5ForCausalLM / GptOssForCausalLM / Gemma3ForConditionalGeneration (its text_config, with Gemma3TextConfig's defaults) is reported by name.
ModelConfig parse_model_config(const std::string& json_text, const std::string& label);
// Reads and parses `<model_dir>/config.json`. The end tokens are generation_config.json's eos_token_id
// when it names any (what transformers' generate and vLLM stop on), else config.json's.
ModelConfig load_model_config(const std::string& model_dir);

}  // namespace r1eval::engine
