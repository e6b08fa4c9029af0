#include "kernels/activation.h"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace r1eval::kernels::cpu {

template <typename T>
void gated_activation_mul(const T* gate_up, T* output, int rows, int cols, GateActivation activation, Stream) {
  if (rows < 0) throw std::invalid_argument("gated_activation_mul: rows must be >= 0, got " + std::to_string(rows));
  if (cols <= 0) throw std::invalid_argument("gated_activation_mul: cols must be > 0, got " + std::to_string(cols));
  for (int r = 0; r < rows; ++r) {
    const T* gate = gate_up + static_cast<std::size_t>(r) * 2 * cols;
    const T* up = gate + cols;
    T* out = output + static_cast<std::size_t>(r) * cols;
    for (int c = 0; c < cols; ++c)
      out[c] = store_from_float<T>(gate_activation(load_as_float(gate[c]), activation) * load_as_float(up[c]));
  }
}

template <typename T>
void silu_mul(const T* gate_up, T* output, int rows, int cols, Stream stream) {
  gated_activation_mul(gate_up, output, rows, cols, GateActivation::silu, stream);
}

template void gated_activation_mul<float>(const float*, float*, int, int, GateActivation, Stream);
template void gated_activation_mul<bf16>(const bf16*, bf16*, int, int, GateActivation, Stream);
template void silu_mul<float>(const float*, float*, int, int, Stream);
template void silu_mul<bf16>(const bf16*, bf16*, int, int, Stream);

}  // namespace r1eval::kernels::cpu
