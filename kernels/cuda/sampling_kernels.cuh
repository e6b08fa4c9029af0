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
#include "kernels/cuda/sampling_common.cuh"
#include "kernels/cuda/sampling_slices_kernels.cuh"
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

struct SharedState {
  unsigned long long histogram[256];
  unsigned long long scratch[32];
  float best_logit[32];
  int best_id[32];
  unsigned long long above;
  int digit;
};

// shared.histogram[d] = sum of f(w) over items j < count whose weight w matches `prefix` under `mask` and
// has digit d at `shift`, where f counts items (count_tokens) or adds the weight of items at or above
// `floor` (masses). weight_of(j, w) sets w, or returns false for an item whose weight cannot match (a
// token whose exp the pass skips). Ends with a barrier.
template <typename WeightOf>
__device__ void weight_histogram(int count, const WeightOf& weight_of, bool count_tokens, std::uint32_t floor,
                                 std::uint32_t prefix, std::uint32_t mask, int shift, SharedState& shared) {
  for (int b = threadIdx.x; b < 256; b += blockDim.x) shared.histogram[b] = 0;
  __syncthreads();
  // Every lane of a warp runs the same iterations (blockDim is a multiple of 32), as the warp-wide
  // histogram add needs.
  for (int base = 0; base < count; base += blockDim.x) {
    const int j = base + static_cast<int>(threadIdx.x);
    unsigned long long f = 0;
    unsigned bin = 0;
    std::uint32_t w = 0;
    if (j < count && weight_of(j, w) && (w & mask) == prefix) {
      f = count_tokens ? 1ull : (w >= floor ? w : 0ull);
      bin = (w >> shift) & 0xffu;
    }
    warp_histogram_add(shared.histogram, bin, f);
  }
  __syncthreads();
}

// weight_histogram over a row's tokens, weighing only those whose scaled logit can reach the weights that
// match (floor and up, for masses).
__device__ void digit_histogram(const RowContext& row, bool count_tokens, std::uint32_t floor, std::uint32_t prefix,
                                std::uint32_t mask, int shift, SharedState& shared) {
  const std::uint32_t w_low = count_tokens ? prefix : (prefix > floor ? prefix : floor);
  const ScaledRange range = scaled_range(w_low, prefix | ~mask);
  const auto weight_of = [&](int i, std::uint32_t& w) {
    const float x = row.scaled(i);
    if (!range.may_hold(x)) return false;
    w = sampling_weight_of_scaled(x);
    return true;
  };
  weight_histogram(row.vocab, weight_of, count_tokens, floor, prefix, mask, shift, shared);
}

