// bfloat16 storage shared by the CPU twins and the CUDA kernels: the top half of an IEEE float.
// Bit-compatible with __nv_bfloat16, so device buffers can be passed to either side unchanged.
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/host_device.h"

namespace r1eval::kernels {

struct bf16 {
  std::uint16_t bits;
};

R1EVAL_HOST_DEVICE std::uint32_t float_bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
#endif
}

R1EVAL_HOST_DEVICE float bits_float(std::uint32_t u) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(u);
#else
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
#endif
}

// Exact widening.
R1EVAL_HOST_DEVICE float to_float(bf16 x) { return bits_float(static_cast<std::uint32_t>(x.bits) << 16); }

// Round to nearest, ties to even (as torch and __float2bfloat16_rn do); NaN stays a quiet NaN.
R1EVAL_HOST_DEVICE bf16 to_bf16(float x) {
  const std::uint32_t u = float_bits(x);
  if ((u & 0x7fffffffu) > 0x7f800000u) return bf16{static_cast<std::uint16_t>((u >> 16) | 0x0040u)};
  const std::uint32_t rounded = u + 0x7fffu + ((u >> 16) & 1u);
  return bf16{static_cast<std::uint16_t>(rounded >> 16)};
}

// Two bf16 in one 32-bit word, the first in the low half (as a 16-byte load or a tensor-core operand holds
// them): packed from floats (each rounded as to_bf16), and each half widened.
R1EVAL_HOST_DEVICE std::uint32_t pack_bf16_pair(float low, float high) {
  return static_cast<std::uint32_t>(to_bf16(low).bits) | (static_cast<std::uint32_t>(to_bf16(high).bits) << 16);
}
R1EVAL_HOST_DEVICE float low_bf16(std::uint32_t pair) { return bits_float(pair << 16); }
R1EVAL_HOST_DEVICE float high_bf16(std::uint32_t pair) { return bits_float(pair & 0xffff0000u); }

// Activations are fp32 (CPU engine) or bf16 (CUDA engine); kernels are written once for both.
R1EVAL_HOST_DEVICE float load_as_float(float x) { return x; }
R1EVAL_HOST_DEVICE float load_as_float(bf16 x) { return to_float(x); }
template <typename T>
R1EVAL_HOST_DEVICE T store_from_float(float x);
template <>
R1EVAL_HOST_DEVICE float store_from_float<float>(float x) {
  return x;
}
template <>
R1EVAL_HOST_DEVICE bf16 store_from_float<bf16>(float x) {
  return to_bf16(x);
}

}  // namespace r1eval::kernels
