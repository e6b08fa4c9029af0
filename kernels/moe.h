// The mixture-of-experts block of Qwen3-MoE (softmax routing over every expert, the top k kept and optionally
// renormalised, SwiGLU experts) over the n tokens of a batch, in five steps:
//   moe_route    router logits (fp32 [n][experts]) -> each token's k experts, highest logit first (exact ties to
//                the lower id), and their weights: the softmax probability over all experts in fp32, divided by
//                the k chosen ones' sum when renormalising (Qwen3-MoE's norm_topk_prob);
//   moe_group    the n * k (token, slot) pairs, pair p = token * k + slot, grouped by expert: offsets [experts + 1]
//                and the pairs of expert e at grouped[offsets[e] .. offsets[e + 1]), in increasing p; `active`
//                [experts] lists the experts that have pairs, in increasing id, then -1 (the expert products run a
//                block row per entry of min(pairs, experts), not per expert: one token's step touches k experts);
//   moe_gate_up  act[p] = silu(G_e x[p / k]) * (U_e x[p / k]) in fp32, rounded once to T, for each pair of expert e
//                (gate_up[e] holds G_e's `inter` rows, then U_e's, each of `hidden` values), or the ExpertForm's
//                biased, clamped form of it (gpt-oss);
//   moe_down     expert_out[p] = D_e act[p] (+ the ExpertForm's bias of e), rounded to T (down[e]: `hidden` rows of
//                `inter` values);
//   moe_combine  out[t] = the sum over slots j, in slot order, of weight[t][j] * expert_out[t * k + j], in fp32,
//                rounded once to T.
// With tensor parallelism each rank holds every expert's slice of `inter` (as the dense MLP is split), so `out`
// is the rank's partial sum. Expert weights are bf16, [experts][rows][cols] in one array each.
// Shapes are checked first (std::invalid_argument, one line naming the argument); the CUDA kernels take at most
// kMoeMaxExperts experts and kMoeMaxTopK slots. Expert ids outside [0, experts) (unchecked on the device) are
// never produced by moe_route.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/host_device.h"

