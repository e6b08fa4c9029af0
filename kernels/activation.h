// The gated MLP activation of Qwen2 / Llama: SiLU(gate) * up.
#pragma once
#include "kernels/bf16.h"
#include "kernels/host_device.h"

namespace r1eval::kernels {

// gate_up holds `rows` rows of [gate (cols values) | up (cols values)], the output of the merged
// gate/up projection; output[r][c] = silu(gate[r][c]) * up[r][c] in fp32, rounded once to T.
// Throws std::invalid_argument when rows < 0 or cols <= 0.
namespace cpu {
template <typename T>
void silu_mul(const T* gate_up, T* output, int rows, int cols, Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void silu_mul(const T* gate_up, T* output, int rows, int cols, Stream stream = nullptr);
}  // namespace cuda

}  // namespace r1eval::kernels
