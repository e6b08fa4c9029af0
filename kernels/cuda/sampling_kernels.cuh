// Kernel body of sampling (launcher in sampling.cu). Device code only and no CUDA headers, so
// tests/kernels/simt_emulator.h can also run it on the CPU.
//
// One block per row. Thresholds are found by radix selection over the integer weights (four 8-bit
// digits, histograms of counts or masses in shared memory) and the draw by an exact prefix sum over
// contiguous per-thread chunks, so every step is an integer computation whose result does not depend
// on the order of the parallel reductions: the CPU twin gets the same token. A row is one block, so its
// passes are bound by one SM's instruction rate: each pass computes weights (the exp) only for tokens
// whose scaled logit can reach the range it looks for (ScaledRange), and the top-p path takes the mass
// total from its first histogram. A top-p row that used to compute every token's exp in six passes now
// does so in one or two (the first digit, and the second when the threshold lies below 2^-6 of the top
// weight); the other passes compute it only for the tokens in the range they narrow down to. Its kept
// mass comes from the last histogram of the top-p selection, not from a pass of its own.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/sampling.h"

namespace r1eval::kernels::cuda_detail {

// A whole block per row: at batch 1 one SM does all of a row's passes, and its loops are chains of
// dependent float operations, so the block is as large as a block can be (32 warps to hide latency).
constexpr int kSampleThreads = 1024;

struct RowContext {
  const float* logits;
  int vocab;
  float max_logit;
  float inverse_temperature;
  __device__ float scaled(int i) const { return sampling_scaled_logit(logits[i], max_logit, inverse_temperature); }
};

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

struct SharedState {
  unsigned long long histogram[256];
  unsigned long long scratch[32];
  float best_logit[32];
  int best_id[32];
  unsigned long long above;
  int digit;
};

// shared.histogram[d] = sum of f(weight) over tokens whose weight matches `prefix` under `mask` and has
// digit d at `shift`, where f counts tokens (count_tokens) or adds the weight of tokens at or above
// `floor` (masses). Ends with a barrier.
__device__ void digit_histogram(const RowContext& row, bool count_tokens, std::uint32_t floor, std::uint32_t prefix,
                                std::uint32_t mask, int shift, SharedState& shared) {
  for (int b = threadIdx.x; b < 256; b += blockDim.x) shared.histogram[b] = 0;
  __syncthreads();
  const std::uint32_t w_low = count_tokens ? prefix : (prefix > floor ? prefix : floor);
  const ScaledRange range = scaled_range(w_low, prefix | ~mask);
  // Every lane of a warp runs the same iterations (blockDim is a multiple of 32), as the warp-wide
  // histogram add needs.
  for (int base = 0; base < row.vocab; base += blockDim.x) {
    const int i = base + static_cast<int>(threadIdx.x);
    unsigned long long f = 0;
    unsigned bin = 0;
    if (i < row.vocab) {
      const float x = row.scaled(i);
      if (range.may_hold(x)) {
        const std::uint32_t w = sampling_weight_of_scaled(x);
        if ((w & mask) == prefix) {
          f = count_tokens ? 1ull : (w >= floor ? w : 0ull);
          bin = (w >> shift) & 0xffu;
        }
      }
    }
    warp_histogram_add(shared.histogram, bin, f);
  }
  __syncthreads();
}

// Largest tau such that sum over i with weight(i) >= tau of f(weight(i)) >= target (f as in
// digit_histogram). Requires the sum at tau = 0 to reach target. With top_digit_ready, shared.histogram
// already holds the first pass (prefix 0, mask 0, shift 24) for the same f. *sum_at_tau gets that sum at
// tau (the bins above tau's and tau's own bin of the last pass): with masses, the kept mass at threshold
// max(tau, floor), which then needs no pass of its own.
__device__ std::uint32_t radix_select(const RowContext& row, bool count_tokens, std::uint32_t floor,
                                      unsigned long long target, SharedState& shared, bool top_digit_ready = false,
                                      unsigned long long* sum_at_tau = nullptr) {
  std::uint32_t prefix = 0, mask = 0;
  unsigned long long above = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    if (shift != 24 || !top_digit_ready) digit_histogram(row, count_tokens, floor, prefix, mask, shift, shared);
    if (threadIdx.x == 0) {
      int digit = 0;
      unsigned long long cumulative = above;
      for (int b = 255; b >= 0; --b) {
        if (cumulative + shared.histogram[b] >= target) {
          digit = b;
          break;
        }
        cumulative += shared.histogram[b];
      }
      shared.digit = digit;
      shared.above = cumulative;
    }
    __syncthreads();
    prefix |= static_cast<std::uint32_t>(shared.digit) << shift;
    mask |= 0xffu << shift;
    above = shared.above;
    if (shift == 0 && sum_at_tau != nullptr) *sum_at_tau = above + shared.histogram[shared.digit];
    __syncthreads();
  }
  return prefix;
}

