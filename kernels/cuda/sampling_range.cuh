// Which tokens a sampling pass must weigh: the exp behind a token's weight is most of a pass's work, and a
// pass that looks for weights in [w_low, w_high] can skip every token whose scaled logit cannot give one.
// Device code only and no CUDA headers (tests/kernels/simt_emulator.h runs it on the CPU).
#pragma once
#include <cmath>
#include <cstdint>

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

}  // namespace r1eval::kernels::cuda_detail
