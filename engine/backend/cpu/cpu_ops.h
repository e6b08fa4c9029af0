// fp32 building blocks of the CPU forward pass. Matrices are row-major.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "engine/model/transformer_weights.h"
#include "engine/parallel/communicator.h"

namespace r1eval::engine::cpu {

// out[r] = x[r] / rms(x[r]) * weight for `rows` rows of `dim` floats (out may alias x).
void rms_norm(const float* x, const float* weight, std::int64_t rows, std::int64_t dim, double eps, float* out);
// Rows split over tensor-parallel ranks, normalised in place (OLMo 2/3's norm of each token's whole q or k
// projection): this rank holds `local_dim` values of each of `rows` rows, and their weights.
struct SplitRows {
  float* x;
  const float* weight;
  std::int64_t rows;
  std::int64_t local_dim;
};
// Collective: one all-reduce of the rows' partial sums of squares for all parts. A rank's values may repeat
// another's (key/value heads replicated over more ranks than there are heads); every part is then held by equally
// many ranks, so a row's mean square is its summed squares over local_dim * world_size either way.
void rms_norm_split(std::span<const SplitRows> parts, double eps, Communicator& comm);
// y [rows, out_dim] = x [rows, in_dim] * w^T, w row-major [out_dim, in_dim].
void matmul_transposed(const float* x, std::int64_t rows, const float* w, std::int64_t out_dim, std::int64_t in_dim,
                       float* y);
// out [rows, linear.out] = x [rows, linear.in] * W^T + bias.
void linear_forward(const float* x, std::int64_t rows, const Linear& linear, float* out);
// gate[i] = silu(gate[i]) * up[i] for n elements.
void silu_mul(float* gate, const float* up, std::int64_t n);
// gate[i] = act(gate[i]) * up[i] for n elements, act the model's activation (SiLU, GELU tanh, GELU erf).
void activation_mul(Activation act, float* gate, const float* up, std::int64_t n);
// x[i] = tanh(x[i] / cap) * cap for n elements (Gemma 2's soft cap on logits); cap 0 leaves x as it is.
void soft_cap(float* x, std::int64_t n, float cap);

}  // namespace r1eval::engine::cpu
