// Warp and block reductions shared by the kernels (block size: a multiple of 32, at most 1024).
#pragma once
#include <cstdint>

// Loop unrolling hints for nvcc; host compilers running the bodies (simt emulator) skip them.
#if defined(__CUDACC__)
#define R1EVAL_PRAGMA(text) _Pragma(#text)
#define R1EVAL_UNROLL R1EVAL_PRAGMA(unroll)
#define R1EVAL_UNROLL_BY(n) R1EVAL_PRAGMA(unroll n)
#else
#define R1EVAL_UNROLL
#define R1EVAL_UNROLL_BY(n)
#endif

namespace r1eval::kernels::cuda_detail {

// Over each aligned group of kLanes lanes (a power of two up to 32), returned to every lane of the group.
template <int kLanes>
__device__ __forceinline__ float group_sum(float v) {
  for (int offset = kLanes / 2; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
template <int kLanes>
__device__ __forceinline__ float group_max(float v) {
  for (int offset = kLanes / 2; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
  return v;
}

__device__ __forceinline__ float warp_sum(float v) { return group_sum<32>(v); }
__device__ __forceinline__ float warp_max(float v) { return group_max<32>(v); }

__device__ __forceinline__ unsigned long long warp_sum_u64(unsigned long long v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

// histogram[bin] += f for every lane with f != 0, with one shared-memory atomic per distinct bin of the
// warp instead of one per lane: atomics on one address serialize, and most lanes of a histogram pass often
// land in the same bin. The warp must be converged (every lane calls it, f = 0 for lanes with nothing).
__device__ __forceinline__ void warp_histogram_add(unsigned long long* histogram, unsigned bin, unsigned long long f) {
  const int lane = threadIdx.x % 32;
  unsigned pending = __ballot_sync(0xffffffffu, f != 0);
  while (pending != 0) {  // uniform: every lane holds the same ballot
    const int leader = __ffs(static_cast<int>(pending)) - 1;
    const unsigned leader_bin = __shfl_sync(0xffffffffu, bin, leader);
    const bool mine = f != 0 && bin == leader_bin;
    const unsigned group = __ballot_sync(0xffffffffu, mine);
    const unsigned long long sum = warp_sum_u64(mine ? f : 0ull);
    if (lane == leader) atomicAdd(&histogram[leader_bin], sum);
    pending &= ~group;
  }
}

// Sum over the block, returned to every thread. `scratch` holds 32 values; the block must be converged.
__device__ __forceinline__ float block_sum(float v, float* scratch) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  v = warp_sum(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < warps ? scratch[lane] : 0.0f;
  return warp_sum(v);
}

__device__ __forceinline__ unsigned long long block_sum_u64(unsigned long long v, unsigned long long* scratch) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  v = warp_sum_u64(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = lane < warps ? scratch[lane] : 0ull;
  return warp_sum_u64(v);
}

// Exclusive prefix sum over the block in thread order, returned to each thread, and the block's total in
// *total when asked. `scratch` holds 32 values; the block must be converged.
__device__ __forceinline__ unsigned long long exclusive_scan_u64(unsigned long long v, unsigned long long* scratch,
                                                                  unsigned long long* total = nullptr) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  unsigned long long inclusive = v;
  for (int offset = 1; offset < 32; offset <<= 1) {
    const unsigned long long other = __shfl_up_sync(0xffffffffu, inclusive, offset);
    if (lane >= offset) inclusive += other;
  }
  __syncthreads();
  if (lane == 31) scratch[warp] = inclusive;
  __syncthreads();
  if (warp == 0) {
    unsigned long long warp_totals = lane < warps ? scratch[lane] : 0ull;
    for (int offset = 1; offset < 32; offset <<= 1) {
      const unsigned long long other = __shfl_up_sync(0xffffffffu, warp_totals, offset);
      if (lane >= offset) warp_totals += other;
    }
    if (lane < warps) scratch[lane] = warp_totals;  // inclusive over warps
  }
  __syncthreads();
  if (total != nullptr) *total = scratch[warps - 1];
  const unsigned long long warp_base = warp == 0 ? 0ull : scratch[warp - 1];
  return warp_base + inclusive - v;
}

}  // namespace r1eval::kernels::cuda_detail
