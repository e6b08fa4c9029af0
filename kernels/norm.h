// RMSNorm fused with the residual add of a transformer block (Qwen2 / Llama layout).
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

}  // namespace r1eval::kernels