// The tokens a threshold (>= 1) keeps: weight(i) when it is at least the threshold, else 0; the exp only
// for tokens whose scaled logit may reach it (`above` = scaled_range(threshold, kSamplingMaxWeight)).
__device__ __forceinline__ std::uint32_t kept_weight(const RowContext& row, int i, std::uint32_t threshold,
                                                     const ScaledRange& above) {
  const float x = row.scaled(i);
  if (!above.may_hold(x)) return 0;
  const std::uint32_t w = sampling_weight_of_scaled(x);
  return w >= threshold ? w : 0;
}

__device__ unsigned long long mass_at_least(const RowContext& row, std::uint32_t threshold, SharedState& shared) {
  const ScaledRange above = scaled_range(threshold, kSamplingMaxWeight);
  unsigned long long mass = 0;
  for (int i = threadIdx.x; i < row.vocab; i += blockDim.x) mass += kept_weight(row, i, threshold, above);
  return cuda_detail::block_sum_u64(mass, shared.scratch);
}

// The sum of shared.histogram's bins (every thread gets it).
__device__ unsigned long long histogram_total(SharedState& shared) {
  unsigned long long total = 0;
  for (int b = threadIdx.x; b < 256; b += blockDim.x) total += shared.histogram[b];
  return cuda_detail::block_sum_u64(total, shared.scratch);
}

// Exclusive prefix sum over the block (thread order), returned to each thread.
__device__ unsigned long long exclusive_scan(unsigned long long v, SharedState& shared) {
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  unsigned long long inclusive = v;
  for (int offset = 1; offset < 32; offset <<= 1) {
    const unsigned long long other = __shfl_up_sync(0xffffffffu, inclusive, offset);
    if (lane >= offset) inclusive += other;
  }
  __syncthreads();
  if (lane == 31) shared.scratch[warp] = inclusive;
  __syncthreads();
  if (warp == 0) {
    unsigned long long total = lane < warps ? shared.scratch[lane] : 0ull;
    for (int offset = 1; offset < 32; offset <<= 1) {
      const unsigned long long other = __shfl_up_sync(0xffffffffu, total, offset);
      if (lane >= offset) total += other;
    }
    if (lane < warps) shared.scratch[lane] = total;  // inclusive over warps
  }
  __syncthreads();
  const unsigned long long warp_base = warp == 0 ? 0ull : shared.scratch[warp - 1];
  return warp_base + inclusive - v;
}

