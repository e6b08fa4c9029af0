// RMSNorm fused with the residual add of a transformer block (Qwen2 / Llama layout); the post-norm of a block
// output joining the stream and the norms of whole q and k projections (OLMo 2 / 3).
#pragma once
#include "kernels/bf16.h"
#include "kernels/host_device.h"

namespace r1eval::kernels {

// For each of `rows` rows of `dim` values:
//   with residual:    residual <- input + residual (rounded to T), output <- rmsnorm(residual) * weight
//   residual == null: output <- rmsnorm(input) * weight
// rmsnorm(x) = x / sqrt(mean(x^2) + eps), computed in fp32 from the stored (rounded) values, so a bf16
// residual stream behaves like PyTorch's bf16 add followed by its fp32 norm. output may alias input.
// Throws std::invalid_argument (one line naming the argument) when rows < 0 or dim <= 0.
namespace cpu {
template <typename T>
void rmsnorm_residual(const T* input, T* residual, T* output, const bf16* weight, int rows, int dim, float eps,
                      Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void rmsnorm_residual(const T* input, T* residual, T* output, const bf16* weight, int rows, int dim, float eps,
                      Stream stream = nullptr);
}  // namespace cuda

// A block output's norm joining the residual stream (OLMo 2 / 3's post_attention_layernorm and
// post_feedforward_layernorm): for each of `rows` rows of `dim` values,
//   residual <- residual + round_T(rmsnorm(input) * weight), the sum rounded to T,
// as PyTorch adds the norm's bf16 output to a bf16 stream. Throws std::invalid_argument as above.
namespace cpu {
template <typename T>
void rmsnorm_add(const T* input, T* residual, const bf16* weight, int rows, int dim, float eps, Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void rmsnorm_add(const T* input, T* residual, const bf16* weight, int rows, int dim, float eps, Stream stream = nullptr);
}  // namespace cuda

// OLMo 2 / 3's norms of each token's whole q and whole k projection, in place in rows of
// [q (q_width) | k (kv_width) | v (kv_width)]: q <- round_T(q / sqrt(S_q / q_total + eps) * q_weight), k
// likewise with k_weight; v is left as it is. S is the sum of squares over the whole projection, in fp32 from
// the stored values. With tensor parallelism a rank holds q_width of the q_total values: `sums` then holds
// each row's [S_q, S_k] summed over the ranks (qk_sum_squares on every rank, then an all-reduce; with key and
// value heads replicated over ranks, totals counted the same way, world_size * kv_width, keep the mean
// right); null sums: the row's own values are the whole projection and the totals default to the widths.
struct ProjectionNorm {
  const bf16* q_weight = nullptr;  // [q_width]: this rank's part of the weight
  const bf16* k_weight = nullptr;  // [kv_width]
  float eps = 1e-6f;
  const float* sums = nullptr;  // [rows][2], or null
  int q_total = 0, kv_total = 0;  // 0: q_width, kv_width
};
// Throws std::invalid_argument (one line naming the argument) when rows < 0, a width <= 0, a weight is null, or
// a total is below its width.
namespace cpu {
template <typename T>
void qk_sum_squares(const T* qkv, int rows, int q_width, int kv_width, float* sums, Stream stream = nullptr);
template <typename T>
void qk_projection_norm(T* qkv, int rows, int q_width, int kv_width, const ProjectionNorm& norm,
                        Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void qk_sum_squares(const T* qkv, int rows, int q_width, int kv_width, float* sums, Stream stream = nullptr);
template <typename T>
void qk_projection_norm(T* qkv, int rows, int q_width, int kv_width, const ProjectionNorm& norm,
                        Stream stream = nullptr);
}  // namespace cuda

// The shape checks both sides of qk_sum_squares / qk_projection_norm make (norm null: the sums' call).
void validate_projection_norm(const char* what, int rows, int q_width, int kv_width, const ProjectionNorm* norm);

}  // namespace r1eval::kernels