namespace r1eval::kernels {

constexpr int kMoeMaxExperts = 1024;
constexpr int kMoeMaxTopK = 32;

// Routing order: a larger logit first, then the lower id; NaN last. A total order, so a warp's argmax and a
// scan pick the same expert.
R1EVAL_HOST_DEVICE bool moe_route_before(float logit, int id, float other_logit, int other_id) {
  const bool nan = logit != logit, other_nan = other_logit != other_logit;
  if (nan != other_nan) return other_nan;
  if (!nan && logit != other_logit) return logit > other_logit;
  return id < other_id;
}

// gpt-oss's released expert weights kept in MXFP4 instead of bf16: a matrix of K-value rows (the rows of the bf16
// layout, in its order) as K / 2 bytes a row, two E2M1 codes a byte (the low nibble first), and K / 32 scale bytes a
// row, the power of two of each 32-value group biased by 127 (OCP MX; transformers' convert_moe_packed_tensors
// dequantizes the same). K must be a multiple of 32. Every value is exact in bf16, so a product over them equals the
// product over the dequantized bf16 matrix up to summation order.
struct Mxfp4Weights {
  const std::uint8_t* blocks = nullptr;  // null: the bf16 weights are read
  const std::uint8_t* scales = nullptr;
};

// An E2M1 code (sign, two exponent bits, one mantissa bit): 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives.
R1EVAL_HOST_DEVICE float e2m1_value(unsigned code) {
  const unsigned exponent = (code >> 1) & 3u, mantissa = code & 1u;
  const float magnitude = exponent == 0 ? 0.5f * static_cast<float>(mantissa)
                                        : (1.0f + 0.5f * static_cast<float>(mantissa)) * static_cast<float>(1u << (exponent - 1));
  return (code & 8u) != 0 ? -magnitude : magnitude;
}
// 2^(scale - 127): 2^-127 (a subnormal) for 0, infinity for 255, as ldexp(1, scale - 127) gives them.
R1EVAL_HOST_DEVICE float mxfp4_scale(std::uint8_t scale) {
  return scale == 0 ? bits_float(0x00400000u) : bits_float(static_cast<std::uint32_t>(scale) << 23);
}
// Value k of row `row` of an MXFP4 matrix of K-value rows.
R1EVAL_HOST_DEVICE float mxfp4_value(const Mxfp4Weights& w, std::size_t row, int k, int K) {
  const std::uint8_t byte = w.blocks[row * static_cast<std::size_t>(K / 2) + static_cast<std::size_t>(k / 2)];
  return e2m1_value((k & 1) != 0 ? byte >> 4 : byte & 0x0fu) *
         mxfp4_scale(w.scales[row * static_cast<std::size_t>(K / 32) + static_cast<std::size_t>(k / 32)]);
}

// The experts' form; the defaults are Qwen3-MoE's and Mixtral's (no biases, SwiGLU). gpt-oss adds a bias after
// each product and clamps its SwiGLU: with g and u the biased gate and up values,
// act = min(g, limit) * sigmoid(alpha * min(g, limit)) * (clamp(u, -limit, limit) + 1), as transformers' GptOssExperts.
// Biases are bf16 in the weights' memory; with tensor parallelism each rank passes its slice of the gate/up bias and
// one rank alone the down bias (the ranks' outputs are summed).
struct ExpertForm {
  const bf16* gate_up_bias = nullptr;  // [experts][2 * inter]: gate's inter values, then up's
  const bf16* down_bias = nullptr;     // [experts][hidden]
  float swiglu_limit = 0.0f;           // > 0: the clamped SwiGLU above; 0: silu(g) * u
  float swiglu_alpha = 1.0f;
  // The expert matrices in MXFP4 (gpt-oss as released): when set, read instead of the bf16 gate_up / down arrays
  // (which may then be null); the same rows, [experts][2 * inter] of `hidden` values and [experts][hidden] of `inter`.
  Mxfp4Weights gate_up_mxfp4, down_mxfp4;
};

R1EVAL_HOST_DEVICE float expert_activation(float gate, float up, const ExpertForm& form) {
  if (form.swiglu_limit > 0.0f) {
    gate = fminf(gate, form.swiglu_limit);
    up = fminf(fmaxf(up, -form.swiglu_limit), form.swiglu_limit);
    return gate / (1.0f + expf(-form.swiglu_alpha * gate)) * (up + 1.0f);
  }
  return gate / (1.0f + expf(-gate)) * up;
}

// Bias `index` of `bias`, 0 without one.
R1EVAL_HOST_DEVICE float expert_bias(const bf16* bias, std::size_t index) {
  return bias != nullptr ? to_float(bias[index]) : 0.0f;
}

// Throw std::invalid_argument starting with `what` unless rows >= 0, 0 < top_k <= experts, experts <=
// kMoeMaxExperts and top_k <= kMoeMaxTopK; and, for the expert products, hidden and inter > 0.
void validate_moe_routing(const char* what, int rows, int experts, int top_k);
void validate_moe_experts(const char* what, int hidden, int inter, int experts, int top_k);
// Throws std::invalid_argument starting with `what` when MXFP4 weights are given with a reduced width `k_dim` that is
// not a multiple of 32, or without their scales.
void validate_moe_mxfp4(const char* what, const Mxfp4Weights& weights, int k_dim);
// moe_combine's: rows >= 0, 0 < top_k <= kMoeMaxTopK, hidden > 0.
void validate_moe_combine(int rows, int top_k, int hidden);

namespace cpu {
void moe_route(const float* logits, int rows, int experts, int top_k, bool renormalize, std::int32_t* expert_ids,
               float* weights, Stream stream = nullptr);
void moe_group(const std::int32_t* expert_ids, int pairs, int experts, std::int32_t* offsets, std::int32_t* grouped,
               std::int32_t* active, Stream stream = nullptr);
template <typename T>
void moe_gate_up(const T* x, int hidden, const bf16* gate_up, int inter, int experts, int top_k,
                 const std::int32_t* offsets, const std::int32_t* grouped, const std::int32_t* active, int pairs, T* act,
                 const ExpertForm& form = {}, Stream stream = nullptr);
template <typename T>
void moe_down(const T* act, int inter, const bf16* down, int hidden, int experts, const std::int32_t* offsets,
              const std::int32_t* grouped, const std::int32_t* active, int pairs, T* expert_out,
              const ExpertForm& form = {}, Stream stream = nullptr);
template <typename T>
void moe_combine(const T* expert_out, const float* weights, int rows, int top_k, int hidden, T* out,
                 Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
void moe_route(const float* logits, int rows, int experts, int top_k, bool renormalize, std::int32_t* expert_ids,
               float* weights, Stream stream = nullptr);
void moe_group(const std::int32_t* expert_ids, int pairs, int experts, std::int32_t* offsets, std::int32_t* grouped,
               std::int32_t* active, Stream stream = nullptr);
template <typename T>
void moe_gate_up(const T* x, int hidden, const bf16* gate_up, int inter, int experts, int top_k,
                 const std::int32_t* offsets, const std::int32_t* grouped, const std::int32_t* active, int pairs, T* act,
                 const ExpertForm& form = {}, Stream stream = nullptr);
template <typename T>
void moe_down(const T* act, int inter, const bf16* down, int hidden, int experts, const std::int32_t* offsets,
              const std::int32_t* grouped, const std::int32_t* active, int pairs, T* expert_out,
              const ExpertForm& form = {}, Stream stream = nullptr);
template <typename T>
void moe_combine(const T* expert_out, const float* weights, int rows, int top_k, int hidden, T* out,
                 Stream stream = nullptr);
// The kernels moe_gate_up and moe_down run. cuda_cores: a warp per output feature and pair (fp32, any T; the
// weight row is read once and served from cache for the expert's further pairs). tensor_cores: a grouped bf16
// mma product, 64 pairs of one expert by 64 features a block (bf16 activations only, the reduced width
// (hidden for gate/up, inter for down) a multiple of 16, rows 4-byte aligned). automatic: tensor cores where
// they apply and the batch has at least kMoeTensorCorePairsPerExpert pairs an expert on average (pairs >= that
// times experts), unless R1EVAL_TENSOR_CORE_MOE=0 in the environment.
enum class ExpertKernel { automatic, cuda_cores, tensor_cores };
inline constexpr int kMoeTensorCorePairsPerExpert = 4;
// moe_gate_up / moe_down with the kernel chosen by the caller (tests and benchmarks compare them); throw
// std::invalid_argument when tensor_cores cannot run these arguments.
template <typename T>
void moe_gate_up_with(const T* x, int hidden, const bf16* gate_up, int inter, int experts, int top_k,
                      const std::int32_t* offsets, const std::int32_t* grouped, const std::int32_t* active, int pairs,
                      T* act, ExpertKernel kernel, const ExpertForm& form = {}, Stream stream = nullptr);
template <typename T>
void moe_down_with(const T* act, int inter, const bf16* down, int hidden, int experts, const std::int32_t* offsets,
                   const std::int32_t* grouped, const std::int32_t* active, int pairs, T* expert_out,
                   ExpertKernel kernel, const ExpertForm& form = {}, Stream stream = nullptr);
}  // namespace cuda

}  // namespace r1eval::kernels
