// Pieces the sampling kernels share: which tokens a pass must weigh (the exp behind a token's weight is
// most of a pass's work, and a pass that looks for weights in [w_low, w_high] can skip every token whose
// scaled logit cannot give one), and the greedy choice reduced over a warp or a block. Device code only
// and no CUDA headers (tests/kernels/simt_emulator.h runs it on the CPU).
#pragma once
#include <cmath>
#include <cstdint>

#include "kernels/cuda/reduce.cuh"
#include "kernels/sampling.h"

namespace r1eval::kernels::cuda_detail {

// Scaled logits outside [low, high] cannot have a weight in [w_low, w_high]: a pass computes the weight
// (an exp polynomial, most of a pass's work) only for tokens inside, and decides on that exact weight, so
// the filter changes the work, never the result. The bounds are log(w / 2^30) widened by 1e-3, far beyond
// sampling_exp's error (~1e-7 relative); NaN passes (its weight is 0) and w_low 0 or w_high >= 2^30 leave
// that side open.
struct ScaledRange {
  float low, high;
  __device__ bool may_hold(float x) const { return !(x < low) && !(x > high); }
};

__device__ __forceinline__ ScaledRange scaled_range(std::uint32_t w_low, std::uint32_t w_high) {
  constexpr float kMargin = 1e-3f, kLogMaxWeight = 20.7944154f;  // 30 ln 2
  ScaledRange range{-INFINITY, INFINITY};
  if (w_low > 0) range.low = logf(static_cast<float>(w_low)) - kLogMaxWeight - kMargin;
  if (w_high < kSamplingMaxWeight) range.high = logf(static_cast<float>(w_high) + 1.0f) - kLogMaxWeight + kMargin;
  return range;
}

// The warp's greedy choice from each lane's (logit, id), returned to every lane. Order-independent
// (sampling_greedy_better), so any split of the ids gives the same choice.
__device__ __forceinline__ void warp_greedy(float& best_logit, int& best_id) {
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float other_logit = __shfl_xor_sync(0xffffffffu, best_logit, offset);
    const int other_id = __shfl_xor_sync(0xffffffffu, best_id, offset);
    if (other_id >= 0 && sampling_greedy_better(other_logit, other_id, best_logit, best_id)) {
      best_logit = other_logit;
      best_id = other_id;
    }
  }
}

// The block's greedy choice, returned to every thread. `logit_of` and `id_of` hold 32.
__device__ void block_greedy(float& best_logit, int& best_id, float* logit_of, int* id_of) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  warp_greedy(best_logit, best_id);
  __syncthreads();  // logit_of may still be read by an earlier call
  if (lane == 0) {
    logit_of[warp] = best_logit;
    id_of[warp] = best_id;
  }
  __syncthreads();
  best_logit = 0.0f;
  best_id = -1;
  for (int w = 0; w < warps; ++w)
    if (id_of[w] >= 0 && sampling_greedy_better(logit_of[w], id_of[w], best_logit, best_id)) {
      best_logit = logit_of[w];
      best_id = id_of[w];
    }
}

// The greedy choice among ids begin .. end - 1 of x, the block's threads striding over them, returned to
// every thread. `logit_of` and `id_of` hold 32.
__device__ __forceinline__ void block_greedy_over(const float* x, int begin, int end, float& best_logit, int& best_id,
                                                  float* logit_of, int* id_of) {
  best_logit = 0.0f;
  best_id = -1;
  for (int i = begin + static_cast<int>(threadIdx.x); i < end; i += blockDim.x)
    if (sampling_greedy_better(x[i], i, best_logit, best_id)) {
      best_logit = x[i];
      best_id = i;
    }
  block_greedy(best_logit, best_id, logit_of, id_of);
}

}  // namespace r1eval::kernels::cuda_detail
