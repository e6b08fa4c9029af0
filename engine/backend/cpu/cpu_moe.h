// The mixture-of-experts block (Qwen3-MoE) of one tensor-parallel rank on the CPU, in fp32.
#pragma once
#include <cstdint>

#include "engine/model/model_config.h"
#include "engine/model/transformer_weights.h"

namespace r1eval::engine::cpu {

// out [tokens, hidden] = for each token, the sum over its moe.experts_per_token experts of highest router
// softmax probability (exact ties to the lower index, a fixed choice where torch.topk's is unspecified) of
// probability x expert(x), the probabilities renormalised
// over the chosen experts when moe.norm_topk_prob. Each expert is SwiGLU over this rank's slice of its
// intermediate size, so with tensor parallelism `out` is this rank's partial sum. gpt-oss's experts add the
// router's and their linears' biases and clamp the SwiGLU (MoeConfig::swiglu_limit, as kernels::expert_activation).
void moe_forward(const float* x, std::int64_t tokens, const LayerWeights& layer, const MoeConfig& moe, float* out);

}  // namespace r1eval::engine::cpu
