#include "engine/backend/cpu/cpu_ops.h"

#include <cblas.h>

#include <cmath>

#include "engine/backend/gate_activation.h"
#include "kernels/activation.h"
#include "kernels/elementwise.h"

namespace r1eval::engine::cpu {

void rms_norm(const float* x, const float* weight, std::int64_t rows, std::int64_t dim, double eps, float* out) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * dim;
    float sum = 0.0f;
    for (std::int64_t i = 0; i < dim; ++i) sum += row[i] * row[i];
    const float inv = 1.0f / std::sqrt(sum / static_cast<float>(dim) + static_cast<float>(eps));
    float* dst = out + r * dim;
    for (std::int64_t i = 0; i < dim; ++i) dst[i] = weight[i] * (row[i] * inv);
  }
}

void rms_norm_split(std::span<const SplitRows> parts, double eps, Communicator& comm) {
  std::size_t total_rows = 0;
  for (const SplitRows& part : parts) total_rows += static_cast<std::size_t>(part.rows);
  std::vector<float> sums(total_rows, 0.0f);
  std::size_t at = 0;
  for (const SplitRows& part : parts) {
    for (std::int64_t r = 0; r < part.rows; ++r, ++at) {
      const float* row = part.x + r * part.local_dim;
      for (std::int64_t i = 0; i < part.local_dim; ++i) sums[at] += row[i] * row[i];
    }
  }
  comm.all_reduce_sum(sums);
  at = 0;
  for (const SplitRows& part : parts) {
    const auto held = static_cast<float>(part.local_dim * comm.world_size());
    for (std::int64_t r = 0; r < part.rows; ++r, ++at) {
      const float inv = 1.0f / std::sqrt(sums[at] / held + static_cast<float>(eps));
      float* row = part.x + r * part.local_dim;
      for (std::int64_t i = 0; i < part.local_dim; ++i) row[i] = part.weight[i] * (row[i] * inv);
    }
  }
}

void matmul_transposed(const float* x, std::int64_t rows, const float* w, std::int64_t out_dim, std::int64_t in_dim,
                       float* y) {
  if (rows == 0 || out_dim == 0) return;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<blasint>(rows), static_cast<blasint>(out_dim),
              static_cast<blasint>(in_dim), 1.0f, x, static_cast<blasint>(in_dim), w, static_cast<blasint>(in_dim), 0.0f,
              y, static_cast<blasint>(out_dim));
}

void linear_forward(const float* x, std::int64_t rows, const Linear& linear, float* out) {
  matmul_transposed(x, rows, linear.weight.data(), linear.out, linear.in, out);
  if (!linear.bias.empty()) {
    for (std::int64_t r = 0; r < rows; ++r) {
      float* row = out + r * linear.out;
      for (std::int64_t i = 0; i < linear.out; ++i) row[i] += linear.bias[static_cast<std::size_t>(i)];
    }
  }
}

void silu_mul(float* gate, const float* up, std::int64_t n) { activation_mul(Activation::kSilu, gate, up, n); }

// The formulas are the kernels' (kernels/activation.h, elementwise.h), so both backends compute them alike.
void activation_mul(Activation act, float* gate, const float* up, std::int64_t n) {
  const kernels::GateActivation activation = gate_activation_of(act);
  for (std::int64_t i = 0; i < n; ++i) gate[i] = kernels::gate_activation(gate[i], activation) * up[i];
}

void soft_cap(float* x, std::int64_t n, float cap) {
  if (cap <= 0) return;
  for (std::int64_t i = 0; i < n; ++i) x[i] = kernels::soft_cap_value(x[i], cap);
}

}  // namespace r1eval::engine::cpu
