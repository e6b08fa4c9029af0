// The two projections of a decoder layer whose outputs go straight into a pointwise kernel, each as one
// call: the merged q/k/v projection followed by RoPE and the KV-cache write, and the merged gate/up
// projection followed by SiLU * up. For decode steps of up to cuda::kGemvMaxRows rows the CUDA version runs
// them as one kernel (a warp computes the two weight rows a pointwise step combines, and applies it to
// their sums); otherwise, and always on the CPU, it is exactly the matmul followed by the pointwise kernel.
#pragma once
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/host_device.h"
#include "kernels/kv_cache.h"
#include "kernels/rope.h"

namespace r1eval::kernels {

// qkv = x W^T (+ bias) ([m][(num_q_heads + 2 kv_heads) head_dim], matmul), then rope_write_kv(qkv, m,
// num_q_heads, positions, slot_mapping, rotary, cache): on return qkv holds the rotated q and k and the
// v, and the cache the rotated k and the v at each token's slot. Arguments and errors as matmul and
// rope_write_kv.
//
// gate_up = x W^T (+ bias) ([m][2 inter], the merged [gate | up] projection) and out = silu(gate) * up
// ([m][inter]), as matmul then silu_mul. gate_up is scratch: the fused CUDA path leaves it unwritten.
//
// The same two with the layer's RMSNorm in front: x = rmsnorm(input) (rmsnorm_residual without a residual:
// input is the residual stream, [m][k] bf16, norm_weight its k weights), written to `normed` ([m][k],
// scratch: the fused CUDA path normalizes inside the kernel and leaves it unwritten), then the projection.
//
// matmul_add_residual: residual += x W^T (+ bias), [m][n]: the sum, the bias and the old residual added in
// fp32 and rounded once to T. The residual stream's update after the attention output and MLP down
// projections, so the norm after them needs no add (and no second pass over the rows).
namespace cpu {
template <typename T>
void matmul_rope_write_kv(const bf16* x, const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                          const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                          const KvCacheView& cache, Stream stream = nullptr);
template <typename T>
void matmul_silu_mul(const bf16* x, const bf16* weight, const bf16* bias, T* gate_up, T* out, int m, int inter, int k,
                     Stream stream = nullptr);
template <typename T>
void rmsnorm_matmul_rope_write_kv(const bf16* input, const bf16* norm_weight, float eps, bf16* normed,
                                  const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                                  const std::int32_t* positions, const std::int64_t* slot_mapping,
                                  const Rotary& rotary, const KvCacheView& cache, Stream stream = nullptr);
template <typename T>
void rmsnorm_matmul_silu_mul(const bf16* input, const bf16* norm_weight, float eps, bf16* normed, const bf16* weight,
                             const bf16* bias, T* gate_up, T* out, int m, int inter, int k, Stream stream = nullptr);
template <typename T>
void matmul_add_residual(const bf16* x, const bf16* weight, const bf16* bias, T* residual, int m, int n, int k,
                         Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void matmul_rope_write_kv(const bf16* x, const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                          const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                          const KvCacheView& cache, Stream stream = nullptr);
template <typename T>
void matmul_silu_mul(const bf16* x, const bf16* weight, const bf16* bias, T* gate_up, T* out, int m, int inter, int k,
                     Stream stream = nullptr);
template <typename T>
void rmsnorm_matmul_rope_write_kv(const bf16* input, const bf16* norm_weight, float eps, bf16* normed,
                                  const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                                  const std::int32_t* positions, const std::int64_t* slot_mapping,
                                  const Rotary& rotary, const KvCacheView& cache, Stream stream = nullptr);
template <typename T>
void rmsnorm_matmul_silu_mul(const bf16* input, const bf16* norm_weight, float eps, bf16* normed, const bf16* weight,
                             const bf16* bias, T* gate_up, T* out, int m, int inter, int k, Stream stream = nullptr);
template <typename T>
void matmul_add_residual(const bf16* x, const bf16* weight, const bf16* bias, T* residual, int m, int n, int k,
                         Stream stream = nullptr);
}  // namespace cuda

}  // namespace r1eval::kernels
