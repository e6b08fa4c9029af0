// Kernel body of the small-batch matrix product (launcher in matmul.cu): y = x W^T (+ bias) for at most
// kGemvMaxRows rows of x, the decode steps of a few sequences. There the product is a pass over the weight,
// so the kernel is built to keep memory busy: a warp per output feature, every lane with
// kGemvChunksInFlight 16-byte weight loads outstanding, and (grid_dependency.cuh) the first of them issued
// before waiting for the kernel that writes x. Device code only and no CUDA headers, so
// tests/kernels/simt_emulator.h can run it on the CPU.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/pointwise_kernels.cuh"
#include "kernels/cuda/reduce.cuh"

namespace r1eval::kernels::cuda_detail {

constexpr int kGemvThreads = 256;
constexpr int kGemvFeaturesPerBlock = kGemvThreads / 32;
constexpr int kGemvChunksInFlight = 8;  // 8 x 16 bytes per lane: a 1536-wide bf16 row needs 6

inline dim3 gemv_grid(int n) {
  return dim3(static_cast<unsigned>((static_cast<long long>(n) + kGemvFeaturesPerBlock - 1) / kGemvFeaturesPerBlock));
}

__device__ __forceinline__ void unpack_bf16x8(const uint4& raw, float (&v)[8]) {
  const unsigned words[4] = {raw.x, raw.y, raw.z, raw.w};
  for (int i = 0; i < 4; ++i) {
    v[2 * i] = bits_float(words[i] << 16);
    v[2 * i + 1] = bits_float(words[i] & 0xffff0000u);
  }
}

// M rows of x ([M][k]) against the weight ([n][k]); k is a multiple of 8, x and weight 16-byte aligned.
// Lane l of the warp for feature j accumulates 16-byte chunks l, l + 32, ... of row j (fp32), the warp sums
// the lanes, and lane i writes y[i][j] = sum + bias[j], rounded once to T.
template <typename T, int M>
__global__ void __launch_bounds__(kGemvThreads)
    gemv_kernel(const bf16* x, const bf16* weight, const bf16* bias, T* y, int n, int k) {
  const int lane = threadIdx.x % 32;
  const int feature = blockIdx.x * kGemvFeaturesPerBlock + threadIdx.x / 32;
  const bool active = feature < n;  // uniform within the warp
  const int chunks = k / 8;
  const uint4* row = reinterpret_cast<const uint4*>(weight) + static_cast<std::size_t>(active ? feature : 0) * chunks;
  uint4 pending[kGemvChunksInFlight] = {};
  // grid_dependency: only weights before the wait. Their first loads are in flight while the kernel
  // that writes x finishes.
  R1EVAL_UNROLL
  for (int u = 0; u < kGemvChunksInFlight; ++u) {
    const int c = lane + 32 * u;
    if (active && c < chunks) pending[u] = row[c];
  }
  wait_for_prior_kernels();
  release_dependents();
  if (!active) return;

  float acc[M];
  for (int i = 0; i < M; ++i) acc[i] = 0.0f;
  for (int first = lane; first < chunks; first += 32 * kGemvChunksInFlight) {
    R1EVAL_UNROLL
    for (int u = 0; u < kGemvChunksInFlight; ++u) {
      const int c = first + 32 * u;
      if (c >= chunks) break;
      float w[8];
      unpack_bf16x8(pending[u], w);
      const int next = c + 32 * kGemvChunksInFlight;
      if (next < chunks) pending[u] = row[next];  // refill the slot before using it: loads stay in flight
      R1EVAL_UNROLL
      for (int i = 0; i < M; ++i) {
        float v[8];
        load_vec<8>(x + static_cast<std::size_t>(i) * k + static_cast<std::size_t>(c) * 8, v);
        for (int e = 0; e < 8; ++e) acc[i] += v[e] * w[e];
      }
    }
  }
  const float b = bias != nullptr ? to_float(bias[feature]) : 0.0f;
  R1EVAL_UNROLL
  for (int i = 0; i < M; ++i) {
    const float total = warp_sum(acc[i]);
    if (lane == i % 32) y[static_cast<std::size_t>(i) * n + feature] = store_from_float<T>(total + b);
  }
}

}  // namespace r1eval::kernels::cuda_detail
