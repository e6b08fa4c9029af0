// Chooses the next token from logits. Randomness comes from Philox4x32-10 keyed by the seed and counted
// by (request, sample index, position), so a sample's token depends only on its logits and that
// identity: not on the batch it ran in, its order, or whether it was preempted and recomputed.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "engine/runtime/sampling_params.h"
#include "kernels/sampling.h"

namespace r1eval::engine {

// Which draw this is: one per (request, sample, position) under a seed.
struct SampleKey {
  std::uint64_t seed = 0;
  std::uint64_t request = 0;
  std::uint32_t sample = 0;
  std::uint32_t position = 0;  // position of the token being chosen
};

// The uniform number in [0, 1) of `key` (24-bit resolution, identical on host and device).
float sample_uniform(const SampleKey& key);

// Returns "" when `params` are usable, else one line naming the bad field.
std::string validate_sampling_params(const SamplingParams& params);

// The kernels' form of `params` (the filters as kernels/sampling.h takes them).
kernels::SamplingParams kernel_sampling_params(const SamplingParams& params);

// The token chosen from `logits` (one vocabulary row) under `params` for `key`: the kernels' CPU twin
// (kernels/sampling.h), so the CUDA backend chooses the same token for the same logits. Greedy takes the
// lowest id among ties; the filters keep every token tied at their threshold. Logits holding a NaN give
// kernels::sampling_nan_token(the first NaN's id), a negative mark, not a token.
// Precondition: validate_sampling_params(params) is empty and logits is not empty.
std::int32_t sample_token(std::span<const float> logits, const SamplingParams& params, const SampleKey& key);

}  // namespace r1eval::engine
