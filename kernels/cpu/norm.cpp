#include "kernels/norm.h"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace r1eval::kernels::cpu {

namespace {

void check_rows(const char* what, int rows, int dim) {
  if (rows < 0) throw std::invalid_argument(std::string(what) + ": rows must be >= 0, got " + std::to_string(rows));
  if (dim <= 0) throw std::invalid_argument(std::string(what) + ": dim must be > 0, got " + std::to_string(dim));
}

template <typename T>
float sum_of_squares(const T* x, int n) {
  float sum = 0.0f;
  for (int i = 0; i < n; ++i) {
    const float v = load_as_float(x[i]);
    sum += v * v;
  }
  return sum;
}

// x <- round_T(x / sqrt(sum / total + eps) * weight), n values.
template <typename T>
void scale_by_norm(T* x, int n, float sum, int total, const bf16* weight, float eps) {
  const float inverse_rms = 1.0f / std::sqrt(sum / static_cast<float>(total) + eps);
  for (int i = 0; i < n; ++i) x[i] = store_from_float<T>(load_as_float(x[i]) * inverse_rms * to_float(weight[i]));
}

}  // namespace

template <typename T>
void rmsnorm_residual(const T* input, T* residual, T* output, const bf16* weight, int rows, int dim, float eps,
                      Stream) {
  check_rows("rmsnorm_residual", rows, dim);
  for (int r = 0; r < rows; ++r) {
    const std::size_t base = static_cast<std::size_t>(r) * dim;
    // The summed row is read back from its stored (rounded) form, matching a bf16 residual stream.
    const T* source = input + base;
    if (residual != nullptr) {
      for (int i = 0; i < dim; ++i)
        residual[base + i] = store_from_float<T>(load_as_float(input[base + i]) + load_as_float(residual[base + i]));
      source = residual + base;
    }
    const float inverse_rms = 1.0f / std::sqrt(sum_of_squares(source, dim) / static_cast<float>(dim) + eps);
    for (int i = 0; i < dim; ++i)
      output[base + i] = store_from_float<T>(load_as_float(source[i]) * inverse_rms * to_float(weight[i]));
  }
}

template <typename T>
void rmsnorm_add(const T* input, T* residual, const bf16* weight, int rows, int dim, float eps, Stream) {
  check_rows("rmsnorm_add", rows, dim);
  for (int r = 0; r < rows; ++r) {
    const std::size_t base = static_cast<std::size_t>(r) * dim;
    const float inverse_rms = 1.0f / std::sqrt(sum_of_squares(input + base, dim) / static_cast<float>(dim) + eps);
    for (int i = 0; i < dim; ++i) {
      const T normed = store_from_float<T>(load_as_float(input[base + i]) * inverse_rms * to_float(weight[i]));
      residual[base + i] = store_from_float<T>(load_as_float(residual[base + i]) + load_as_float(normed));
    }
  }
}

template <typename T>
void qk_sum_squares(const T* qkv, int rows, int q_width, int kv_width, float* sums, Stream) {
  validate_projection_norm("qk_sum_squares", rows, q_width, kv_width, nullptr);
  const std::size_t stride = static_cast<std::size_t>(q_width) + 2 * static_cast<std::size_t>(kv_width);
  for (int r = 0; r < rows; ++r) {
    const T* row = qkv + static_cast<std::size_t>(r) * stride;
    sums[2 * r] = sum_of_squares(row, q_width);
    sums[2 * r + 1] = sum_of_squares(row + q_width, kv_width);
  }
}

template <typename T>
void qk_projection_norm(T* qkv, int rows, int q_width, int kv_width, const ProjectionNorm& norm, Stream) {
  validate_projection_norm("qk_projection_norm", rows, q_width, kv_width, &norm);
  const std::size_t stride = static_cast<std::size_t>(q_width) + 2 * static_cast<std::size_t>(kv_width);
  const int q_total = norm.q_total > 0 ? norm.q_total : q_width, kv_total = norm.kv_total > 0 ? norm.kv_total : kv_width;
  for (int r = 0; r < rows; ++r) {
    T* row = qkv + static_cast<std::size_t>(r) * stride;
    const float q_sum = norm.sums != nullptr ? norm.sums[2 * r] : sum_of_squares(row, q_width);
    const float k_sum = norm.sums != nullptr ? norm.sums[2 * r + 1] : sum_of_squares(row + q_width, kv_width);
    scale_by_norm(row, q_width, q_sum, q_total, norm.q_weight, norm.eps);
    scale_by_norm(row + q_width, kv_width, k_sum, kv_total, norm.k_weight, norm.eps);
  }
}

template void rmsnorm_add<float>(const float*, float*, const bf16*, int, int, float, Stream);
template void rmsnorm_add<bf16>(const bf16*, bf16*, const bf16*, int, int, float, Stream);
template void qk_sum_squares<float>(const float*, int, int, int, float*, Stream);
template void qk_sum_squares<bf16>(const bf16*, int, int, int, float*, Stream);
template void qk_projection_norm<float>(float*, int, int, int, const ProjectionNorm&, Stream);
template void qk_projection_norm<bf16>(bf16*, int, int, int, const ProjectionNorm&, Stream);
template void rmsnorm_residual<float>(const float*, float*, float*, const bf16*, int, int, float, Stream);
template void rmsnorm_residual<bf16>(const bf16*, bf16*, bf16*, const bf16*, int, int, float, Stream);

}  // namespace r1eval::kernels::cpu
