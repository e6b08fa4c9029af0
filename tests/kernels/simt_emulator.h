// A small SIMT emulator that runs the bodies of the CUDA kernels (kernels/cuda/*_kernels.cuh) on CPU
// threads, so their indexing, synchronization and reductions are checked against the CPU twins in
// every build, GPU or not. One OS thread per CUDA thread of a block; blocks run one after another,
// which lets __shared__ variables be plain statics. __syncthreads is a block-wide barrier and the warp
// shuffles and ballots exchange values through a per-warp slot array between two warp barriers, so they are exact
// for converged warps (the kernels only shuffle in warp-uniform control flow). Include this header
// before any *_kernels.cuh.
#pragma once
#include <algorithm>
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "kernels/bf16.h"

#if defined(__CUDACC__)
#error "simt_emulator.h is for host compilers; nvcc builds the real kernels"
#endif

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(...)

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
  dim3() = default;
  dim3(unsigned x_, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct uint2 {
  unsigned x, y;
};
struct uint4 {
  unsigned x, y, z, w;
};

namespace simt {

struct Warp {
  std::barrier<> barrier{32};
  std::uint64_t slots[32] = {};
  std::uint32_t mma_a[32][4] = {};  // each lane's operands of a tensor-core product (mma_bf16_16x8x16)
  std::uint32_t mma_b[32][2] = {};
};

struct ThreadContext {
  dim3 block_index, thread_index, block_dim, grid_dim;
  Warp* warp = nullptr;
  std::barrier<>* block_barrier = nullptr;
};

inline thread_local ThreadContext context;

template <typename T>
T exchange(T value, int source_lane) {
  static_assert(sizeof(T) <= sizeof(std::uint64_t));
  Warp& warp = *context.warp;
  const int lane = static_cast<int>(context.thread_index.x % 32);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  warp.slots[lane] = bits;
  warp.barrier.arrive_and_wait();
  const std::uint64_t got = warp.slots[source_lane & 31];
  warp.barrier.arrive_and_wait();  // nobody overwrites a slot before every lane has read
  T result;
  std::memcpy(&result, &got, sizeof(T));
  return result;
}

// Runs body() as kernel<<<grid, block>>> would: every block in turn, all its threads concurrently.
// Only x-dimension thread blocks (all these kernels use them), a multiple of 32 threads.
template <typename Body>
void launch(dim3 grid, dim3 block, Body body) {
  const unsigned threads = block.x;
  std::barrier<> block_barrier(static_cast<std::ptrdiff_t>(threads));
  std::vector<std::unique_ptr<Warp>> warps;
  for (unsigned w = 0; w < threads / 32; ++w) warps.push_back(std::make_unique<Warp>());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      context.thread_index = dim3(t);
      context.block_dim = block;
      context.grid_dim = grid;
      context.warp = warps[t / 32].get();
      context.block_barrier = &block_barrier;
      for (unsigned z = 0; z < grid.z; ++z)
        for (unsigned y = 0; y < grid.y; ++y)
          for (unsigned x = 0; x < grid.x; ++x) {
            context.block_index = dim3(x, y, z);
            body();
            block_barrier.arrive_and_wait();  // the block is done before the next one reuses shared memory
          }
    });
  for (std::thread& th : pool) th.join();
}

}  // namespace simt

#define threadIdx (simt::context.thread_index)
#define blockIdx (simt::context.block_index)
#define blockDim (simt::context.block_dim)
#define gridDim (simt::context.grid_dim)

inline void __syncthreads() { simt::context.block_barrier->arrive_and_wait(); }
template <typename T>
T __shfl_sync(unsigned, T value, int lane) {
  return simt::exchange(value, lane);
}
template <typename T>
T __shfl_xor_sync(unsigned, T value, int mask) {
  return simt::exchange(value, static_cast<int>(threadIdx.x % 32) ^ mask);
}
template <typename T>
T __shfl_up_sync(unsigned, T value, unsigned delta) {
  const int lane = static_cast<int>(threadIdx.x % 32);
  const T other = simt::exchange(value, lane - static_cast<int>(delta));
  return lane >= static_cast<int>(delta) ? other : value;
}
inline unsigned __ballot_sync(unsigned, bool predicate) {
  simt::Warp& warp = *simt::context.warp;
  warp.slots[threadIdx.x % 32] = predicate ? 1u : 0u;
  warp.barrier.arrive_and_wait();
  unsigned mask = 0;
  for (int lane = 0; lane < 32; ++lane) mask |= static_cast<unsigned>(warp.slots[lane] != 0) << lane;
  warp.barrier.arrive_and_wait();  // nobody overwrites a slot before every lane has read
  return mask;
}
// kernels/cuda/mma.cuh's warp product, from the lane layout that header states: every lane publishes its
// fragments, then computes its own four results from all of them (products exact, sums in fp32).
inline void mma_bf16_16x8x16(float (&d)[4], const std::uint32_t (&a)[4], const std::uint32_t (&b)[2]) {
  simt::Warp& warp = *simt::context.warp;
  const int lane = static_cast<int>(threadIdx.x % 32);
  std::copy(a, a + 4, warp.mma_a[lane]);
  std::copy(b, b + 2, warp.mma_b[lane]);
  warp.barrier.arrive_and_wait();
  const auto half = [](std::uint32_t word, int high) {
    return high ? r1eval::kernels::high_bf16(word) : r1eval::kernels::low_bf16(word);
  };
  const auto a_at = [&](int row, int col) {
    return half(warp.mma_a[(row % 8) * 4 + (col % 8) / 2][(row >= 8 ? 1 : 0) + (col >= 8 ? 2 : 0)], col % 2);
  };
  const auto b_at = [&](int k, int n) { return half(warp.mma_b[n * 4 + (k % 8) / 2][k >= 8 ? 1 : 0], k % 2); };
  const int g = lane / 4, t = lane % 4;
  for (int i = 0; i < 4; ++i) {
    const int row = g + (i >= 2 ? 8 : 0), col = 2 * t + (i & 1);
    float sum = 0.0f;
    for (int k = 0; k < 16; ++k) sum += a_at(row, k) * b_at(k, col);
    d[i] += sum;
  }
  warp.barrier.arrive_and_wait();  // nobody publishes the next product's operands before every lane has read
}
inline int __ffs(int x) { return __builtin_ffs(x); }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline unsigned long long atomicAdd(unsigned long long* address, unsigned long long value) {
  return std::atomic_ref<unsigned long long>(*address).fetch_add(value);
}
using std::max;
using std::min;
