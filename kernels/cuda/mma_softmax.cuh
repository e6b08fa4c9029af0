// The online softmax of the tensor-core attention kernels, on a warp's 16 rows in mma fragment form
// (mma.cuh): lane (g, t) holds rows g and g + 8, element i of each n-tile in row i / 2. Softmax runs in
// base 2 (scores scaled by log2 e; exp2 is one instruction); running maxima are kept in that unit.
#pragma once
#include <cstdint>

#include "kernels/attention.h"
#include "kernels/cuda/mma.cuh"
#include "kernels/cuda/reduce.cuh"

namespace r1eval::kernels::cuda_detail {

constexpr float kLog2e = 1.4426950408889634f;  // scale of a score into base 2
constexpr float kLn2 = 0.6931471805599453f;    // a base-2 maximum back to base e

// The base-2 exponent of a raw score q . k: scaled, and soft-capped (PagedBatch::softcap, Gemma 2) when a cap is set.
__device__ __forceinline__ float log2_score(float raw, float scale, float scale_log2, float softcap) {
  return softcap > 0.0f ? soft_capped_score(raw * scale, softcap) * kLog2e : raw * scale_log2;
}

// One key tile: score[n][i] are its scaled base-2 scores (-inf where masked) over kKeyTiles 8-key n-tiles.
// The rows' running max and sum (this lane's share of the sum; a row's four lanes add theirs at the end) and
// the output accumulators move to the new max, and the tile's weights come back rounded to bf16 as A
// fragments, weights[k] for keys 16k .. 16k + 15, their sum taken from the rounded values. A row with no
// visible key yet keeps zeros.
template <int kKeyTiles, int kDimTiles>
__device__ __forceinline__ void online_softmax_tile(const float (&score)[kKeyTiles][4], float (&running_max)[2],
                                                    float (&running_sum)[2], float (&acc)[kDimTiles][4],
                                                    std::uint32_t (&weights)[kKeyTiles / 2][4]) {
  float base[2];
R1EVAL_UNROLL
  for (int r = 0; r < 2; ++r) {
    float tile_max = -INFINITY;
R1EVAL_UNROLL
    for (int n = 0; n < kKeyTiles; ++n) tile_max = fmaxf(tile_max, fmaxf(score[n][2 * r], score[n][2 * r + 1]));
    const float new_max = fmaxf(running_max[r], group_max<4>(tile_max));
    base[r] = new_max == -INFINITY ? 0.0f : new_max;
    const float rescale = exp2f(running_max[r] - base[r]);
    running_max[r] = new_max;
    running_sum[r] *= rescale;
R1EVAL_UNROLL
    for (int n = 0; n < kDimTiles; ++n) {
      acc[n][2 * r] *= rescale;
      acc[n][2 * r + 1] *= rescale;
    }
  }
R1EVAL_UNROLL
  for (int n = 0; n < kKeyTiles; ++n) {
    std::uint32_t* pair = &weights[n / 2][2 * (n % 2)];  // n-tile 2k: words 0, 1 of step k; 2k + 1: words 2, 3
R1EVAL_UNROLL
    for (int r = 0; r < 2; ++r) {
      pair[r] = pack_bf16_pair(exp2f(score[n][2 * r] - base[r]), exp2f(score[n][2 * r + 1] - base[r]));
      running_sum[r] += low_bf16(pair[r]) + high_bf16(pair[r]);
    }
  }
}

}  // namespace r1eval::kernels::cuda_detail
