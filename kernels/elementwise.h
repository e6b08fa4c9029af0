// In-place element-wise steps of the Gemma family: the embedding times sqrt(hidden_size), and Gemma 2's soft
// cap of the final logits.
#pragma once
#include <cmath>
#include <cstddef>

#include "kernels/bf16.h"
#include "kernels/host_device.h"

namespace r1eval::kernels {

// cap * tanh(x / cap), in fp32.
R1EVAL_HOST_DEVICE float soft_cap_value(float x, float cap) { return cap * tanhf(x / cap); }

// scale_values: x[i] = x[i] * factor in fp32, rounded once to T (transformers multiplies Gemma's bf16
// embedding by sqrt(hidden_size) rounded to bf16, so the caller passes that rounded factor).
// soft_cap_values: x[i] = soft_cap_value(x[i], cap). Both throw std::invalid_argument for a null x with
// count > 0, a non-finite factor, or a cap that is not finite and positive.
namespace cpu {
template <typename T>
void scale_values(T* x, std::size_t count, float factor, Stream stream = nullptr);
template <typename T>
void soft_cap_values(T* x, std::size_t count, float cap, Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void scale_values(T* x, std::size_t count, float factor, Stream stream = nullptr);
template <typename T>
void soft_cap_values(T* x, std::size_t count, float cap, Stream stream = nullptr);
}  // namespace cuda

// Shared argument checks of twin and launcher.
void validate_elementwise(const char* kernel, const void* x, std::size_t count, float factor, bool positive);

}  // namespace r1eval::kernels
