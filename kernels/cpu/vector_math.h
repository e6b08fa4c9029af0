// Inner loops of the CPU twins, written with eight independent partial sums so the compiler can keep
// them in SIMD registers without reassociating (no -ffast-math). Internal to kernels/cpu.
#pragma once
#include <cstddef>

#include "kernels/bf16.h"

namespace r1eval::kernels::cpu_detail {

inline constexpr int kLanes = 8;

inline float sum_lanes(const float (&partial)[kLanes]) {
  return ((partial[0] + partial[1]) + (partial[2] + partial[3])) + ((partial[4] + partial[5]) + (partial[6] + partial[7]));
}

// sum a[i] * b[i]
inline float dot(const float* a, const float* b, int n) {
  float partial[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) partial[l] += a[i + l] * b[i + l];
  float total = sum_lanes(partial);
  for (; i < n; ++i) total += a[i] * b[i];
  return total;
}

// sum a[i] * widen(b[i])
inline float dot(const float* a, const bf16* b, int n) {
  float partial[kLanes] = {};
  int i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) partial[l] += a[i + l] * to_float(b[i + l]);
  float total = sum_lanes(partial);
  for (; i < n; ++i) total += a[i] * to_float(b[i]);
  return total;
}

// out[i] = widen(in[i])
inline void widen(const bf16* in, float* out, int n) {
  for (int i = 0; i < n; ++i) out[i] = to_float(in[i]);
}

// y[i] += a * x[i]
inline void axpy(float a, const float* x, float* y, int n) {
  for (int i = 0; i < n; ++i) y[i] += a * x[i];
}

}  // namespace r1eval::kernels::cpu_detail
