// The gated MLP activations: act(gate) * up with act SiLU (Qwen2, Llama), GELU's tanh approximation (Gemma's
// gelu_pytorch_tanh) or exact GELU (erf: the "gelu" of Gemma 1 configs).
#pragma once
#include <cmath>

#include "kernels/bf16.h"
#include "kernels/host_device.h"

namespace r1eval::kernels {

enum class GateActivation { silu, gelu_tanh, gelu };

// act(g) in fp32, as PyTorch's silu, gelu(approximate="tanh") and gelu compute it.
R1EVAL_HOST_DEVICE float gate_activation(float g, GateActivation activation) {
  switch (activation) {
    case GateActivation::gelu_tanh:
      return 0.5f * g * (1.0f + tanhf(0.7978845608028654f * (g + 0.044715f * g * g * g)));
    case GateActivation::gelu:
      return 0.5f * g * (1.0f + erff(g * 0.7071067811865476f));
    default:
      return g / (1.0f + expf(-g));
  }
}

// gate_up holds `rows` rows of [gate (cols values) | up (cols values)], the output of the merged
// gate/up projection; output[r][c] = act(gate[r][c]) * up[r][c] in fp32, rounded once to T. silu_mul is
// gated_activation_mul with GateActivation::silu. Throws std::invalid_argument when rows < 0 or cols <= 0.
namespace cpu {
template <typename T>
void gated_activation_mul(const T* gate_up, T* output, int rows, int cols, GateActivation activation,
                          Stream stream = nullptr);
template <typename T>
void silu_mul(const T* gate_up, T* output, int rows, int cols, Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void gated_activation_mul(const T* gate_up, T* output, int rows, int cols, GateActivation activation,
                          Stream stream = nullptr);
template <typename T>
void silu_mul(const T* gate_up, T* output, int rows, int cols, Stream stream = nullptr);
}  // namespace cuda

}  // namespace r1eval::kernels