// One level of a radix selection: with shared.histogram filled for (prefix, mask, shift), picks the digit
// at which the running sum from the top reaches target and moves prefix, mask and above (the sum of the
// bins above the chosen ones) on. Every thread gets the same values; ends with a barrier.
__device__ void radix_level(unsigned long long target, int shift, std::uint32_t& prefix, std::uint32_t& mask,
                            unsigned long long& above, SharedState& shared) {
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
    radix_level(target, shift, prefix, mask, above, shared);
    if (shift == 0 && sum_at_tau != nullptr) *sum_at_tau = above + shared.histogram[prefix & 0xffu];
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

// The sum of kept(j) over items j < count (every thread gets it).
template <typename Kept>
__device__ unsigned long long kept_mass_of(int count, const Kept& kept, SharedState& shared) {
  unsigned long long mass = 0;
  for (int j = threadIdx.x; j < count; j += blockDim.x) mass += kept(j);
  return cuda_detail::block_sum_u64(mass, shared.scratch);
}

__device__ unsigned long long mass_at_least(const RowContext& row, std::uint32_t threshold, SharedState& shared) {
  const ScaledRange above = scaled_range(threshold, kSamplingMaxWeight);
  return kept_mass_of(row.vocab, [&](int i) { return kept_weight(row, i, threshold, above); }, shared);
}

// The sum of shared.histogram's bins (every thread gets it).
__device__ unsigned long long histogram_total(SharedState& shared) {
  unsigned long long total = 0;
  for (int b = threadIdx.x; b < 256; b += blockDim.x) total += shared.histogram[b];
  return cuda_detail::block_sum_u64(total, shared.scratch);
}

// The draw: the first item, in order, whose running kept weight exceeds target (weight(j): item j's kept
// weight, 0 when it is not kept; id(j): its token), written to *token by the one thread that finds it.
// Each thread sums a contiguous chunk, a block scan places the chunks, and the chunk holding target walks.
template <typename Weight, typename Id>
__device__ void draw_in_order(int count, unsigned long long target, const Weight& weight, const Id& id,
                              std::int32_t* token, SharedState& shared) {
  const int chunk = (count + static_cast<int>(blockDim.x) - 1) / static_cast<int>(blockDim.x);
  const int chunk_begin = min(count, static_cast<int>(threadIdx.x) * chunk);
  const int chunk_end = min(count, chunk_begin + chunk);
  unsigned long long chunk_mass = 0;
  for (int j = chunk_begin; j < chunk_end; ++j) chunk_mass += weight(j);
  const unsigned long long before = exclusive_scan_u64(chunk_mass, shared.scratch);
  if (before <= target && target < before + chunk_mass) {
    unsigned long long cumulative = before;
    for (int j = chunk_begin; j < chunk_end; ++j) {
      const std::uint32_t w = weight(j);
      if (w == 0) continue;
      cumulative += w;
      if (cumulative > target) {
        *token = id(j);
        break;
      }
    }
  }
}

// A draw's candidates (sampling_slices_kernels.cuh) in shared memory, in id order: the slices' lists one
// after another.
constexpr int kMaxCandidates = 4096;
struct CandidateState {
  std::int32_t ids[kMaxCandidates];
  std::uint32_t weights[kMaxCandidates];
  int offsets[kSamplingMaxSlices + 1];
  int count;  // -1: a slice had more than it stores, or all together more than kMaxCandidates
};

// weight_histogram of the candidates' masses.
__device__ void candidate_histogram(const CandidateState& c, std::uint32_t prefix, std::uint32_t mask, int shift,
                                    SharedState& shared) {
  const auto weight_of = [&](int j, std::uint32_t& w) {
    w = c.weights[j];
    return true;
  };
  weight_histogram(c.count, weight_of, false, 0, prefix, mask, shift, shared);
}

// Top-p (after temperature, then min-p; no top-k) of draw r from its slices' summaries, when the candidates
// decide it: the threshold's digits past the first are found among the candidates, which hold every token
// of weight >= kCandidateWeight. Returns false, having written nothing, when they cannot (a slice with more
// candidates than it stores, more than kMaxCandidates in all, or a threshold under kCandidateWeight): the
// whole-row passes then run. Uniform over the block.
__device__ bool sample_from_candidates(int r, const SamplingParams& p, const SampleKey& key, int greedy,
                                       const SampleScratch& scratch, std::int32_t* tokens, SharedState& shared,
                                       CandidateState& c) {
  // Loops over slices load in batches (a memory latency per batch, not per slice): the summaries are
  // read with a bin per thread, the counts with a slice per lane of warp 0.
  const int slices_per_row = scratch.num_slices;
  const SampleSlice* slices = scratch.slices + static_cast<std::size_t>(r) * slices_per_row;
  for (int b = threadIdx.x; b < 256; b += blockDim.x) {
    unsigned long long m = 0;
    if (b < kTopDigitBins) {
R1EVAL_UNROLL_BY(8)
      for (int s = 0; s < slices_per_row; ++s) m += slices[s].top_digit_mass[b];
    }
    shared.histogram[b] = m;
  }
  if (threadIdx.x < 32) {
    const int lane = static_cast<int>(threadIdx.x);
    int total = 0;
    bool fits = true;
    for (int first = 0; first < slices_per_row; first += 32) {
      const int s = first + lane;
      const unsigned n = s < slices_per_row ? slices[s].candidates : 0u;
      fits = fits && __ballot_sync(0xffffffffu, n > static_cast<unsigned>(kSamplingSliceCandidates)) == 0;
      int inclusive = static_cast<int>(n);
      for (int offset = 1; offset < 32; offset <<= 1) {
        const int other = __shfl_up_sync(0xffffffffu, inclusive, offset);
        if (lane >= offset) inclusive += other;
      }
      if (s < slices_per_row) c.offsets[s] = total + inclusive - static_cast<int>(n);
      total += __shfl_sync(0xffffffffu, inclusive, 31);
    }
    if (lane == 0) {
      c.offsets[slices_per_row] = total;
      c.count = fits && total <= kMaxCandidates ? total : -1;
    }
  }
  __syncthreads();
  const unsigned long long mass = histogram_total(shared);
  if (mass == 0) {
    if (threadIdx.x == 0) tokens[r] = greedy;
    return true;
  }
  if (c.count < 0) return false;
  for (int k = threadIdx.x; k < c.count; k += blockDim.x) {
    int lo = 0, hi = slices_per_row - 1;  // k's slice: the last with offsets[s] <= k
    while (lo < hi) {
      const int mid = (lo + hi + 1) / 2;
      if (c.offsets[mid] <= k) lo = mid;
      else hi = mid - 1;
    }
    const std::size_t from =
        (static_cast<std::size_t>(r) * slices_per_row + lo) * kSamplingSliceCandidates + (k - c.offsets[lo]);
    c.ids[k] = scratch.candidate_ids[from];
    c.weights[k] = scratch.candidate_weights[from];
  }
  const unsigned long long target = sampling_top_p_target(p.top_p, mass);
  std::uint32_t prefix = 0, mask = 0;
  unsigned long long above = 0, kept_mass = 0;
  radix_level(target, 24, prefix, mask, above, shared);  // its barrier also publishes the candidates
  for (int shift = 16; shift >= 0; shift -= 8) {
    // A prefix under kCandidateWeight (digits so far all 0) lets tokens that are no candidates into every
    // bin of the next level: then the candidates do not decide. After a top digit of 0 they still decide
    // the second: tokens under kCandidateWeight all fall in its bin 0, and that bin only matters when no
    // higher one reaches the target, which chooses digit 0 whatever it holds (and this returns next level).
    if (prefix < kCandidateWeight && shift != 16) return false;
    __syncthreads();  // everyone has read the previous histogram
    candidate_histogram(c, prefix, mask, shift, shared);
    radix_level(target, shift, prefix, mask, above, shared);
    if (shift == 0) kept_mass = above + shared.histogram[prefix & 0xffu];
  }

  std::uint32_t threshold = prefix;  // tau >= kCandidateWeight: every kept token is a candidate
  const auto kept = [&](int j) { return c.weights[j] >= threshold ? c.weights[j] : 0u; };
  const std::uint32_t min_p = sampling_min_p_threshold(p.min_p);
  if (min_p > threshold) {
    threshold = min_p;
    kept_mass = kept_mass_of(c.count, kept, shared);
  }
  draw_in_order(c.count, sampling_draw_target(kept_mass, sampling_random_bits(key)), kept,
                [&](int j) { return c.ids[j]; }, tokens + r, shared);
  return true;
}

// One block per draw (the explicit 1 block per SM lets ptxas use 64 registers; without it, it kept 32 and
// spilled). With scratch (the two slice kernels ran first) the greedy choice comes from the
// slices and a top-p draw from the candidates when they decide it; otherwise, and for top-k or plain
// temperature, the passes run over the whole row.
__global__ void __launch_bounds__(kSampleThreads, 1)
    sample_kernel(const float* logits, int vocab, const SamplingParams* params, const SampleKey* keys,
                  std::int32_t* tokens, const std::int32_t* rows, SampleScratch scratch) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ SharedState shared;
  __shared__ CandidateState candidates;
  const int r = blockIdx.x;  // the draw; it reads row rows[r] (row r without rows)
  const float* x = draw_logits(logits, vocab, rows, r);
  const SamplingParams p = params[r];

  // Greedy choice (also the fallback), by an order-independent comparison.
  float best_logit = 0.0f;
  int best_id = -1;
  if (scratch.slices != nullptr) {
    merge_slice_greedy(scratch, r, best_logit, best_id);
  } else {
    block_greedy_over(x, 0, vocab, best_logit, best_id, shared.best_logit, shared.best_id);
  }
  const int greedy = best_id < 0 ? 0 : best_id;
  if (best_logit != best_logit) {  // NaN comes first in the greedy order: best_id is the row's first NaN
    if (threadIdx.x == 0) tokens[r] = sampling_nan_token(best_id);
    return;
  }
  if (sampling_is_greedy(p.temperature)) {
    if (threadIdx.x == 0) tokens[r] = greedy;
    return;
  }

  const bool top_k = p.top_k > 0 && p.top_k < vocab;
  const bool top_p = p.top_p < 1.0f;
  if (scratch.slices != nullptr && top_p && !top_k &&
      sample_from_candidates(r, p, keys[r], greedy, scratch, tokens, shared, candidates))
    return;
  const RowContext row{x, vocab, best_id < 0 ? x[0] : best_logit, sampling_inverse_temperature(p.temperature)};
  std::uint32_t threshold = 1;
  if (top_k) {
    const std::uint32_t kth = radix_select(row, true, 0, static_cast<unsigned long long>(p.top_k), shared);
    threshold = kth > threshold ? kth : threshold;
  }
  // With top-p, the first digit pass over the masses at or above the threshold also gives their total.
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

  // The chosen token is the first, in id order, whose running kept mass exceeds target.
  const ScaledRange kept = scaled_range(threshold, kSamplingMaxWeight);
  draw_in_order(vocab, target, [&](int i) { return kept_weight(row, i, threshold, kept); }, [](int i) { return i; },
                tokens + r, shared);
}

}  // namespace r1eval::kernels::cuda_detail
