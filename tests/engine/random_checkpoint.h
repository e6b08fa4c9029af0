// Random-weight Qwen2 / Llama / Qwen3 checkpoints written by the tests themselves, for shapes the committed
// fixtures do not have (the CUDA attention kernels need head_dim 64 or 128; the fixtures use 8 and 16).
// Deterministic: the same spec writes the same bytes.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "engine_test_support.h"
#include "kernels/bf16.h"

namespace r1eval::engine::testing {

struct RandomCheckpointSpec {
  bool llama = false;  // Qwen2 otherwise (qkv bias always)
  bool qwen3 = false;  // Qwen3 instead of Qwen2: per-head q/k norms, no biases, head_dim from the field below
  bool phi3 = false;   // Phi-3 instead of Qwen2: qkv_proj and gate_up_proj fused, no biases
  int hidden = 256, heads = 4, kv_heads = 2, intermediate = 512, vocab = 512, layers = 2;
  std::string dtype = "bfloat16";  // or "float16", "float32"
  bool tied = false;
  bool llama_biases = false;         // Llama attention_bias and mlp_bias
  bool llama3_rope_scaling = false;  // Llama 3.1 style frequencies
  bool yarn_rope_scaling = false;    // YaRN factor 4 with vLLM's attn_factor (the attention scale changes too)
  bool phi4_mini_rope = false;       // Phi-4-mini: 0.75 of each head rotated, LongRoPE over 8 x 64 positions
  int sliding_window = 0;            // Phi-3: every layer slides over it; Qwen2: layers from 1 on (use_sliding_window)
  bool smollm3 = false;              // with llama: SmolLM3ForCausalLM, every second layer NoPE (no rotary embedding)
  int head_dim = 0;                  // written to config.json when set; hidden / heads otherwise
  // 2 or 3: Olmo2ForCausalLM / Olmo3ForCausalLM instead of Qwen2: no input norms, norms of the attention and MLP
  // outputs, norms of each token's whole q and k projections, no biases. OLMo 3's layer 0 slides over
  // sliding_window (layer_types), its other layers attend to everything, with yarn_rope_scaling when set.
  int olmo = 0;
  // 2 or 3: Gemma2ForCausalLM / Gemma3ForCausalLM instead of Qwen2: norms stored as offsets from 1 before and after
  // attention and the MLP, GELU (tanh), the embedding times sqrt(hidden), q . k scaled by head_dim^-1/2 through
  // query_pre_attn_scalar, layer 0 sliding over sliding_window; Gemma 2 soft-caps scores (at 10) and logits (at
  // 30, its models' value), Gemma 3 has per-head q/k norms and its sliding layer its own RoPE base beside the full
  // layers' linear scaling.
  int gemma = 0;
  // Glm4ForCausalLM instead of Qwen2 (GLM-4-0414, GLM-Z1): q/k/v biases, RoPE on neighbouring pairs of half of each
  // head, gate/up fused in gate_up_proj, the attention and MLP outputs normalised (post_self_attn_layernorm,
  // post_mlp_layernorm) before the residual add.
  bool glm4 = false;
  // Exaone4ForCausalLM instead of Qwen2 (EXAONE 4.0): OLMo 2's output-only norms with per-head q/k norms, no biases;
  // layer 0 slides over sliding_window with RoPE, the others attend to everything with no rotary embedding.
  bool exaone4 = false;
  // MiMoForCausalLM: the Qwen2 checkpoint under MiMo's config, with a multi-token-prediction layer's tensors
  // (model.mtp_layers.0.*) after all others, which generation does not read.
  bool mimo = false;
  // With qwen3: Qwen3MoeForCausalLM, each layer but `dense_layer` a mixture of `experts` SwiGLU experts of
  // expert_intermediate rows, experts_per_token per token (renormalised when norm_topk_prob).
  int experts = 0, experts_per_token = 2, expert_intermediate = 96, dense_layer = -1;
  bool norm_topk_prob = true;
  // GptOssForCausalLM instead of Qwen2 (gpt-oss): biased q/k/v/o, a sink per head, every layer `experts` experts
  // (experts_per_token a token) of expert_intermediate in the fused bf16 layout with biases and the router's bias,
  // the SwiGLU clamped at 1 (so that it bites here); layer 0 slides over sliding_window, YaRN by GptOssConfig's
  // default.
  bool gpt_oss = false;

