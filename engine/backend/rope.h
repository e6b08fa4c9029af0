// Rotary position embedding as Hugging Face computes it (rotate-half layout), with optional scaling.
#pragma once
#include <vector>

#include "engine/model/model_config.h"

namespace r1eval::engine {

// The rotated_dims() / 2 inverse frequencies of `config` (rope_theta, rope_scaling, partial rotary factor),
// computed in fp32 in the same order of operations as transformers, so angles agree to the last bit or so.
std::vector<float> rope_inverse_frequencies(const ModelConfig& config);

// The factor on q . k before the softmax: 1 / sqrt(head_dim), Gemma 2/3's query_pre_attn_scalar^-1/2 or Granite's
// attention_multiplier (a RoPE
// attention factor is on q and k).
float attention_logit_scale(const ModelConfig& config);

// The config a layer's rotary embedding follows: `config` itself, or for Gemma 3's sliding layers one with
// their own theta and scaling (ModelConfig::sliding_rope).
ModelConfig layer_rope_config(const ModelConfig& config, std::int64_t layer);

// The factor transformers puts on cos and sin, so on every rotated element of q and k: YaRN's and
// LongRoPE's attention factor, else 1.
float rotary_scale(const ModelConfig& config);

// Rotates each of `heads` vectors of `head_dim` floats at `x` by `position`: with P = inv_freq.size(),
// element i < P pairs with i + P, and both are multiplied by `scale`; elements from 2P on are kept.
void apply_rope(float* x, int heads, int head_dim, int position, const std::vector<float>& inv_freq, float scale);

}  // namespace r1eval::engine