__global__ void __launch_bounds__(kSampleThreads)
    sample_kernel(const float* logits, int vocab, const SamplingParams* params, const SampleKey* keys,
                  std::int32_t* tokens, const std::int32_t* rows = nullptr) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ SharedState shared;
  const int r = blockIdx.x;  // the draw; it reads row rows[r] (row r without rows)
  const float* x = logits + static_cast<std::size_t>(rows != nullptr ? rows[r] : r) * vocab;
  const SamplingParams p = params[r];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;

  // Greedy choice (also the fallback), by an order-independent comparison.
  float best_logit = 0.0f;
  int best_id = -1;
  for (int i = threadIdx.x; i < vocab; i += blockDim.x)
    if (sampling_greedy_better(x[i], i, best_logit, best_id)) {
      best_logit = x[i];
      best_id = i;
    }
  for (int offset = 16; offset > 0; offset >>= 1) {
    const float other_logit = __shfl_xor_sync(0xffffffffu, best_logit, offset);
    const int other_id = __shfl_xor_sync(0xffffffffu, best_id, offset);
    if (other_id >= 0 && sampling_greedy_better(other_logit, other_id, best_logit, best_id)) {
      best_logit = other_logit;
      best_id = other_id;
    }
  }
  if (lane == 0) {
    shared.best_logit[warp] = best_logit;
    shared.best_id[warp] = best_id;
  }
  __syncthreads();
  best_logit = 0.0f;
  best_id = -1;
  for (int w = 0; w < warps; ++w)
    if (shared.best_id[w] >= 0 && sampling_greedy_better(shared.best_logit[w], shared.best_id[w], best_logit, best_id)) {
      best_logit = shared.best_logit[w];
      best_id = shared.best_id[w];
    }
  const int greedy = best_id < 0 ? 0 : best_id;
  if (sampling_is_greedy(p.temperature)) {
    if (threadIdx.x == 0) tokens[r] = greedy;
    return;
  }

  const RowContext row{x, vocab, best_id < 0 ? x[0] : best_logit, sampling_inverse_temperature(p.temperature)};
  std::uint32_t threshold = 1;
  if (p.top_k > 0 && p.top_k < vocab) {
    const std::uint32_t kth = radix_select(row, true, 0, static_cast<unsigned long long>(p.top_k), shared);
    threshold = kth > threshold ? kth : threshold;
  }
  // With top-p, the first digit pass over the masses at or above the threshold also gives their total.
  const bool top_p = p.top_p < 1.0f;
  if (top_p) digit_histogram(row, false, threshold, 0, 0, 24, shared);
  const unsigned long long top_k_mass = top_p ? histogram_total(shared) : mass_at_least(row, threshold, shared);
  if (top_k_mass == 0) {
    if (threadIdx.x == 0) tokens[r] = greedy;
    return;
  }
  // The kept mass: from top-p's last histogram when min-p does not raise the threshold past it.
  bool kept_mass_known = false;
  unsigned long long kept_mass = 0;
  if (top_p) {
    const unsigned long long target = sampling_top_p_target(p.top_p, top_k_mass);
    const std::uint32_t tau = radix_select(row, false, threshold, target, shared, true, &kept_mass);
    threshold = tau > threshold ? tau : threshold;
    kept_mass_known = true;
  }
  const std::uint32_t min_p = sampling_min_p_threshold(p.min_p);
  if (min_p > threshold) {
    threshold = min_p;
    kept_mass_known = false;
  }
  if (!kept_mass_known) kept_mass = mass_at_least(row, threshold, shared);
  const unsigned long long target = sampling_draw_target(kept_mass, sampling_random_bits(keys[r]));

  // The chosen token is the first, in id order, whose running kept mass exceeds target: each thread
  // sums a contiguous chunk, a block scan places the chunks, and the one chunk holding target walks.
  const int chunk = (vocab + blockDim.x - 1) / blockDim.x;
  const int chunk_begin = min(vocab, static_cast<int>(threadIdx.x) * chunk);
  const int chunk_end = min(vocab, chunk_begin + chunk);
  const ScaledRange kept = scaled_range(threshold, kSamplingMaxWeight);
  unsigned long long chunk_mass = 0;
  for (int i = chunk_begin; i < chunk_end; ++i) chunk_mass += kept_weight(row, i, threshold, kept);
  const unsigned long long before = exclusive_scan(chunk_mass, shared);
  if (before <= target && target < before + chunk_mass) {
    unsigned long long cumulative = before;
    for (int i = chunk_begin; i < chunk_end; ++i) {
      const std::uint32_t w = kept_weight(row, i, threshold, kept);
      if (w == 0) continue;
      cumulative += w;
      if (cumulative > target) {
        tokens[r] = i;
        break;
      }
    }
  }
}

}  // namespace r1eval::kernels::cuda_detail