  int resolved_head_dim() const { return head_dim > 0 ? head_dim : hidden / heads; }
  bool attention_bias() const {
    return llama ? llama_biases : gpt_oss || (!qwen3 && !phi3 && olmo == 0 && gemma == 0 && !exaone4);
  }
};

namespace random_checkpoint_detail {

// Exact fp16 bits of a value that fp16 represents exactly (the writer only makes such values).
inline std::uint16_t exact_fp16_bits(float value) {
  if (value == 0.0f) return 0;
  std::uint32_t u;
  std::memcpy(&u, &value, sizeof u);
  const std::uint32_t sign = (u >> 16) & 0x8000u;
  const int exponent = static_cast<int>((u >> 23) & 0xff) - 127 + 15;
  return static_cast<std::uint16_t>(sign | (static_cast<std::uint32_t>(exponent) << 10) | ((u >> 13) & 0x3ffu));
}

}  // namespace random_checkpoint_detail

// Writes config.json and model.safetensors of `spec` into `dir` (created) and returns dir. Values are
// multiples of 2^-10 below 1 in magnitude (exact in fp16; bf16 rounds them), matrices scaled by
// 1/sqrt(fan-in) so activations stay of order one through the layers.
inline std::filesystem::path write_random_checkpoint(const std::filesystem::path& dir, const RandomCheckpointSpec& spec) {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int head_dim = spec.resolved_head_dim();
  std::vector<std::pair<std::string, std::vector<int>>> tensors;  // name, shape; in file order
  enum class Kind { kMatrix, kNorm, kNormOffset, kBias, kEmbed, kStack };  // kStack: [count, in, out] (x @ W)
  std::map<std::string, Kind> kinds;
  const auto add = [&](const std::string& name, std::vector<int> shape, Kind kind) {
    tensors.emplace_back(name, std::move(shape));
    kinds[name] = kind;
  };
  add("model.embed_tokens.weight", {spec.vocab, spec.hidden}, Kind::kEmbed);
  const Kind norm = spec.gemma != 0 ? Kind::kNormOffset : Kind::kNorm;  // Gemma stores w - 1
  add("model.norm.weight", {spec.hidden}, norm);
  if (!spec.tied) add("lm_head.weight", {spec.vocab, spec.hidden}, Kind::kMatrix);
  const bool attention_bias = spec.attention_bias();
  for (int l = 0; l < spec.layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    if (spec.olmo == 0 && !spec.exaone4) add(p + "input_layernorm.weight", {spec.hidden}, norm);
    if (spec.exaone4) add(p + "post_feedforward_layernorm.weight", {spec.hidden}, Kind::kNorm);
    add(p + "post_attention_layernorm.weight", {spec.hidden}, norm);
    if (spec.glm4) {
      add(p + "post_self_attn_layernorm.weight", {spec.hidden}, norm);
      add(p + "post_mlp_layernorm.weight", {spec.hidden}, norm);
    }
    if (spec.gemma != 0) {
      add(p + "pre_feedforward_layernorm.weight", {spec.hidden}, norm);
      add(p + "post_feedforward_layernorm.weight", {spec.hidden}, norm);
    }
    if (spec.olmo != 0) {
      add(p + "post_feedforward_layernorm.weight", {spec.hidden}, Kind::kNorm);
      add(p + "self_attn.q_norm.weight", {spec.heads * head_dim}, Kind::kNorm);
      add(p + "self_attn.k_norm.weight", {spec.kv_heads * head_dim}, Kind::kNorm);
    }
    if (spec.phi3) {
      add(p + "self_attn.qkv_proj.weight", {(spec.heads + 2 * spec.kv_heads) * head_dim, spec.hidden}, Kind::kMatrix);
    } else {
      for (const auto& [name, rows] : {std::pair<std::string, int>{"q_proj", spec.heads * head_dim},
                                       {"k_proj", spec.kv_heads * head_dim},
                                       {"v_proj", spec.kv_heads * head_dim}}) {
        add(p + "self_attn." + name + ".weight", {rows, spec.hidden}, Kind::kMatrix);
        if (attention_bias) add(p + "self_attn." + name + ".bias", {rows}, Kind::kBias);
      }
    }
    if (spec.qwen3 || spec.gemma == 3 || spec.exaone4) {
      add(p + "self_attn.q_norm.weight", {head_dim}, norm);
      add(p + "self_attn.k_norm.weight", {head_dim}, norm);
    }
    add(p + "self_attn.o_proj.weight", {spec.hidden, spec.heads * head_dim}, Kind::kMatrix);
    if ((spec.llama && spec.llama_biases) || spec.gpt_oss) add(p + "self_attn.o_proj.bias", {spec.hidden}, Kind::kBias);
    if (spec.gpt_oss) {
      add(p + "self_attn.sinks", {spec.heads}, Kind::kEmbed);
      add(p + "mlp.router.weight", {spec.experts, spec.hidden}, Kind::kMatrix);
      add(p + "mlp.router.bias", {spec.experts}, Kind::kBias);
      add(p + "mlp.experts.gate_up_proj", {spec.experts, spec.hidden, 2 * spec.expert_intermediate}, Kind::kStack);
      add(p + "mlp.experts.gate_up_proj_bias", {spec.experts, 2 * spec.expert_intermediate}, Kind::kBias);
      add(p + "mlp.experts.down_proj", {spec.experts, spec.expert_intermediate, spec.hidden}, Kind::kStack);
      add(p + "mlp.experts.down_proj_bias", {spec.experts, spec.hidden}, Kind::kBias);
      continue;
    }
    if (spec.experts > 0 && l != spec.dense_layer) {
      add(p + "mlp.gate.weight", {spec.experts, spec.hidden}, Kind::kMatrix);
      for (int e = 0; e < spec.experts; ++e) {
        const std::string expert = p + "mlp.experts." + std::to_string(e) + ".";
        add(expert + "gate_proj.weight", {spec.expert_intermediate, spec.hidden}, Kind::kMatrix);
        add(expert + "up_proj.weight", {spec.expert_intermediate, spec.hidden}, Kind::kMatrix);
        add(expert + "down_proj.weight", {spec.hidden, spec.expert_intermediate}, Kind::kMatrix);
      }
      continue;
    }
    if (spec.phi3 || spec.glm4) {
      add(p + "mlp.gate_up_proj.weight", {2 * spec.intermediate, spec.hidden}, Kind::kMatrix);
    } else {
      add(p + "mlp.gate_proj.weight", {spec.intermediate, spec.hidden}, Kind::kMatrix);
      add(p + "mlp.up_proj.weight", {spec.intermediate, spec.hidden}, Kind::kMatrix);
    }
    add(p + "mlp.down_proj.weight", {spec.hidden, spec.intermediate}, Kind::kMatrix);
    if (spec.llama && spec.llama_biases) {
      add(p + "mlp.gate_proj.bias", {spec.intermediate}, Kind::kBias);
      add(p + "mlp.up_proj.bias", {spec.intermediate}, Kind::kBias);
      add(p + "mlp.down_proj.bias", {spec.hidden}, Kind::kBias);
    }
  }

  if (spec.mimo) {
    const std::string mtp = "model.mtp_layers.0.";
    add(mtp + "token_layernorm.weight", {spec.hidden}, Kind::kNorm);
    add(mtp + "hidden_layernorm.weight", {spec.hidden}, Kind::kNorm);
    add(mtp + "input_proj.weight", {spec.hidden, 2 * spec.hidden}, Kind::kMatrix);
    add(mtp + "final_layernorm.weight", {spec.hidden}, Kind::kNorm);
  }

  const std::string st_dtype = spec.dtype == "bfloat16" ? "BF16" : spec.dtype == "float16" ? "F16" : "F32";
  const std::size_t element = st_dtype == "F32" ? 4 : 2;
  std::mt19937 rng(20261129);
  nlohmann::json header;
  header["__metadata__"] = {{"format", "pt"}};
  std::string data;
  for (const auto& [name, shape] : tensors) {
    std::size_t count = 1;
    for (const int d : shape) count *= static_cast<std::size_t>(d);
    const Kind kind = kinds[name];
    const int fan_in = kind == Kind::kStack ? shape[1] : shape.size() == 2 ? shape[1] : 1;
    // Largest magnitude, in units of 2^-10: uniform in [-limit, limit] has standard deviation 1/sqrt(fan-in).
    const double limit = kind == Kind::kMatrix || kind == Kind::kStack ? std::sqrt(3.0 / fan_in)
                         : kind == Kind::kEmbed                         ? 0.9
                                                                        : 0.1;
    const auto units = static_cast<int>(limit * 1024);
    std::uniform_int_distribution<int> pick(-units, units);
    const std::size_t begin = data.size();
    for (std::size_t i = 0; i < count; ++i) {
      float value = static_cast<float>(pick(rng)) / 1024.0f;
      if (kind == Kind::kNorm) value += 1.0f - 1.0f / 1024.0f;  // near one, still exact in fp16 (offsets: near 0)
      char bytes[4];
      if (element == 4) {
        std::memcpy(bytes, &value, 4);
      } else {
        const std::uint16_t bits = st_dtype == "BF16" ? kernels::to_bf16(value).bits
                                                      : random_checkpoint_detail::exact_fp16_bits(value);
        std::memcpy(bytes, &bits, 2);
      }
      data.append(bytes, element);
    }
    header[name] = {{"dtype", st_dtype}, {"shape", shape}, {"data_offsets", {begin, data.size()}}};
  }
  std::string image = safetensors_image(header.dump(), 0);
  write_file(dir / "model.safetensors", image + data);

  const char* architecture = spec.gpt_oss ? "GptOssForCausalLM"
                             : spec.glm4 ? "Glm4ForCausalLM"
                             : spec.exaone4 ? "Exaone4ForCausalLM"
                             : spec.gemma == 2 ? "Gemma2ForCausalLM"
                             : spec.gemma == 3 ? "Gemma3ForCausalLM"
                             : spec.olmo == 2  ? "Olmo2ForCausalLM"
                             : spec.olmo == 3 ? "Olmo3ForCausalLM"
                             : spec.smollm3 ? "SmolLM3ForCausalLM"
                             : spec.llama ? "LlamaForCausalLM"
                             : spec.qwen3 && spec.experts > 0 ? "Qwen3MoeForCausalLM"
                             : spec.qwen3 ? "Qwen3ForCausalLM"
                             : spec.phi3  ? "Phi3ForCausalLM"
                             : spec.mimo  ? "MiMoForCausalLM"
                                          : "Qwen2ForCausalLM";
  nlohmann::json config = {{"architectures", {architecture}},
                           {"model_type", spec.gpt_oss ? "gpt_oss"
                                          : spec.glm4 ? "glm4"
                                          : spec.exaone4 ? "exaone4"
                                          : spec.gemma != 0 ? (spec.gemma == 2 ? "gemma2" : "gemma3_text")
                                          : spec.olmo != 0 ? (spec.olmo == 2 ? "olmo2" : "olmo3")
                                          : spec.smollm3 ? "smollm3"
                                          : spec.llama ? "llama"
                                          : spec.qwen3 && spec.experts > 0 ? "qwen3_moe"
                                          : spec.qwen3 ? "qwen3"
                                          : spec.phi3  ? "phi3"
                                          : spec.mimo  ? "mimo"
                                                       : "qwen2"},
                           {"hidden_size", spec.hidden},
                           {"intermediate_size", spec.intermediate},
                           {"num_hidden_layers", spec.layers},
                           {"num_attention_heads", spec.heads},
                           {"num_key_value_heads", spec.kv_heads},
                           {"vocab_size", spec.vocab},
                           {"max_position_embeddings", 4096},
                           {"rms_norm_eps", 1e-6},
                           {"rope_theta", spec.llama ? 500000.0 : 10000.0},
                           {"tie_word_embeddings", spec.tied},
                           {"torch_dtype", spec.dtype},
                           {"bos_token_id", 1},
                           {"eos_token_id", 2}};
  if (spec.head_dim > 0) config["head_dim"] = spec.head_dim;
  if (spec.olmo != 0) {
    config["attention_bias"] = false;
    config["rope_theta"] = 500000.0;
  }
  if (spec.olmo == 3) {
    std::vector<std::string> layer_types(static_cast<std::size_t>(spec.layers), "full_attention");
    layer_types[0] = "sliding_attention";
    config["layer_types"] = layer_types;
    config["sliding_window"] = spec.sliding_window;
  }
  if (spec.qwen3) config["attention_bias"] = false;
  if (spec.gemma != 0) {
    std::vector<std::string> layer_types(static_cast<std::size_t>(spec.layers), "full_attention");
    layer_types[0] = "sliding_attention";
    config["layer_types"] = layer_types;
    config["sliding_window"] = spec.sliding_window;
    config["attention_bias"] = false;
    config["hidden_activation"] = "gelu_pytorch_tanh";
    config["head_dim"] = head_dim;
    config["query_pre_attn_scalar"] = head_dim;
    if (spec.gemma == 2) {
      config["attn_logit_softcapping"] = 10.0;
      config["final_logit_softcapping"] = 30.0;
    } else {
      config["rope_theta"] = 1000000.0;
      config["rope_local_base_freq"] = 10000.0;
      config["rope_scaling"] = {{"rope_type", "linear"}, {"factor", 8.0}};
    }
  }
  if (spec.experts > 0) {
    config["num_experts"] = spec.experts;
    config["num_experts_per_tok"] = spec.experts_per_token;
    config["moe_intermediate_size"] = spec.expert_intermediate;
    config["norm_topk_prob"] = spec.norm_topk_prob;
    config["decoder_sparse_step"] = 1;
    config["mlp_only_layers"] = spec.dense_layer >= 0 ? std::vector<int>{spec.dense_layer} : std::vector<int>{};
  }
  if (spec.llama) {
    config["attention_bias"] = spec.llama_biases;
    config["mlp_bias"] = spec.llama_biases;
    if (spec.llama3_rope_scaling) {
      config["rope_scaling"] = {{"rope_type", "llama3"},
                                {"factor", 8.0},
                                {"low_freq_factor", 1.0},
                                {"high_freq_factor", 4.0},
                                {"original_max_position_embeddings", 256}};
    }
  }
  if (spec.yarn_rope_scaling) {
    config["rope_scaling"] = {{"rope_type", "yarn"},
                              {"factor", 4.0},
                              {"original_max_position_embeddings", 256},
                              {"attn_factor", 0.9}};
  }
  if (spec.smollm3) config["no_rope_layer_interval"] = 2;
  if (spec.mimo) {
    config["num_nextn_predict_layers"] = 1;
    config["attention_bias"] = true;
  }
  if (spec.exaone4) {
    std::vector<std::string> layer_types(static_cast<std::size_t>(spec.layers), "full_attention");
    layer_types[0] = "sliding_attention";
    config["layer_types"] = layer_types;
    config["sliding_window"] = spec.sliding_window;
    config["head_dim"] = head_dim;
  }
  if (spec.gpt_oss) {
    std::vector<std::string> layer_types(static_cast<std::size_t>(spec.layers), "full_attention");
    layer_types[0] = "sliding_attention";
    config["layer_types"] = layer_types;
    config["sliding_window"] = spec.sliding_window;
    config["head_dim"] = head_dim;
    config["intermediate_size"] = spec.expert_intermediate;
    config["num_local_experts"] = spec.experts;
    config["num_experts_per_tok"] = spec.experts_per_token;
    config["swiglu_limit"] = 1.0;
    config["rms_norm_eps"] = 1e-5;
    config.erase("rope_theta");  // GptOssConfig's 150000 and YaRN
  }
  if (spec.glm4) {
    config["attention_bias"] = true;
    config["partial_rotary_factor"] = 0.5;
    config["head_dim"] = head_dim;
  }
  if (spec.sliding_window > 0 && spec.olmo == 0 && spec.gemma == 0 && !spec.exaone4 && !spec.gpt_oss) {
    config["sliding_window"] = spec.sliding_window;
    if (!spec.phi3) {
      config["use_sliding_window"] = true;
      config["max_window_layers"] = 1;
    }
  }
  if (spec.phi4_mini_rope) {
    const int pairs = spec.resolved_head_dim() * 3 / 8;
    std::vector<double> short_factor, long_factor;
    for (int i = 0; i < pairs; ++i) {
      short_factor.push_back(1.0 + 0.05 * i);
      long_factor.push_back(1.0 + 0.75 * i);
    }
    config["partial_rotary_factor"] = 0.75;
    config["max_position_embeddings"] = 512;
    config["original_max_position_embeddings"] = 64;
    config["rope_scaling"] = {{"type", "longrope"}, {"short_factor", short_factor}, {"long_factor", long_factor}};
  }
  write_file(dir / "config.json", config.dump(2));
  return dir;
}

}  // namespace r1eval::engine::testing
