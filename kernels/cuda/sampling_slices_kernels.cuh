// The first two passes of split sampling (sampling.h: sample_tokens with a workspace), grids of (draw,
// slice) blocks: a row's vocabulary is cut into slices of kSamplingSliceTokens, so a small batch's rows
// run on many SMs instead of one each (a single block spends ~100 us on a 152k row at batch 1: every pass
// is bound by one SM's instruction rate). Device code only and no CUDA headers, so
// tests/kernels/simt_emulator.h can also run them on the CPU.
//  1. sample_slice_greedy_kernel: each slice's greedy choice (largest logit, lowest id);
//  2. sample_slice_weights_kernel: the row's largest logit from those, then each slice's weight masses
//     by top digit (weight >> 24) and its candidates, the tokens of weight >= kCandidateWeight, in id
//     order. sample_kernel then finishes each draw with one block: top-p over the candidates in shared
//     memory when they decide it exactly, else the whole-row passes.
// The integers are the ones the one-block kernel and the CPU twin compute, so the token is the same.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/sampling_common.cuh"
#include "kernels/sampling.h"

namespace r1eval::kernels::cuda_detail {

constexpr int kSliceThreads = 256;
constexpr int kSliceTokensPerThread = kSamplingSliceTokens / kSliceThreads;  // contiguous ids per thread
static_assert(kSliceTokensPerThread == 32, "a thread's ids are one 32-bit candidate mask");
constexpr int kTopDigitBins = static_cast<int>(kSamplingMaxWeight >> 24) + 1;  // weights <= 2^30: digits 0..64
// Candidates: weight >= 2^-14 of the top token's. Past the first digit, a top-p selection whose prefix
// is at least this reads nothing else.
constexpr std::uint32_t kCandidateWeight = 1u << 16;

struct SampleSlice {
  float best_logit;
  int best_id;            // -1: no logit of the slice is a number
  unsigned candidates;    // how many the slice has; only the first kSamplingSliceCandidates are stored
  unsigned reserved;
  unsigned long long top_digit_mass[kTopDigitBins];
};
static_assert(sizeof(SampleSlice) == kSamplingSliceSummaryBytes, "sampling.h sizes the workspace with it");

struct SampleScratch {
  SampleSlice* slices = nullptr;             // [draw][slice]; null: the one-block kernel alone
  std::int32_t* candidate_ids = nullptr;     // [draw][slice][kSamplingSliceCandidates]
  std::uint32_t* candidate_weights = nullptr;
  int num_slices = 0;
};

// Carves sampling_workspace_bytes(draws, vocab) bytes at `base` (which that must be > 0 for).
inline SampleScratch sample_scratch(std::byte* base, int draws, int vocab) {
  SampleScratch s;
  s.num_slices = sampling_slices(vocab);
  const std::size_t slices = static_cast<std::size_t>(draws) * static_cast<std::size_t>(s.num_slices);
  s.slices = reinterpret_cast<SampleSlice*>(base);
  s.candidate_ids = reinterpret_cast<std::int32_t*>(base + slices * sizeof(SampleSlice));
  s.candidate_weights = reinterpret_cast<std::uint32_t*>(s.candidate_ids + slices * kSamplingSliceCandidates);
  return s;
}

__device__ __forceinline__ const float* draw_logits(const float* logits, int vocab, const std::int32_t* rows, int draw) {
  return logits + static_cast<std::size_t>(rows != nullptr ? rows[draw] : draw) * static_cast<std::size_t>(vocab);
}

// The row's greedy choice from its slices, to every thread: each warp reads them a slice per lane (one
// memory latency, not one per slice) and reduces. Every lane of every warp must call it.
__device__ __forceinline__ void merge_slice_greedy(const SampleScratch& scratch, int draw, float& best_logit,
                                                   int& best_id) {
  const SampleSlice* slices = scratch.slices + static_cast<std::size_t>(draw) * scratch.num_slices;
  best_logit = 0.0f;
  best_id = -1;
  for (int s = static_cast<int>(threadIdx.x % 32); s < scratch.num_slices; s += 32)
    if (slices[s].best_id >= 0 && sampling_greedy_better(slices[s].best_logit, slices[s].best_id, best_logit, best_id)) {
      best_logit = slices[s].best_logit;
      best_id = slices[s].best_id;
    }
  warp_greedy(best_logit, best_id);
}

__global__ void __launch_bounds__(kSliceThreads)
    sample_slice_greedy_kernel(const float* logits, int vocab, const std::int32_t* rows, SampleScratch scratch) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ float logit_of[32];
  __shared__ int id_of[32];
  const int draw = blockIdx.x, slice = blockIdx.y;
  const float* x = draw_logits(logits, vocab, rows, draw);
  const int begin = slice * kSamplingSliceTokens;
  const int end = min(vocab, begin + kSamplingSliceTokens);
  float best_logit;
  int best_id;
  block_greedy_over(x, begin, end, best_logit, best_id, logit_of, id_of);
  if (threadIdx.x == 0) {
    SampleSlice& out = scratch.slices[static_cast<std::size_t>(draw) * scratch.num_slices + slice];
    out.best_logit = best_logit;
    out.best_id = best_id;
  }
}

