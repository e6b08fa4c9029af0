#include "kernels/norm.h"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace r1eval::kernels::cpu {

template <typename T>
void rmsnorm_residual(const T* input, T* residual, T* output, const bf16* weight, int rows, int dim, float eps,
                      Stream) {
  if (rows < 0) throw std::invalid_argument("rmsnorm_residual: rows must be >= 0, got " + std::to_string(rows));
  if (dim <= 0) throw std::invalid_argument("rmsnorm_residual: dim must be > 0, got " + std::to_string(dim));
  for (int r = 0; r < rows; ++r) {
    const std::size_t base = static_cast<std::size_t>(r) * dim;
    // The summed row is read back from its stored (rounded) form, matching a bf16 residual stream.
    const T* source = input + base;
    if (residual != nullptr) {
      for (int i = 0; i < dim; ++i)
        residual[base + i] = store_from_float<T>(load_as_float(input[base + i]) + load_as_float(residual[base + i]));
      source = residual + base;
    }
    float sum_squares = 0.0f;
    for (int i = 0; i < dim; ++i) {
      const float v = load_as_float(source[i]);
      sum_squares += v * v;
    }
    const float inverse_rms = 1.0f / std::sqrt(sum_squares / static_cast<float>(dim) + eps);
    for (int i = 0; i < dim; ++i)
      output[base + i] = store_from_float<T>(load_as_float(source[i]) * inverse_rms * to_float(weight[i]));
  }
}

template void rmsnorm_residual<float>(const float*, float*, float*, const bf16*, int, int, float, Stream);
template void rmsnorm_residual<bf16>(const bf16*, bf16*, bf16*, const bf16*, int, int, float, Stream);

}  // namespace r1eval::kernels::cpu
