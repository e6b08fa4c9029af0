// Rotary position embedding as Hugging Face computes it (rotate-half layout), with optional scaling.
#pragma once
#include <vector>

#include "engine/model/model_config.h"

namespace r1eval::engine {

// The head_dim / 2 inverse frequencies of `config` (rope_theta, rope_scaling), computed in fp32 in the
// same order of operations as transformers, so angles agree to the last bit or so.
std::vector<float> rope_inverse_frequencies(const ModelConfig& config);

// The factor on q . k before the softmax: 1 / sqrt(head_dim), times the square of YaRN's attention
// factor (transformers multiplies cos and sin by it, so rotated q and k each carry it once).
float attention_logit_scale(const ModelConfig& config);

// Rotates each of `heads` vectors of `head_dim` floats at `x` by `position`: element i pairs with
// element i + head_dim / 2.
void apply_rope(float* x, int heads, int head_dim, int position, const std::vector<float>& inv_freq);

}  // namespace r1eval::engine
