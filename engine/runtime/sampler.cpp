#include "engine/runtime/sampler.h"

#include <cmath>

#include "kernels/sampling.h"

namespace r1eval::engine {
namespace {

kernels::SampleKey kernel_key(const SampleKey& key) { return {key.seed, key.request, key.sample, key.position}; }

}  // namespace

float sample_uniform(const SampleKey& key) { return kernels::sampling_uniform(kernel_key(key)); }

std::string validate_sampling_params(const SamplingParams& params) {
  if (!(params.temperature >= 0.0) || !std::isfinite(params.temperature)) return "temperature: expected a number >= 0";
  if (!(params.top_p > 0.0 && params.top_p <= 1.0)) return "top_p: expected a number in (0, 1]";
  if (params.top_k < 0) return "top_k: expected 0 (off) or a positive integer";
  if (!(params.min_p >= 0.0 && params.min_p <= 1.0)) return "min_p: expected a number in [0, 1]";
  if (params.max_tokens <= 0) return "max_tokens: expected a positive integer";
  return {};
}

// The kernels' CPU twin decides, so the CPU engine and the CUDA backend choose the same token whenever
// their logits agree (kernels/sampling.h: integer weights, identical rounding on host and device).
kernels::SamplingParams kernel_sampling_params(const SamplingParams& params) {
  return {static_cast<float>(params.temperature), static_cast<float>(params.top_p), params.top_k,
          static_cast<float>(params.min_p)};
}

std::int32_t sample_token(std::span<const float> logits, const SamplingParams& params, const SampleKey& key) {
  const kernels::SamplingParams kernel_params = kernel_sampling_params(params);
  const kernels::SampleKey k = kernel_key(key);
  std::int32_t token = 0;
  kernels::cpu::sample_tokens(logits.data(), 1, static_cast<int>(logits.size()), &kernel_params, &k, &token, nullptr);
  return token;
}

}  // namespace r1eval::engine
