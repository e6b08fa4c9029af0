// Rotary position embedding (rotate-half layout of Qwen2, Llama and Qwen3) fused with the paged KV-cache write,
// optionally after Qwen3's per-head RMSNorm of q and k.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/bf16.h"
#include "kernels/host_device.h"
#include "kernels/kv_cache.h"

namespace r1eval::kernels {

// config.json's rope_theta and rope_scaling: none (Qwen2 distills), "linear" (every frequency divided
// by factor) or "llama3" (Llama 3.x checkpoints: wavelength-dependent, with the fields below).
struct RopeConfig {
  enum class Scaling { kNone, kLinear, kLlama3 };
  float theta = 10000.0f;
  Scaling scaling = Scaling::kNone;
  float factor = 8.0f;
  float low_freq_factor = 1.0f;
  float high_freq_factor = 4.0f;
  int original_max_position = 8192;
};

// The head_dim / 2 inverse frequencies the rotation uses, in fp32 as transformers computes them
// (theta^(-2i/d), then the scaling). Throws std::invalid_argument naming the field for an odd or
// non-positive head_dim, theta <= 0, factor <= 0 when scaling, or llama3 parameters with
// high_freq_factor <= low_freq_factor or a non-positive original context.
std::vector<float> rope_inverse_frequencies(const RopeConfig& config, int head_dim);

// The rotation of one q or k head of head_dim values at a position: the first 2 * pairs dimensions turn,
// i with i + pairs, by position * inv_freq[i] (pairs fp32 entries, rope_inverse_frequencies) and are
// multiplied by scale (YaRN's and LongRoPE's attention factor, which transformers puts on cos and sin);
// the dimensions from 2 * pairs on pass unchanged (Phi-4-mini's partial rotary factor); pairs 0 turns nothing
// (SmolLM3's NoPE layers). Kernels throw std::invalid_argument unless 0 <= pairs <= head_dim / 2 and inv_freq is
// set when pairs > 0.
struct Rotary {
  const float* inv_freq = nullptr;
  int pairs = 0;
  float scale = 1.0f;
};
// Throws std::invalid_argument starting with `what` when `rotary` does not fit heads of head_dim values.
void validate_rotary(const char* what, const Rotary& rotary, int head_dim);

// The two dimensions pair index p (of head_dim / 2) combines: (p, p + pairs) for a rotated pair, else the
// pass-through dimensions split in two halves the same way, so every dimension is in one pair.
R1EVAL_HOST_DEVICE void rotary_pair_dims(int p, int half, int pairs, int& first, int& second) {
  first = p < pairs ? p : pairs + p;
  second = p < pairs ? p + pairs : first + (half - pairs);
}

// qkv: num_tokens rows of [q (num_q_heads x head_dim) | k (num_kv_heads x head_dim) | v (same)].
// For each token t at positions[t]: rotates q and k in place as `rotary` says, computed in fp32; then, when
// slot_mapping[t] >= 0, stores the rotated k and the v of every kv head at that slot of the cache (rounded
// to bf16). Negative slots (padding) are skipped. The cache gives head_dim and num_kv_heads. The CPU twin
// throws std::out_of_range naming the token when a slot is past the pool.
//
// qk_norm_rope_write_kv: the same after Qwen3's per-head norm: every head of q and of k is first scaled by
// 1 / sqrt(mean of its head_dim squares + norm.eps) and by the norm's weight at each index (q_weight for q
// heads, k_weight for k heads; head_dim bf16 each, shared by all heads), in fp32, and rotated without a
// rounding in between. v is stored as it stands. Throws std::invalid_argument also for a null weight and
// (CUDA) for more than kMaxNormedHeads q and k heads per token.
struct HeadNorm {
  const bf16* q_weight = nullptr;
  const bf16* k_weight = nullptr;
  float eps = 1e-6f;
};
constexpr int kMaxNormedHeads = 512;

namespace cpu {
template <typename T>
void qk_norm_rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const HeadNorm& norm,
                           const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                           const KvCacheView& cache, Stream stream = nullptr);
template <typename T>
void rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const std::int32_t* positions,
                   const std::int64_t* slot_mapping, const Rotary& rotary, const KvCacheView& cache,
                   Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void qk_norm_rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const HeadNorm& norm,
                           const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                           const KvCacheView& cache, Stream stream = nullptr);
template <typename T>
void rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const std::int32_t* positions,
                   const std::int64_t* slot_mapping, const Rotary& rotary, const KvCacheView& cache,
                   Stream stream = nullptr);
}  // namespace cuda

}  // namespace r1eval::kernels