// Needs blockDim.x == kSliceThreads: thread t owns the slice's ids t * 32 .. t * 32 + 31, so its candidates
// come out in id order after one scan of the per-thread counts.
__global__ void __launch_bounds__(kSliceThreads)
    sample_slice_weights_kernel(const float* logits, int vocab, const SamplingParams* params, const std::int32_t* rows,
                                SampleScratch scratch) {
  wait_for_prior_kernels();
  release_dependents();
  constexpr int kStride = kSliceTokensPerThread + 1;  // padded: thread t's ids sit in distinct banks
  __shared__ std::uint32_t staged[kSliceThreads * kStride];  // logits, then candidates' weights
  __shared__ unsigned long long mass[kTopDigitBins];
  __shared__ unsigned long long sums[32];
  const int draw = blockIdx.x, slice = blockIdx.y;
  const SamplingParams p = params[draw];
  if (sampling_is_greedy(p.temperature)) return;  // sample_kernel needs only the slices' greedy choices
  const float* x = draw_logits(logits, vocab, rows, draw);
  const int begin = slice * kSamplingSliceTokens;
  const int t = static_cast<int>(threadIdx.x);
  // Staged with coalesced loads (ids past the vocabulary weigh 0), held in registers while the slices'
  // greedy choices load, so the two wait on memory together.
  float loaded[kSliceTokensPerThread];
R1EVAL_UNROLL
  for (int k = 0; k < kSliceTokensPerThread; ++k) {
    const int i = begin + k * kSliceThreads + t;
    loaded[k] = i < vocab ? x[i] : -INFINITY;
  }
  float best_logit;
  int best_id;
  merge_slice_greedy(scratch, draw, best_logit, best_id);
  const float max_logit = best_id < 0 ? x[0] : best_logit;
  const float inverse_temperature = sampling_inverse_temperature(p.temperature);
R1EVAL_UNROLL
  for (int k = 0; k < kSliceTokensPerThread; ++k) {
    const int local = k * kSliceThreads + t;
    staged[(local / kSliceTokensPerThread) * kStride + local % kSliceTokensPerThread] = float_bits(loaded[k]);
  }
  for (int b = t; b < kTopDigitBins; b += kSliceThreads) mass[b] = 0;
  __syncthreads();

  // Bin 0 (weights under 2^24 of 2^30, most tokens) is summed per thread; the other bins are rare and go
  // through the warp histogram. A candidate's weight replaces its logit in `staged`.
  const ScaledRange weighed = scaled_range(1, kSamplingMaxWeight);
  unsigned long long bin0 = 0;
  unsigned candidate_mask = 0;
  for (int j = 0; j < kSliceTokensPerThread; ++j) {
    std::uint32_t& slot = staged[t * kStride + j];
    const float scaled = sampling_scaled_logit(bits_float(slot), max_logit, inverse_temperature);
    const std::uint32_t w = weighed.may_hold(scaled) ? sampling_weight_of_scaled(scaled) : 0u;
    const unsigned digit = w >> 24;
    if (digit == 0) bin0 += w;
    warp_histogram_add(mass, digit, digit != 0 ? w : 0ull);
    if (w >= kCandidateWeight) {
      candidate_mask |= 1u << j;
      slot = w;
    }
  }
  const unsigned long long bin0_total = block_sum_u64(bin0, sums);
  const unsigned count = static_cast<unsigned>(__popc(candidate_mask));
  unsigned long long total = 0;
  const unsigned long long before = exclusive_scan_u64(count, sums, &total);

  const std::size_t slot0 = static_cast<std::size_t>(draw) * scratch.num_slices + slice;
  std::int32_t* ids = scratch.candidate_ids + slot0 * kSamplingSliceCandidates;
  std::uint32_t* weights = scratch.candidate_weights + slot0 * kSamplingSliceCandidates;
  unsigned long long at = before;
  for (int j = 0; j < kSliceTokensPerThread; ++j) {
    if ((candidate_mask >> j & 1u) == 0) continue;
    if (at < static_cast<unsigned long long>(kSamplingSliceCandidates)) {
      ids[at] = begin + t * kSliceTokensPerThread + j;
      weights[at] = staged[t * kStride + j];
    }
    ++at;
  }
  SampleSlice& out = scratch.slices[slot0];
  for (int b = t; b < kTopDigitBins; b += kSliceThreads) out.top_digit_mass[b] = b == 0 ? bin0_total : mass[b];
  if (t == 0) out.candidates = static_cast<unsigned>(total);
}

}  // namespace r1eval::kernels::cuda_detail
