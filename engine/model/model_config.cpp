#include "engine/model/model_config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "engine/model/generation_config.h"
#include "engine/model/json_fields.h"

namespace r1eval::engine {
namespace {

[[noreturn]] void bad_field(const std::string& label, const std::string& field, const std::string& expected) {
  throw std::runtime_error(label + ": field '" + field + "': expected " + expected);
}

// Upper bounds far above any released model (Llama 3.1 405B: 126 layers, hidden 16384, intermediate 53248; Gemma 3:
// vocabulary 262208), low enough that every size the engine multiplies out of them fits in 64 bits.
constexpr std::int64_t kMaxLayers = 4096;
constexpr std::int64_t kMaxWidth = std::int64_t{1} << 20;   // hidden_size
constexpr std::int64_t kMaxHeads = std::int64_t{1} << 16;   // attention heads, head_dim, experts
constexpr std::int64_t kMaxInner = std::int64_t{1} << 22;   // MLP and expert widths
constexpr std::int64_t kMaxVocab = std::int64_t{1} << 24;

void check_at_most(std::int64_t value, std::int64_t limit, const std::string& label, const std::string& field) {
  if (value > limit) bad_field(label, field, "at most " + std::to_string(limit) + ", not " + std::to_string(value));
}

std::int64_t required_positive(const nlohmann::json& obj, const char* field, const std::string& label, std::int64_t limit) {
  const auto value = json_int(obj, field, label);
  if (!value || *value <= 0) bad_field(label, field, "a positive integer");
  check_at_most(*value, limit, label, field);
  return *value;
}

// rope_scaling (transformers <= 4.x) and rope_parameters (newer) carry the same fields. The original
// context of llama3 and yarn scaling is, as transformers takes it, a top-level
// original_max_position_embeddings when config.json has one, else the dict's, else max_position_embeddings
// (`model_length`, 0 when unknown).
std::int64_t original_context(const nlohmann::json& scaling, const std::string& field, const std::string& label,
                              std::optional<std::int64_t> top_level_original, std::int64_t model_length) {
  auto original = top_level_original;
  if (!original) original = json_int(scaling, "original_max_position_embeddings", label + ": " + field);
  if (!original && model_length > 0) original = model_length;
  if (!original || *original <= 0) bad_field(label, field + ".original_max_position_embeddings", "a positive integer");
  return *original;
}

// YaRN as transformers 5.x computes it, plus vLLM's attn_factor. transformers ignores attn_factor; vLLM
// and SGLang multiply the attention factor by it, and checkpoints are tuned for how their authors serve
// them: R1-0528-Qwen3-8B sets attn_factor = 1 / (0.1 ln 4 + 1) so that its factor-4 YaRN leaves the
// attention scale at 1.
void parse_yarn(const nlohmann::json& scaling, const std::string& field, const std::string& label,
                std::optional<std::int64_t> top_level_original, std::int64_t model_length, RopeScaling& rope) {
  const std::string sub_label = label + ": " + field;
  rope.type = RopeScaling::Type::kYarn;
  rope.original_max_position_embeddings = original_context(scaling, field, label, top_level_original, model_length);
  const auto factor = json_number(scaling, "factor", sub_label);
  if (factor) {
    rope.factor = *factor;
  } else if (model_length > 0) {  // transformers: a null factor is the ratio of the two context lengths
    rope.factor = static_cast<double>(model_length) / static_cast<double>(rope.original_max_position_embeddings);
  }
  if (!(rope.factor > 0)) bad_field(label, field + ".factor", "a positive number");
  // Zero or absent means the paper's defaults, as transformers' `or` has it.
  rope.beta_fast = json_number(scaling, "beta_fast", sub_label).value_or(0.0);
  if (rope.beta_fast == 0) rope.beta_fast = 32.0;
  rope.beta_slow = json_number(scaling, "beta_slow", sub_label).value_or(0.0);
  if (rope.beta_slow == 0) rope.beta_slow = 1.0;
  if (!(rope.beta_fast > 0) || !(rope.beta_slow > 0))
    bad_field(label, field + ".beta_fast", "positive beta_fast and beta_slow");
  // transformers reads it with .get("truncate", True): absent is true, null is falsy.
  rope.truncate = scaling.contains("truncate") ? json_bool(scaling, "truncate", sub_label).value_or(false) : true;
  const auto mscale_of = [&](double m) { return rope.factor <= 1 ? 1.0 : 0.1 * m * std::log(rope.factor) + 1.0; };
  if (const auto given = json_number(scaling, "attention_factor", sub_label)) {
    if (!(*given > 0)) bad_field(label, field + ".attention_factor", "a positive number");
    rope.attention_factor = *given;
  } else {
    const double mscale = json_number(scaling, "mscale", sub_label).value_or(0.0);
    const double mscale_all_dim = json_number(scaling, "mscale_all_dim", sub_label).value_or(0.0);
    rope.attention_factor =
        mscale != 0 && mscale_all_dim != 0 ? mscale_of(mscale) / mscale_of(mscale_all_dim) : mscale_of(1.0);
  }
  if (const auto vllm_factor = json_number(scaling, "attn_factor", sub_label)) {
    if (!(*vllm_factor > 0)) bad_field(label, field + ".attn_factor", "a positive number");
    rope.attention_factor *= *vllm_factor;
  }
}

// A list of `count` numbers at scaling[key], as fp32 (transformers makes a float32 tensor of it).
std::vector<float> factor_list(const nlohmann::json& scaling, const char* key, std::size_t count,
                               const std::string& field, const std::string& label) {
  const auto it = scaling.find(key);
  const auto expected = "a list of " + std::to_string(count) + " non-zero numbers (one per rotated pair)";
  if (it == scaling.end() || !it->is_array() || it->size() != count) bad_field(label, field + "." + key, expected);
  std::vector<float> factors;
  for (const auto& value : *it) {
    if (!value.is_number() || value.get<double>() == 0 || !std::isfinite(value.get<double>()))
      bad_field(label, field + "." + key, expected);
    factors.push_back(value.get<float>());
  }
  return factors;
}

// LongRoPE as transformers 5.x computes it: factor defaults to the ratio of the two context lengths, and the
// attention factor to sqrt(1 + ln factor / ln original) above 1. vLLM's short_mscale / long_mscale are
// not transformers' and are ignored like it ignores them.
void parse_longrope(const nlohmann::json& scaling, const std::string& field, const std::string& label,
                    std::optional<std::int64_t> top_level_original, std::int64_t model_length, std::int64_t rotary_dim,
                    RopeScaling& rope) {
  const std::string sub_label = label + ": " + field;
  rope.type = RopeScaling::Type::kLongRope;
  rope.original_max_position_embeddings = original_context(scaling, field, label, top_level_original, model_length);
  const auto original = static_cast<double>(rope.original_max_position_embeddings);
  const auto factor = json_number(scaling, "factor", sub_label);
  if (factor && !(*factor > 0)) bad_field(label, field + ".factor", "a positive number");
  rope.factor = factor ? *factor : model_length > 0 ? static_cast<double>(model_length) / original : 1.0;
  if (const auto given = json_number(scaling, "attention_factor", sub_label)) {
    if (!(*given > 0)) bad_field(label, field + ".attention_factor", "a positive number");
    rope.attention_factor = *given;
  } else {
    rope.attention_factor = rope.factor <= 1 ? 1.0 : std::sqrt(1.0 + std::log(rope.factor) / std::log(original));
  }
  // transformers validates the lists against rotary_dim / 2 but makes (rotary_dim + 1) / 2 frequencies.
  if (rotary_dim % 2 != 0) bad_field(label, field + ".rope_type", "longrope with an even number of rotated dimensions");
  const auto pairs = static_cast<std::size_t>(rotary_dim / 2);
  rope.short_factor = factor_list(scaling, "short_factor", pairs, field, label);
  rope.long_factor = factor_list(scaling, "long_factor", pairs, field, label);
  rope.long_factors = model_length > rope.original_max_position_embeddings;
}

RopeScaling parse_rope_scaling(const nlohmann::json& scaling, const std::string& field, const std::string& label,
                               std::optional<std::int64_t> top_level_original, std::int64_t model_length,
                               Architecture architecture, std::int64_t rotary_dim) {
  RopeScaling rope;
  if (scaling.is_null()) return rope;
  if (!scaling.is_object()) bad_field(label, field, "an object or null");
  const std::string sub_label = label + ": " + field;
  auto type = json_string(scaling, "rope_type", sub_label);
  if (!type) type = json_string(scaling, "type", sub_label);
  if (!type || *type == "default") return rope;
  if (architecture == Architecture::kPhi3) {
    // Phi3Config knows only default and longrope RoPE; it renames yarn and su to longrope.
    if (*type != "longrope" && *type != "su" && *type != "yarn")
      bad_field(label, field + ".rope_type", "default or longrope for Phi3ForCausalLM, not '" + *type + "'");
    parse_longrope(scaling, field, label, top_level_original, model_length, rotary_dim, rope);
    return rope;
  }
  // The type first: a dynamic config is refused as such, whatever fields it lacks.
  if (*type != "linear" && *type != "llama3" && *type != "yarn" && *type != "longrope")
    bad_field(label, field + ".rope_type", "default, linear, llama3, yarn or longrope, not '" + *type + "'");
  if (*type == "longrope") {
    parse_longrope(scaling, field, label, top_level_original, model_length, rotary_dim, rope);
    return rope;
  }
  if (*type == "yarn") {
    parse_yarn(scaling, field, label, top_level_original, model_length, rope);
    return rope;
  }
  const auto factor = json_number(scaling, "factor", sub_label);
  if (!factor || *factor <= 0) bad_field(label, field + ".factor", "a positive number");
  rope.factor = *factor;
  if (*type == "linear") {
    rope.type = RopeScaling::Type::kLinear;
    return rope;
  }
  rope.type = RopeScaling::Type::kLlama3;
  const auto low = json_number(scaling, "low_freq_factor", sub_label);
  const auto high = json_number(scaling, "high_freq_factor", sub_label);
  if (!low || *low <= 0) bad_field(label, field + ".low_freq_factor", "a positive number");
  if (!high || *high <= *low) bad_field(label, field + ".high_freq_factor", "a number above low_freq_factor");
  rope.low_freq_factor = *low;
  rope.high_freq_factor = *high;
  rope.original_max_position_embeddings = original_context(scaling, field, label, top_level_original, model_length);
  return rope;
}

// Qwen3MoeConfig's fields and defaults; transformers 5.x writes num_experts as num_local_experts. A layer is
// sparse unless mlp_only_layers names it, when (index + 1) is a multiple of decoder_sparse_step. MixtralConfig
// (`mixtral`): num_local_experts (8) experts of intermediate_size rows in every layer, num_experts_per_tok (2) per
// token, their weights always renormalised (its router has no norm_topk_prob switch).
MoeConfig parse_moe(const nlohmann::json& obj, const std::string& label, std::int64_t layers, bool mixtral,
                    std::int64_t intermediate_size) {
  MoeConfig moe;
  const char* experts_field = obj.contains("num_experts") && !mixtral ? "num_experts" : "num_local_experts";
  moe.num_experts = json_int(obj, experts_field, label).value_or(mixtral ? 8 : 128);
  moe.experts_per_token = json_int(obj, "num_experts_per_tok", label).value_or(mixtral ? 2 : 8);
  moe.expert_intermediate_size =
      mixtral ? intermediate_size : json_int(obj, "moe_intermediate_size", label).value_or(768);
  moe.norm_topk_prob = mixtral || json_bool(obj, "norm_topk_prob", label).value_or(false);
  if (moe.num_experts < 0) bad_field(label, experts_field, "a non-negative integer");
  if (moe.num_experts > 0 && (moe.experts_per_token <= 0 || moe.experts_per_token > moe.num_experts))
    bad_field(label, "num_experts_per_tok", "between 1 and " + std::string(experts_field));
  if (moe.expert_intermediate_size <= 0) bad_field(label, "moe_intermediate_size", "a positive integer");
  check_at_most(moe.num_experts, kMaxHeads, label, experts_field);
  check_at_most(moe.expert_intermediate_size, kMaxInner, label, "moe_intermediate_size");
  const std::int64_t step = mixtral ? 1 : json_int(obj, "decoder_sparse_step", label).value_or(1);
  if (step <= 0) bad_field(label, "decoder_sparse_step", "a positive integer");
  std::vector<bool> dense_only(static_cast<std::size_t>(layers), false);
  if (const auto it = obj.find("mlp_only_layers"); !mixtral && it != obj.end() && !it->is_null()) {
    if (!it->is_array()) bad_field(label, "mlp_only_layers", "a list of layer indices");
    for (const auto& index : *it) {
      if (!index.is_number_integer() || index.get<std::int64_t>() < 0)
        bad_field(label, "mlp_only_layers", "a list of layer indices");
      if (index.get<std::int64_t>() < layers) dense_only[static_cast<std::size_t>(index.get<std::int64_t>())] = true;
    }
  }
  moe.sparse_layers.resize(static_cast<std::size_t>(layers));
  for (std::int64_t l = 0; l < layers; ++l)
    moe.sparse_layers[static_cast<std::size_t>(l)] = moe.num_experts > 0 && !dense_only[static_cast<std::size_t>(l)] && (l + 1) % step == 0;
  return moe;
}

}  // namespace

namespace {

// layer_types (transformers 5): which layers are "sliding_attention"; nullopt when the config has none.
std::optional<std::vector<bool>> sliding_layer_types(const nlohmann::json& obj, const std::string& label, std::size_t layers) {
  const auto types = obj.find("layer_types");
  if (types == obj.end() || types->is_null()) return std::nullopt;
  if (!types->is_array() || types->size() != layers) bad_field(label, "layer_types", "a list of num_hidden_layers attention kinds");
  std::vector<bool> slides(layers, false);
  for (std::size_t l = 0; l < layers; ++l) {
    const nlohmann::json& kind = (*types)[l];
    if (kind != "sliding_attention" && kind != "full_attention")
      bad_field(label, "layer_types[" + std::to_string(l) + "]",
                "\"full_attention\" or \"sliding_attention\", not " + kind.dump());
    slides[l] = kind == "sliding_attention";
  }
  return slides;
}

// SmolLM3Config's layers: no_rope_layers (non-zero rotates, 0 is NoPE) or, absent, a NoPE layer every
// no_rope_layer_interval layers; the sliding layers are layer_types' "sliding_attention" ones, or absent, the NoPE
// layers when use_sliding_window and a sliding_window are set. `window` is config.json's sliding_window.
void parse_smollm3_layers(const nlohmann::json& obj, const std::string& label, std::optional<std::int64_t> window,
                          ModelConfig& config) {
  const auto layers = static_cast<std::size_t>(config.num_hidden_layers);
  std::vector<bool> nope(layers, false);
  if (const auto it = obj.find("no_rope_layers"); it != obj.end() && !it->is_null()) {
    // transformers reads entry i for layer i: a longer list's tail is never read.
    if (!it->is_array() || it->size() < layers)
      bad_field(label, "no_rope_layers", "a list of num_hidden_layers integers (0: NoPE)");
    for (std::size_t l = 0; l < layers; ++l) {
      const nlohmann::json& v = (*it)[l];
      if (!(v.is_number_integer() || v.is_boolean()))
        bad_field(label, "no_rope_layers", "a list of num_hidden_layers integers (0: NoPE)");
      nope[l] = v.is_boolean() ? !v.get<bool>() : v.get<std::int64_t>() == 0;
    }
  } else {
    const std::int64_t interval = json_int(obj, "no_rope_layer_interval", label).value_or(4);
    if (interval <= 0) bad_field(label, "no_rope_layer_interval", "a positive integer");
    for (std::size_t l = 0; l < layers; ++l) nope[l] = (static_cast<std::int64_t>(l) + 1) % interval == 0;
  }
  if (std::find(nope.begin(), nope.end(), true) != nope.end()) config.no_rope_layers = nope;
  // layer_types decides which layers slide when given (transformers builds the masks from it alone, whatever
  // use_sliding_window says); else the NoPE layers slide under use_sliding_window with a window.
  std::vector<bool> slides(layers, false);
  if (const auto types = sliding_layer_types(obj, label, layers)) {
    slides = *types;
    if (std::find(slides.begin(), slides.end(), true) != slides.end() && !window)
      bad_field(label, "sliding_window", "a positive integer for the layers layer_types makes sliding_attention");
  } else if (json_bool(obj, "use_sliding_window", label).value_or(false) && window) {
    slides = nope;
  }
  if (std::find(slides.begin(), slides.end(), true) == slides.end()) return;
  if (*window <= 0) bad_field(label, "sliding_window", "a positive integer or null");
  if (config.max_position_embeddings > 0 && *window >= config.max_position_embeddings) return;  // changes nothing
  config.sliding_windows.assign(layers, 0);
  for (std::size_t l = 0; l < layers; ++l)
    if (slides[l]) config.sliding_windows[l] = *window;
}

}  // namespace

namespace {

// GptOssConfig (gpt-oss-20b / 120b): biased attention with a sink per head, every layer a mixture of biased
// experts with a clamped SwiGLU (the experts' top-k logits softmaxed, which is the renormalised top-k of the
// softmax), and sliding layers by layer_types, else every even-indexed one, over sliding_window (128 by default;
// null: none).
void parse_gpt_oss(const nlohmann::json& obj, const std::string& label, std::optional<std::int64_t> window,
                   ModelConfig& config) {
  config.qkv_bias = config.o_bias = json_bool(obj, "attention_bias", label).value_or(true);
  config.attention_sinks = true;
  MoeConfig& moe = config.moe;
  moe.num_experts = json_int(obj, "num_local_experts", label).value_or(128);
  moe.experts_per_token = json_int(obj, "num_experts_per_tok", label).value_or(4);
  moe.expert_intermediate_size = config.intermediate_size;
  moe.norm_topk_prob = true;
  moe.biases = true;
  moe.fused_experts = true;
  moe.swiglu_limit = json_number(obj, "swiglu_limit", label).value_or(7.0);
  moe.swiglu_alpha = json_number(obj, "swiglu_alpha", label).value_or(1.702);
  if (moe.num_experts <= 0) bad_field(label, "num_local_experts", "a positive integer");
  if (moe.experts_per_token <= 0 || moe.experts_per_token > moe.num_experts)
    bad_field(label, "num_experts_per_tok", "between 1 and num_local_experts");
  if (!(moe.swiglu_limit > 0) || !std::isfinite(moe.swiglu_limit)) bad_field(label, "swiglu_limit", "a positive number");
  if (!std::isfinite(moe.swiglu_alpha)) bad_field(label, "swiglu_alpha", "a finite number");
  check_at_most(moe.num_experts, kMaxHeads, label, "num_local_experts");
  moe.sparse_layers.assign(static_cast<std::size_t>(config.num_hidden_layers), true);
  const auto layers = static_cast<std::size_t>(config.num_hidden_layers);
  std::vector<bool> slides(layers, false);
  if (const auto types = sliding_layer_types(obj, label, layers)) {
    slides = *types;
  } else {
    for (std::size_t l = 0; l < layers; ++l) slides[l] = l % 2 == 0;
  }
  if (!obj.contains("sliding_window")) window = 128;
  if (!window || std::find(slides.begin(), slides.end(), true) == slides.end()) return;
  if (*window <= 0) bad_field(label, "sliding_window", "a positive integer or null");
  if (config.max_position_embeddings > 0 && *window >= config.max_position_embeddings) return;  // changes nothing
  config.sliding_windows.assign(layers, 0);
  for (std::size_t l = 0; l < layers; ++l)
    if (slides[l]) config.sliding_windows[l] = *window;
}

bool is_gemma(Architecture a) { return a == Architecture::kGemma || a == Architecture::kGemma2 || a == Architecture::kGemma3; }
bool is_olmo(Architecture a) { return a == Architecture::kOlmo2 || a == Architecture::kOlmo3; }
bool is_glm(Architecture a) { return a == Architecture::kGlm || a == Architecture::kGlm4; }
bool is_exaone(Architecture a) { return a == Architecture::kExaone || a == Architecture::kExaone4; }

// The MLP activation a Gemma config names: GemmaConfig's hidden_act (its legacy "gelu" meant the tanh
// approximation, which transformers substitutes), Gemma2Config's and Gemma3TextConfig's hidden_activation.
Activation parse_gemma_activation(const nlohmann::json& obj, const std::string& label, Architecture architecture) {
  const char* field = architecture == Architecture::kGemma ? "hidden_act" : "hidden_activation";
  if (obj.contains(field) && obj[field].is_null()) bad_field(label, field, "an activation name, not null");
  const std::string name = json_string(obj, field, label).value_or("gelu_pytorch_tanh");
  if (name == "gelu_pytorch_tanh" || name == "gelu_new" || (name == "gelu" && architecture == Architecture::kGemma))
    return Activation::kGeluTanh;
  if (name == "gelu") return Activation::kGelu;
  if (name == "silu" || name == "swish") return Activation::kSilu;
  bad_field(label, field, "gelu_pytorch_tanh, gelu, gelu_new or silu, not '" + name + "'");
}

// Which Gemma 2 / 3 layers slide: layer_types when given, else every second layer from the first (Gemma 2) or all
// but every sliding_window_pattern-th (Gemma 3, 6 by default).
std::vector<bool> gemma_sliding_layers(const nlohmann::json& obj, const std::string& label, const ModelConfig& config) {
  const auto layers = static_cast<std::size_t>(config.num_hidden_layers);
  if (auto types = sliding_layer_types(obj, label, layers)) return *types;
  std::vector<bool> slides(layers, false);
  const std::int64_t pattern =
      config.architecture == Architecture::kGemma2 ? 2 : json_int(obj, "sliding_window_pattern", label).value_or(6);
  if (pattern <= 0) bad_field(label, "sliding_window_pattern", "a positive integer");
  for (std::size_t l = 0; l < layers; ++l) slides[l] = (static_cast<std::int64_t>(l) + 1) % pattern != 0;
  return slides;
}

// Rotary embeddings per layer kind, as transformers 5.x builds them for Gemma3TextConfig and Olmo3Config:
// rope_parameters per layer kind ({"full_attention": {...}, "sliding_attention": {...}}; a flat dict's keys are not
// read), each part defaulting to {"rope_type": "default"}; rope_scaling overlays the full layers' part (so a legacy
// "type" key under a default "rope_type" changes nothing). A part without its rope_theta takes the field named for
// it (Gemma 3: rope_theta and rope_local_base_freq), else the class default. The original context of llama3 / yarn
// scaling is max_position_embeddings unless the part names one (a top-level original_max_position_embeddings is
// not read for the nested parts), and yarn's truncate is read from the outer rope_parameters (true when absent),
// as transformers' yarn reads it there.
struct LayerKindThetas {
  const char* full_field;
  double full_default;
  const char* sliding_field;
  double sliding_default;
};
void parse_layer_kind_rope(const nlohmann::json& obj, const std::string& label, const LayerKindThetas& thetas,
                           ModelConfig& config) {
  const nlohmann::json default_part = {{"rope_type", "default"}};
  nlohmann::json full = default_part, sliding = default_part;
  bool truncate = true;
  if (const auto it = obj.find("rope_parameters"); it != obj.end() && !it->is_null()) {
    if (!it->is_object()) bad_field(label, "rope_parameters", "an object or null");
    for (const char* kind : {"full_attention", "sliding_attention"}) {
      const auto part = it->find(kind);
      if (part == it->end() || part->is_null()) continue;
      if (!part->is_object()) bad_field(label, std::string("rope_parameters.") + kind, "an object or null");
      (std::string(kind) == "full_attention" ? full : sliding) = *part;
    }
    if (it->contains("truncate")) truncate = json_bool(*it, "truncate", label + ": rope_parameters").value_or(false);
  }
  if (const auto it = obj.find("rope_scaling"); it != obj.end() && !it->is_null()) {
    if (!it->is_object()) bad_field(label, "rope_scaling", "an object or null");
    full.update(*it);
  }
  const auto theta_of = [&](const nlohmann::json& dict, const char* dict_label, const char* field, double d) {
    std::optional<double> theta = json_number(dict, "rope_theta", label + ": " + dict_label);
    if (!theta) theta = json_number(obj, field, label);
    const double value = theta.value_or(d);
    if (!(value > 0)) bad_field(label, std::string(dict_label) + ".rope_theta", "a positive number");
    return value;
  };
  config.rope_theta = theta_of(full, "rope_parameters.full_attention", thetas.full_field, thetas.full_default);
  config.rope_scaling = parse_rope_scaling(full, "rope_parameters.full_attention", label, std::nullopt,
                                           config.max_position_embeddings, config.architecture, config.rotated_dims());
  config.rope_scaling.truncate = truncate;
  ModelConfig::LayerRope local;
  local.theta = theta_of(sliding, "rope_parameters.sliding_attention", thetas.sliding_field, thetas.sliding_default);
  local.scaling = parse_rope_scaling(sliding, "rope_parameters.sliding_attention", label, std::nullopt,
                                     config.max_position_embeddings, config.architecture, config.rotated_dims());
  local.scaling.truncate = truncate;
  config.sliding_rope = local;
}

// The sliding window of the layers marked in `slides`: sliding_window (default 4096; null refused where a layer
// slides); a window as long as the model changes nothing.
void set_sliding_windows(const nlohmann::json& obj, const std::string& label, const std::vector<bool>& slides,
                         ModelConfig& config) {
  if (std::find(slides.begin(), slides.end(), true) == slides.end()) return;
  std::optional<std::int64_t> window = obj.contains("sliding_window") ? json_int(obj, "sliding_window", label) : 4096;
  if (!window || *window <= 0) bad_field(label, "sliding_window", "a positive integer for the sliding layers");
  if (config.max_position_embeddings > 0 && *window >= config.max_position_embeddings) return;
  config.sliding_windows.assign(slides.size(), 0);
  for (std::size_t l = 0; l < slides.size(); ++l)
    if (slides[l]) config.sliding_windows[l] = *window;
}

// The Gemma family's fields (see ModelConfig); after the common ones, the dtype included.
void parse_gemma(const nlohmann::json& obj, const std::string& label, ModelConfig& config) {
  const Architecture a = config.architecture;
  config.activation = parse_gemma_activation(obj, label, a);
  config.norm_weight_offset = true;
  // Rounded to the checkpoint's dtype; without a declared one, transformers takes the tensors' (TransformerShardReader).
  const auto scale = static_cast<float>(std::sqrt(static_cast<double>(config.hidden_size)));
  config.embedding_multiplier = config.torch_dtype ? round_to_dtype(scale, *config.torch_dtype) : scale;
  const bool attention_bias = json_bool(obj, "attention_bias", label).value_or(false);
  config.qkv_bias = attention_bias;
  config.o_bias = attention_bias;
  if (json_bool(obj, "use_bidirectional_attention", label).value_or(false))
    bad_field(label, "use_bidirectional_attention", "false (a causal language model)");
  if (a == Architecture::kGemma) return;
  config.sandwich_norms = true;
  config.query_pre_attn_scalar = json_number(obj, "query_pre_attn_scalar", label).value_or(256.0);
  if (!(*config.query_pre_attn_scalar > 0)) bad_field(label, "query_pre_attn_scalar", "a positive number");
  const auto softcap = [&](const char* field, double default_value) {
    if (obj.contains(field) && obj[field].is_null()) return 0.0;
    const double cap = json_number(obj, field, label).value_or(default_value);
    if (cap < 0) bad_field(label, field, "a positive number or null");
    return cap;
  };
  // Gemma3TextConfig keeps attn_logit_softcapping, but transformers' Gemma 3 attention never applies it.
  if (a == Architecture::kGemma2) config.attn_logit_softcap = softcap("attn_logit_softcapping", 50.0);
  config.final_logit_softcap = softcap("final_logit_softcapping", a == Architecture::kGemma2 ? 30.0 : 0.0);
  if (a == Architecture::kGemma3) {
    config.qk_norm = QkNorm::kPerHead;
    parse_layer_kind_rope(obj, label, {"rope_theta", 1000000.0, "rope_local_base_freq", 10000.0}, config);
  }
  const std::vector<bool> slides = gemma_sliding_layers(obj, label, config);
  if (config.sliding_rope) config.sliding_rope->layers = slides;
  set_sliding_windows(obj, label, slides, config);
}

// OLMo 2 / 3 (Olmo2ForCausalLM, Olmo3ForCausalLM): norms of the attention and MLP outputs only, of each token's
// whole q and k projections; OLMo 3's sliding layers (layer_types, else all but every fourth) rotate without the
// full layers' scaling. transformers 5.x gives a sliding layer 500000 when only a top-level rope_theta is written
// (its Olmo3Config pops rope_theta for the full layers first); OLMo's training code and transformers 4.x rotate
// every layer with that rope_theta, which is read here (the released OLMo 3 checkpoints write 500000 anyway).
void parse_olmo(const nlohmann::json& obj, const std::string& label, ModelConfig& config) {
  config.sandwich_norms = true;
  config.input_norms = false;
  config.qk_norm = QkNorm::kWholeProjection;
  const bool attention_bias = json_bool(obj, "attention_bias", label).value_or(false);
  config.qkv_bias = attention_bias;
  config.o_bias = attention_bias;
  if (config.architecture != Architecture::kOlmo3) return;
  parse_layer_kind_rope(obj, label, {"rope_theta", 500000.0, "rope_theta", 500000.0}, config);
  const auto layers = static_cast<std::size_t>(config.num_hidden_layers);
  std::vector<bool> slides(layers);
  if (auto types = sliding_layer_types(obj, label, layers)) {
    slides = *types;
  } else {
    for (std::size_t l = 0; l < layers; ++l) slides[l] = (l + 1) % 4 != 0;
  }
  config.sliding_rope->layers = slides;
  set_sliding_windows(obj, label, slides, config);
}

// Granite's four multipliers (GraniteConfig's defaults: 1), finite; logits_scaling non-zero (the logits are divided
// by it).
void parse_granite_multipliers(const nlohmann::json& obj, const std::string& label, ModelConfig& config) {
  const auto multiplier = [&](const char* field) {
    const double value = json_number(obj, field, label).value_or(1.0);
    if (!std::isfinite(value)) bad_field(label, field, "a finite number");
    return value;
  };
  config.embedding_multiplier = static_cast<float>(multiplier("embedding_multiplier"));
  config.attention_multiplier = multiplier("attention_multiplier");
  config.residual_multiplier = multiplier("residual_multiplier");
  config.logits_scaling = multiplier("logits_scaling");
  if (config.logits_scaling == 0) bad_field(label, "logits_scaling", "a non-zero number (the logits are divided by it)");
}

// EXAONE 4.0 (Exaone4ForCausalLM): OLMo 2's layer (only the attention and MLP outputs normalised) with Qwen3's
// per-head q/k norms and no biases. With a sliding_window (Exaone4Config's default 4096; null turns it off) the
// sliding layers (layer_types, else all but every sliding_window_pattern-th, 4 by default) attend over it with
// RoPE and the other layers attend to everything with no rotary embedding at all (its "global NoPE"); without
// one every layer rotates and attends to everything.
void parse_exaone4(const nlohmann::json& obj, const std::string& label, ModelConfig& config) {
  config.sandwich_norms = true;
  config.input_norms = false;
  config.qk_norm = QkNorm::kPerHead;
  const std::optional<std::int64_t> window = obj.contains("sliding_window") ? json_int(obj, "sliding_window", label) : 4096;
  const auto layers = static_cast<std::size_t>(config.num_hidden_layers);
  std::vector<bool> slides(layers, false);
  if (auto types = sliding_layer_types(obj, label, layers)) {
    slides = *types;
  } else if (!window) {
    // Exaone4Config sets the pattern to 0 and then divides by it.
    bad_field(label, "layer_types", "a list when sliding_window is null (transformers cannot build the layers otherwise)");
  } else {
    const auto pattern = obj.find("sliding_window_pattern");
    std::int64_t every = 4;
    if (pattern != obj.end() && !pattern->is_null()) {
      if (!pattern->is_number_integer() || pattern->get<std::int64_t>() <= 0)
        bad_field(label, "sliding_window_pattern", "a positive integer when layer_types is absent");
      every = pattern->get<std::int64_t>();
    }
    for (std::size_t l = 0; l < layers; ++l) slides[l] = (static_cast<std::int64_t>(l) + 1) % every != 0;
  }
  if (!window) return;
  std::vector<bool> nope(layers);
  for (std::size_t l = 0; l < layers; ++l) nope[l] = !slides[l];
  if (std::find(nope.begin(), nope.end(), true) != nope.end()) config.no_rope_layers = nope;
  set_sliding_windows(obj, label, slides, config);
}

}  // namespace

bool MoeConfig::any_sparse() const {
  for (const bool s : sparse_layers)
    if (s) return true;
  return false;
}

namespace {

// Gemma3ForConditionalGeneration's text model as a Gemma3ForCausalLM config: its text_config over
// Gemma3TextConfig's defaults (the released configs write only what differs: gemma-3-4b-it gives five fields),
// with the outer config's dtype, end tokens and tie_word_embeddings, which govern the whole model in transformers.
nlohmann::json gemma3_text_of_multimodal(const nlohmann::json& outer, const std::string& label) {
  if (const auto type = json_string(outer, "model_type", label); type && *type != "gemma3")
    bad_field(label, "model_type", "'gemma3' for Gemma3ForConditionalGeneration, not '" + *type + "'");
  const auto text_it = outer.find("text_config");
  if (text_it == outer.end() || !text_it->is_object())
    bad_field(label, "text_config", "an object (the language model's config)");
  nlohmann::json text = {{"hidden_size", 2304},      {"intermediate_size", 9216},    {"num_hidden_layers", 26},
                         {"num_attention_heads", 8}, {"num_key_value_heads", 4},     {"vocab_size", 262208}};
  text.update(*text_it);
  if (const auto type = json_string(text, "model_type", label + ": text_config"); type && *type != "gemma3_text")
    bad_field(label, "text_config.model_type", "'gemma3_text', not '" + *type + "'");
  text["architectures"] = nlohmann::json::array({"Gemma3ForCausalLM"});
  text["model_type"] = "gemma3_text";
  text["tie_word_embeddings"] = json_bool(outer, "tie_word_embeddings", label).value_or(true);
  for (const char* field : {"dtype", "torch_dtype", "eos_token_id", "bos_token_id"}) {
    const auto it = outer.find(field);
    if (it != outer.end() && !it->is_null() && !text.contains(field)) text[field] = *it;
  }
  return text;
}

// A [rows, cols] list of positive integers (a block's shape), or nullopt.
std::optional<std::array<std::int64_t, 2>> block_shape(const nlohmann::json& value) {
  if (!value.is_array() || value.size() != 2) return std::nullopt;
  std::array<std::int64_t, 2> shape{};
  for (std::size_t i = 0; i < 2; ++i) {
    if (!value[i].is_number_integer() || value[i].get<std::int64_t>() <= 0 || value[i].get<std::int64_t>() > kMaxInner)
      return std::nullopt;
    shape[i] = value[i].get<std::int64_t>();
  }
  return shape;
}

// llm-compressor's compressed-tensors checkpoints: every config group's weights in one format, "float-quantized"
// (8-bit floats), "int-quantized" / "naive-quantized" (int8) or "pack-quantized" (int4 or int8 packed into int32s),
// symmetric, with one scale layout (per tensor, per output row, per group of columns, or per block_structure block).
ModelConfig::QuantizedWeights parse_compressed_tensors(const nlohmann::json& q, const std::string& label) {
  const std::string where = label + ": quantization_config";
  const auto groups = q.find("config_groups");
  if (groups == q.end() || !groups->is_object() || groups->empty())
    bad_field(label, "quantization_config.config_groups", "an object of quantization groups");
  const std::string format = json_string(q, "format", where).value_or("");
  std::optional<ModelConfig::QuantizedWeights> scheme;
  for (const auto& [name, group] : groups->items()) {
    const std::string field = "quantization_config.config_groups." + name;
    const std::string group_format =
        group.is_object() ? json_string(group, "format", where).value_or(format) : format;
    const bool floats = group_format == "float-quantized", packed = group_format == "pack-quantized";
    if (!floats && !packed && group_format != "int-quantized" && group_format != "naive-quantized")
      bad_field(label, field + ".format",
                "float-quantized, int-quantized or pack-quantized, not '" + group_format + "'");
    const auto weights = group.find("weights");
    if (weights == group.end() || !weights->is_object()) bad_field(label, field + ".weights", "an object");
    const auto bits = json_int(*weights, "num_bits", where);
    const auto type = json_string(*weights, "type", where);
    if (floats ? (bits != 8 || type != "float") : (type != "int" || !(bits == 8 || (packed && bits == 4))))
      bad_field(label, field + ".weights",
                floats ? "8-bit float weights (num_bits 8, type float)"
                       : packed ? "4- or 8-bit int weights (num_bits 4 or 8, type int)" : "8-bit int weights");
    if (json_bool(*weights, "symmetric", where) == false)
      bad_field(label, field + ".weights.symmetric", "true (asymmetric weights, with zero points, are not read)");
    if (const auto order = weights->find("actorder");
        order != weights->end() && !order->is_null() && *order != false && *order != "weight")
      bad_field(label, field + ".weights.actorder",
                "null or weight (group activation order, with a g_idx per column, is not read)");
    const std::string strategy = json_string(*weights, "strategy", where).value_or("");
    ModelConfig::QuantizedWeights found{"_scale", 0, 0, packed ? static_cast<int>(*bits) : 0};
    if (strategy == "channel") {
      found.block_rows = 1;
    } else if (strategy == "group") {
      const auto size = json_int(*weights, "group_size", where);
      if (!size || *size <= 0 || *size > kMaxInner)
        bad_field(label, field + ".weights.group_size", "a positive integer");
      found.block_rows = 1;
      found.block_cols = *size;
    } else if (strategy == "block") {
      const auto shape = weights->contains("block_structure") ? block_shape((*weights)["block_structure"]) : std::nullopt;
      if (!shape) bad_field(label, field + ".weights.block_structure", "[rows, cols] of positive integers");
      found.block_rows = (*shape)[0];
      found.block_cols = (*shape)[1];
    } else if (strategy != "tensor") {
      bad_field(label, field + ".weights.strategy", "tensor, channel, group or block, not '" + strategy + "'");
    }
    if (scheme && (scheme->block_rows != found.block_rows || scheme->block_cols != found.block_cols ||
                   scheme->packed_bits != found.packed_bits))
      bad_field(label, field + ".weights", "the same codes and scales as the other groups'");
    scheme = found;
  }
  return *scheme;
}

// quantization_config: the methods whose tensors the loader reads. "fp8" (block-FP8 with a weight_block_size, else a
// scale per tensor), "fbgemm_fp8" (a scale per row), compressed-tensors (symmetric FP8, int8 and packed int4 / int8),
// "awq" (AutoAWQ's int4 GEMM layout), "gptq" (int4 / int8) and "mxfp4" (gpt-oss's experts); any other (bitsandbytes,
// HQQ, EXL2, ...) stores weights the loader would misread, so it is refused by name.
void parse_quantization(const nlohmann::json& obj, const std::string& label, ModelConfig& config) {
  const auto it = obj.find("quantization_config");
  if (it == obj.end() || it->is_null()) return;
  if (!it->is_object()) bad_field(label, "quantization_config", "an object");
  const nlohmann::json& q = *it;
  const std::string method = json_string(q, "quant_method", label + ": quantization_config").value_or("");
  if (method == "mxfp4") return;
  if (method == "compressed-tensors") {
    config.quantized_weights = parse_compressed_tensors(q, label);
    return;
  }
  if (method == "awq") {
    const std::string where = label + ": quantization_config";
    if (json_int(q, "bits", where).value_or(4) != 4 || json_int(q, "w_bit", where).value_or(4) != 4)
      bad_field(label, "quantization_config.bits", "4 (AWQ's int4 GEMM layout)");
    std::string version = json_string(q, "version", where).value_or("gemm");
    std::transform(version.begin(), version.end(), version.begin(), [](unsigned char c) { return std::tolower(c); });
    if (version != "gemm") bad_field(label, "quantization_config.version", "gemm, not '" + version + "'");
    if (json_bool(q, "zero_point", where) == false)
      bad_field(label, "quantization_config.zero_point", "true (AWQ without zero points is not read)");
    const auto group = json_int(q, "group_size", where).value_or(json_int(q, "q_group_size", where).value_or(128));
    if (group <= 0 || group > kMaxInner) bad_field(label, "quantization_config.group_size", "a positive integer");
    config.quantized_weights.awq_group = group;
    return;
  }
  if (method == "gptq") {
    const std::string where = label + ": quantization_config";
    const auto bits = json_int(q, "bits", where).value_or(4);
    if (bits != 4 && bits != 8) bad_field(label, "quantization_config.bits", "4 or 8, not " + std::to_string(bits));
    const auto group = json_int(q, "group_size", where).value_or(128);
    if (group == 0 || group < -1 || group > kMaxInner)
      bad_field(label, "quantization_config.group_size", "-1 or a positive integer");
    const std::string format =
        json_string(q, "checkpoint_format", where).value_or(json_string(q, "format", where).value_or("gptq"));
    if (format != "gptq" && format != "gptq_v2")
      bad_field(label, "quantization_config.checkpoint_format", "gptq or gptq_v2, not '" + format + "'");
    config.quantized_weights.gptq_bits = static_cast<int>(bits);
    config.quantized_weights.gptq_group = group > 0 ? group : 0;
    config.quantized_weights.gptq_zero_offset = format == "gptq" ? 1 : 0;
    return;
  }
  if (method == "fbgemm_fp8") {  // a scale per output row (weight_scale [out, 1])
    config.quantized_weights = {"_scale", 1, 0};
    return;
  }
  if (method != "fp8")
    bad_field(label, "quantization_config.quant_method",
              "fp8, fbgemm_fp8, compressed-tensors, awq, gptq or mxfp4, not '" + method +
                  "' (r1eval reads unquantized, FP8, compressed-tensors, AWQ, GPTQ and MXFP4 weights)");
  if (const auto fmt = json_string(q, "fmt", label + ": quantization_config"); fmt && *fmt != "e4m3")
    bad_field(label, "quantization_config.fmt", "e4m3, not '" + *fmt + "'");
  // As vLLM reads "fp8": with weight_block_size an inverse scale per block (weight_scale_inv), without it one scale
  // per tensor (weight_scale, AutoFP8's layout).
  const auto it_block = q.find("weight_block_size");
  if (it_block == q.end() || it_block->is_null()) {
    config.quantized_weights = {"_scale", 0, 0};
    return;
  }
  const auto block = block_shape(*it_block);
  if (!block) bad_field(label, "quantization_config.weight_block_size", "[rows, cols] of positive integers");
  config.quantized_weights = {"_scale_inv", (*block)[0], (*block)[1]};
}

}  // namespace

ModelConfig parse_model_config(const std::string& json_text, const std::string& label) {
  nlohmann::json obj = parse_config_object(json_text, label);
  if (const auto it = obj.find("architectures");
      it != obj.end() && it->is_array() && !it->empty() && (*it)[0] == "Gemma3ForConditionalGeneration") {
    ModelConfig text = parse_model_config(gemma3_text_of_multimodal(obj, label).dump(), label + ": text_config");
    text.architecture_name = "Gemma3ForConditionalGeneration";
    // transformers' Gemma3ForConditionalGeneration returns lm_head's logits as they are; only Gemma3ForCausalLM
    // caps them with text_config.final_logit_softcapping (null in the released configs, where the two agree).
    text.final_logit_softcap = 0;
    text.multimodal_wrapper = true;
    parse_quantization(obj, label, text);
    return text;
  }
  ModelConfig config;

  const auto arch_it = obj.find("architectures");
  if (arch_it == obj.end() || !arch_it->is_array() || arch_it->empty() || !(*arch_it)[0].is_string()) {
    bad_field(label, "architectures", "a list naming the model class");
  }
  config.architecture_name = (*arch_it)[0].get<std::string>();
  // The classes read, each with the model_type transformers builds it from and its config class's default
  // max_position_embeddings (which also sets llama3 / yarn scaling's original context when neither names one).
  struct Known {
    std::string_view class_name;
    Architecture architecture;
    std::string_view model_type;
    std::int64_t default_max_positions;
  };
  static constexpr Known kKnown[] = {
      {"Qwen2ForCausalLM", Architecture::kQwen2, "qwen2", 32768},
      {"LlamaForCausalLM", Architecture::kLlama, "llama", 2048},
      {"Qwen3ForCausalLM", Architecture::kQwen3, "qwen3", 32768},
      {"Phi3ForCausalLM", Architecture::kPhi3, "phi3", 4096},
      {"MistralForCausalLM", Architecture::kMistral, "mistral", 4096 * 32},
      {"Qwen3MoeForCausalLM", Architecture::kQwen3Moe, "qwen3_moe", 32768},
      {"MixtralForCausalLM", Architecture::kMixtral, "mixtral", 4096 * 32},
      {"SmolLM3ForCausalLM", Architecture::kSmolLM3, "smollm3", 32768},
      {"GemmaForCausalLM", Architecture::kGemma, "gemma", 8192},
      {"Gemma2ForCausalLM", Architecture::kGemma2, "gemma2", 8192},
      {"Gemma3ForCausalLM", Architecture::kGemma3, "gemma3_text", 131072},
      {"Olmo2ForCausalLM", Architecture::kOlmo2, "olmo2", 2048},
      {"Olmo3ForCausalLM", Architecture::kOlmo3, "olmo3", 2048},
      {"GlmForCausalLM", Architecture::kGlm, "glm", 131072},
      {"Glm4ForCausalLM", Architecture::kGlm4, "glm4", 131072},
      {"ExaoneForCausalLM", Architecture::kExaone, "exaone", 4096},
      {"Exaone4ForCausalLM", Architecture::kExaone4, "exaone4", 2048},
      {"SeedOssForCausalLM", Architecture::kSeedOss, "seed_oss", 524288},
      {"GraniteForCausalLM", Architecture::kGranite, "granite", 2048},
      // Xiaomi's MiMo-7B (remote code): Qwen2's model and config plus multi-token-prediction layers
      // (model.mtp_layers.*, num_nextn_predict_layers) that plain generation never runs, as vLLM serves it.
      {"MiMoForCausalLM", Architecture::kQwen2, "mimo", 32768},
      {"Ernie4_5ForCausalLM", Architecture::kErnie45, "ernie4_5", 131072},
      {"GptOssForCausalLM", Architecture::kGptOss, "gpt_oss", 131072},
  };
  const Known* known = nullptr;
  for (const Known& k : kKnown)
    if (config.architecture_name == k.class_name) known = &k;
  if (known == nullptr) {
    std::string supported;
    for (const Known& k : kKnown) supported += (supported.empty() ? "" : ", ") + std::string(k.class_name);
    supported += ", Gemma3ForConditionalGeneration (its text model)";
    throw std::runtime_error(label + ": unsupported architecture '" + config.architecture_name + "' (supported: " +
                             supported + ")");
  }
  config.architecture = known->architecture;
  // transformers builds the model from model_type, not from architectures: a config whose two disagree
  // ("LlamaForCausalLM" with model_type "mistral") is another model than the one named.
  if (const auto model_type = json_string(obj, "model_type", label)) {
    const std::string expected(known->model_type);
    if (*model_type != expected)
      bad_field(label, "model_type", std::string("'") + expected + "' for " + config.architecture_name + ", not '" +
                                         *model_type + "' (transformers would build a " + *model_type + " model)");
  }

  // ExaoneConfig's attribute_map: the released EXAONE 3 / 3.5 / Deep configs write these names.
  if (config.architecture == Architecture::kExaone)
    for (const auto& [alias, field] : {std::pair<const char*, const char*>{"num_layers", "num_hidden_layers"},
                                       {"layer_norm_epsilon", "rms_norm_eps"},
                                       {"activation_function", "hidden_act"}})
      if (obj.contains(alias) && !obj.contains(field)) obj[field] = obj[alias];

  config.hidden_size = required_positive(obj, "hidden_size", label, kMaxWidth);
  config.num_hidden_layers = required_positive(obj, "num_hidden_layers", label, kMaxLayers);
  config.num_attention_heads = required_positive(obj, "num_attention_heads", label, kMaxHeads);
  // Qwen3-MoE's dense MLP (mlp_only_layers) has Qwen3MoeConfig's default size; an all-sparse config may omit it.
  // GptOssConfig's experts take intermediate_size, 2880 by default.
  const bool gpt_oss = config.architecture == Architecture::kGptOss;
  config.intermediate_size = !obj.contains("intermediate_size") && config.architecture == Architecture::kQwen3Moe ? 6144
                             : !obj.contains("intermediate_size") && gpt_oss                                    ? 2880
                                 : required_positive(obj, "intermediate_size", label, kMaxInner);
  config.vocab_size = required_positive(obj, "vocab_size", label, kMaxVocab);
  config.num_key_value_heads = json_int(obj, "num_key_value_heads", label).value_or(config.num_attention_heads);
  if (config.num_key_value_heads <= 0 || config.num_attention_heads % config.num_key_value_heads != 0) {
    bad_field(label, "num_key_value_heads", "a positive divisor of num_attention_heads");
  }
  const auto head_dim = json_int(obj, "head_dim", label);
  if (head_dim) {
    config.head_dim = *head_dim;
  } else if (is_gemma(config.architecture)) {
    config.head_dim = 256;  // the Gemma configs' default
  } else if (gpt_oss) {
    config.head_dim = 64;  // GptOssConfig's default
  } else if (config.architecture == Architecture::kQwen3 || config.architecture == Architecture::kSeedOss ||
             config.architecture == Architecture::kErnie45) {
    // Qwen3Config's, SeedOssConfig's and Ernie4_5Config's default, whatever hidden_size / num_attention_heads is
    config.head_dim = 128;
    // (Qwen3MoeConfig has no head_dim default: its attention takes hidden_size / num_attention_heads.)
  } else {
    if (config.hidden_size % config.num_attention_heads != 0) {
      bad_field(label, "head_dim", "a value, since hidden_size is not a multiple of num_attention_heads");
    }
    config.head_dim = config.hidden_size / config.num_attention_heads;
  }
  if (config.head_dim <= 0 || config.head_dim % 2 != 0) bad_field(label, "head_dim", "a positive even integer");
  check_at_most(config.head_dim, kMaxHeads, label, "head_dim");
  const auto max_positions = json_int(obj, "max_position_embeddings", label);
  if (max_positions && *max_positions <= 0) bad_field(label, "max_position_embeddings", "a positive integer");
  config.max_position_embeddings = max_positions.value_or(known->default_max_positions);
  // Phi3Config's, MixtralConfig's and the OLMo configs' default differs from the others'.
  const bool eps_default_1e5 = config.architecture == Architecture::kPhi3 || config.architecture == Architecture::kMixtral ||
                               is_olmo(config.architecture) || is_exaone(config.architecture) ||
                               config.architecture == Architecture::kErnie45 || gpt_oss;
  config.rms_norm_eps = json_number(obj, "rms_norm_eps", label)
                           .value_or(is_glm(config.architecture) ? 1.5625e-7 : eps_default_1e5 ? 1e-5 : 1e-6);
  if (config.rms_norm_eps <= 0) bad_field(label, "rms_norm_eps", "a positive number");

  // transformers maps "swish" to the same SiLU; the Gemma family's activation is read with its other fields.
  const auto act = is_gemma(config.architecture) ? std::nullopt : json_string(obj, "hidden_act", label);
  if (act && *act != "silu" && *act != "swish") bad_field(label, "hidden_act", "silu, not '" + *act + "'");

  // The RoPE dict in force is transformers' (5.x): rope_scaling when it holds anything, else
  // rope_parameters. Its own rope_theta wins over a top-level one, which older tools write beside it.
  const nlohmann::json* rope = nullptr;
  const char* rope_field = "";
  // GptOssConfig's RoPE when the config names none: YaRN, factor 32 over a 4096-token original context.
  static const nlohmann::json kGptOssRope = {{"rope_type", "yarn"}, {"factor", 32.0},   {"beta_fast", 32.0},
                                             {"beta_slow", 1.0},    {"truncate", false}, {"original_max_position_embeddings", 4096}};
  for (const char* field : {"rope_scaling", "rope_parameters"}) {
    const auto it = obj.find(field);
    if (it == obj.end() || it->is_null() || (it->is_object() && it->empty())) continue;
    if (!it->is_object()) bad_field(label, field, "an object or null");
    rope = &*it;
    rope_field = field;
    break;
  }
  if (rope == nullptr && gpt_oss) {
    rope = &kGptOssRope;
    rope_field = "rope_parameters";
  }
  std::optional<double> theta;
  if (rope) theta = json_number(*rope, "rope_theta", label + ": " + rope_field);
  if (!theta) theta = json_number(obj, "rope_theta", label);
  config.rope_theta = theta.value_or(config.architecture == Architecture::kSmolLM3  ? 2000000.0
                                     : config.architecture == Architecture::kMixtral ? 1000000.0
                                     : gpt_oss                                       ? 150000.0
                                     : config.architecture == Architecture::kExaone ||
                                               config.architecture == Architecture::kErnie45
                                         ? 500000.0
                                                                                      : 10000.0);  // default_theta
  if (config.rope_theta <= 0) bad_field(label, "rope_theta", "a positive number");
  // A rotary embedding over part of each head (Phi-4-mini's 0.75, GLM's 0.5 by default) exists in transformers
  // only for Phi-3 and GLM; the rope dict's factor wins over a top-level one, as transformers standardizes them.
  std::optional<double> partial;
  std::string partial_field = "partial_rotary_factor";
  if (rope) {
    partial = json_number(*rope, "partial_rotary_factor", label + ": " + rope_field);
    partial_field = std::string(rope_field) + ".partial_rotary_factor";
  }
  if (!partial) {
    partial = json_number(obj, "partial_rotary_factor", label);
    partial_field = "partial_rotary_factor";
  }
  if (!partial && is_glm(config.architecture)) partial = 0.5;  // GlmConfig's / Glm4Config's default
  if (partial && *partial != 1.0) {
    if (config.architecture != Architecture::kPhi3 && !is_glm(config.architecture))
      bad_field(label, partial_field,
                "1 for " + config.architecture_name +
                    " (transformers rotates part of each head only in Phi3ForCausalLM and the GLM models)");
    // Python's int(); an odd count turns one more dimension (transformers' frequencies are arange(0, dims, 2)).
    const auto dims = static_cast<std::int64_t>(static_cast<double>(config.head_dim) * *partial);
    if (!(*partial > 0 && *partial < 1) || dims <= 0)
      bad_field(label, partial_field, "a fraction of head_dim " + std::to_string(config.head_dim) +
                                          " above 0 and at most 1 that turns at least one dimension");
    config.rotary_dim = dims;
  }
  // Phi3Config's own default for the original context, which its LongRoPE reads before the dict's.
  auto top_level_original = json_int(obj, "original_max_position_embeddings", label);
  if (!top_level_original && config.architecture == Architecture::kPhi3) top_level_original = 4096;
  if (rope)
    config.rope_scaling = parse_rope_scaling(*rope, rope_field, label, top_level_original,
                                             config.max_position_embeddings, config.architecture, config.rotated_dims());
  // Which layers slide, and over how many positions, by transformers' rules.
  std::optional<std::int64_t> window = json_int(obj, "sliding_window", label);
  const auto slide = [&](std::int64_t layer) {
    // Checked only where it slides: Qwen's configs drop the window without use_sliding_window.
    if (*window <= 0) bad_field(label, "sliding_window", "a positive integer or null");
    if (config.max_position_embeddings > 0 && *window >= config.max_position_embeddings) return;  // changes nothing
    config.sliding_windows.resize(static_cast<std::size_t>(config.num_hidden_layers), 0);
    config.sliding_windows[static_cast<std::size_t>(layer)] = *window;
  };
  if (config.architecture == Architecture::kPhi3 || config.architecture == Architecture::kMistral ||
      config.architecture == Architecture::kMixtral) {
    // Every layer slides when sliding_window is set (MistralConfig's default is 4096, Phi3Config's and
    // MixtralConfig's none); a window as long as the model changes nothing.
    if (config.architecture == Architecture::kMistral && !obj.contains("sliding_window")) window = 4096;
    if (window)
      for (std::int64_t l = 0; l < config.num_hidden_layers; ++l) slide(l);
  }

  if (config.architecture == Architecture::kSmolLM3) parse_smollm3_layers(obj, label, window, config);

  // SmolLM3Config and the Gemma configs tie the head to the embedding by default; the others do not.
  config.tie_word_embeddings =
      json_bool(obj, "tie_word_embeddings", label)
          .value_or(config.architecture == Architecture::kSmolLM3 || config.architecture == Architecture::kErnie45 ||
                    is_gemma(config.architecture));
  if (config.architecture == Architecture::kQwen2 || config.architecture == Architecture::kQwen3 ||
      config.architecture == Architecture::kQwen3Moe) {
    // The R1 distills ship sliding_window values but switch the mechanism off. Which layers slide is
    // transformers' rule: layer_types when given, else with use_sliding_window and a sliding_window (4096
    // when the key is absent; null turns it off) the layers from max_window_layers (default 28) on; Qwen3-MoE,
    // which has no max_window_layers, slides every layer then.
    if (!obj.contains("sliding_window")) window = 4096;
    const bool window_on = json_bool(obj, "use_sliding_window", label).value_or(false) && window.has_value();
    const auto types = config.architecture == Architecture::kQwen3Moe
                           ? std::nullopt
                           : sliding_layer_types(obj, label, static_cast<std::size_t>(config.num_hidden_layers));
    if (types) {
      for (std::size_t i = 0; i < types->size(); ++i)  // the config drops sliding_window without use_sliding_window
        if ((*types)[i] && window_on) slide(static_cast<std::int64_t>(i));
    } else if (window_on) {
      // transformers compares each layer index with it: null fails there, so it is refused here.
      if (config.architecture != Architecture::kQwen3Moe && obj.contains("max_window_layers") &&
          obj["max_window_layers"].is_null())
        bad_field(label, "max_window_layers", "an integer when use_sliding_window is true, not null");
      const std::int64_t first = config.architecture == Architecture::kQwen3Moe
                                     ? 0
                                     : json_int(obj, "max_window_layers", label).value_or(28);
      for (std::int64_t l = std::max<std::int64_t>(first, 0); l < config.num_hidden_layers; ++l) slide(l);
    }
  }
  if (config.architecture == Architecture::kQwen2) {
    config.qkv_bias = true;  // Qwen2's attention always carries q/k/v biases
  } else if (config.architecture == Architecture::kQwen3 || config.architecture == Architecture::kQwen3Moe) {
    const bool attention_bias = json_bool(obj, "attention_bias", label).value_or(false);
    config.qkv_bias = attention_bias;
    config.o_bias = attention_bias;
    config.qk_norm = QkNorm::kPerHead;
    if (config.architecture == Architecture::kQwen3Moe)
      config.moe = parse_moe(obj, label, config.num_hidden_layers, false, config.intermediate_size);
  } else if (config.architecture == Architecture::kPhi3) {
    config.fused_qkv = config.fused_gate_up = true;  // and no biases anywhere
  } else if (is_glm(config.architecture)) {
    // q/k/v biases with attention_bias (GlmConfig's default: on), never on o_proj or the MLP; RoPE on
    // neighbouring pairs; GLM-4-0414 normalises the attention and MLP outputs too.
    config.qkv_bias = json_bool(obj, "attention_bias", label).value_or(true);
    config.fused_gate_up = true;
    config.rotary_interleaved = true;
    config.sandwich_norms = config.architecture == Architecture::kGlm4;
  } else if (config.architecture == Architecture::kMixtral) {  // Mistral's attention, no biases; sparse MLPs
    config.moe = parse_moe(obj, label, config.num_hidden_layers, true, config.intermediate_size);
  } else if (config.architecture == Architecture::kExaone4) {
    parse_exaone4(obj, label, config);
  } else if (gpt_oss) {
    parse_gpt_oss(obj, label, window, config);
  } else if (config.architecture == Architecture::kErnie45) {
    // One switch for every linear layer's bias; GLM's RoPE on neighbouring pairs over the whole head.
    config.qkv_bias = config.o_bias = config.mlp_bias = json_bool(obj, "use_bias", label).value_or(false);
    config.rotary_interleaved = true;
  } else if (config.architecture == Architecture::kSeedOss) {
    // q/k/v biases by default, o_proj's under its own switch.
    config.qkv_bias = json_bool(obj, "attention_bias", label).value_or(true);
    config.o_bias = json_bool(obj, "attention_out_bias", label).value_or(false);
    config.mlp_bias = json_bool(obj, "mlp_bias", label).value_or(false);
  } else if (config.architecture == Architecture::kMistral || is_gemma(config.architecture) || is_olmo(config.architecture)) {
    // Llama's layer without its bias options: MistralConfig has none; Gemma's and OLMo's are read with their fields.
  } else {
    const bool attention_bias = json_bool(obj, "attention_bias", label).value_or(false);
    config.qkv_bias = attention_bias;
    config.o_bias = attention_bias;
    config.mlp_bias = json_bool(obj, "mlp_bias", label).value_or(false);
  }

  // transformers 5.x writes "dtype"; a "torch_dtype" beside it is a stale 4.x copy.
  auto dtype_name_field = json_string(obj, "dtype", label);
  const char* dtype_field = "dtype";
  if (!dtype_name_field) {
    dtype_name_field = json_string(obj, "torch_dtype", label);
    dtype_field = "torch_dtype";
  }
  if (dtype_name_field) {
    config.torch_dtype = parse_torch_dtype(*dtype_name_field);
    if (!config.torch_dtype) bad_field(label, dtype_field, "bfloat16, float16 or float32, not '" + *dtype_name_field + "'");
  }
  if (is_gemma(config.architecture)) parse_gemma(obj, label, config);
  if (is_olmo(config.architecture)) parse_olmo(obj, label, config);
  if (config.architecture == Architecture::kGranite) parse_granite_multipliers(obj, label, config);
  config.bos_token_id = json_int(obj, "bos_token_id", label);
  config.eos_token_ids = json_int_or_list(obj, "eos_token_id", label);
  parse_quantization(obj, label, config);
  return config;
}

ModelConfig load_model_config(const std::string& model_dir) {
  const std::string path = (std::filesystem::path(model_dir) / "config.json").string();
  ModelConfig config = parse_model_config(read_config_text(path), path);
  // transformers' generate and vLLM stop on generation_config.json's end tokens, not config.json's;
  // instruct checkpoints often list a second one (<|endoftext|> beside <|im_end|>) only there.
  std::vector<std::int64_t> generation_eos = load_generation_config(model_dir).eos_token_ids;
  const bool eos_from_generation = !generation_eos.empty();
  if (eos_from_generation) config.eos_token_ids = std::move(generation_eos);
  // An end token outside the vocabulary never ends a sample: every one would run to its length limit.
  const std::string vocab_range = "token ids in [0, " + std::to_string(config.vocab_size) + ") (vocab_size)";
  for (const std::int64_t id : config.eos_token_ids)
    if (id < 0 || id >= config.vocab_size)
      bad_field(eos_from_generation ? (std::filesystem::path(model_dir) / "generation_config.json").string() : path,
                "eos_token_id", vocab_range + ", not " + std::to_string(id));
  if (config.bos_token_id && (*config.bos_token_id < 0 || *config.bos_token_id >= config.vocab_size))
    bad_field(path, "bos_token_id", vocab_range + ", not " + std::to_string(*config.bos_token_id));
  return config;
}

}  // namespace r1eval::engine
