#include "engine/runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "kernels/philox.h"

namespace r1eval::engine {

float sample_uniform(const SampleKey& key) {
  const kernels::PhiloxKey philox_key{{static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32)}};
  const kernels::PhiloxCounter counter{
      {key.position, key.sample, static_cast<std::uint32_t>(key.request), static_cast<std::uint32_t>(key.request >> 32)}};
  return kernels::philox_uniform(kernels::philox4x32_10(counter, philox_key).v[0]);
}

std::string validate_sampling_params(const SamplingParams& params) {
  if (!(params.temperature >= 0.0) || !std::isfinite(params.temperature)) return "temperature: expected a number >= 0";
  if (!(params.top_p > 0.0 && params.top_p <= 1.0)) return "top_p: expected a number in (0, 1]";
  if (params.top_k < 0) return "top_k: expected 0 (off) or a positive integer";
  if (!(params.min_p >= 0.0 && params.min_p <= 1.0)) return "min_p: expected a number in [0, 1]";
  if (params.max_tokens <= 0) return "max_tokens: expected a positive integer";
  return {};
}

std::int32_t sample_token(std::span<const float> logits, const SamplingParams& params, const SampleKey& key) {
  const auto vocab = static_cast<std::int32_t>(logits.size());
  if (params.temperature == 0.0) {
    return static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
  }
  // Candidates by descending logit, lower id first on ties: a total order independent of the batch.
  std::vector<std::int32_t> order(static_cast<std::size_t>(vocab));
  std::iota(order.begin(), order.end(), 0);
  const auto by_logit = [&](std::int32_t a, std::int32_t b) {
    const float la = logits[static_cast<std::size_t>(a)];
    const float lb = logits[static_cast<std::size_t>(b)];
    return la != lb ? la > lb : a < b;
  };
  std::size_t kept = order.size();
  if (params.top_k > 0 && static_cast<std::size_t>(params.top_k) < kept) {
    kept = static_cast<std::size_t>(params.top_k);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kept), order.end(), by_logit);
  } else {
    std::sort(order.begin(), order.end(), by_logit);
  }
  // Softmax over the kept candidates in double: the filters below compare cumulative masses.
  const double max_logit = logits[static_cast<std::size_t>(order.front())];
  std::vector<double> probs(kept);
  double total = 0.0;
  for (std::size_t i = 0; i < kept; ++i) {
    probs[i] = std::exp((logits[static_cast<std::size_t>(order[i])] - max_logit) / params.temperature);
    total += probs[i];
  }
  if (params.top_p < 1.0) {
    double mass = 0.0;
    std::size_t n = 0;
    while (n < kept && mass < params.top_p * total) mass += probs[n++];
    kept = std::max<std::size_t>(n, 1);
  }
  if (params.min_p > 0.0) {
    const double floor = params.min_p * probs.front();
    std::size_t n = 1;
    while (n < kept && probs[n] >= floor) ++n;
    kept = n;
  }
  total = std::accumulate(probs.begin(), probs.begin() + static_cast<std::ptrdiff_t>(kept), 0.0);
  const double target = static_cast<double>(sample_uniform(key)) * total;
  double cumulative = 0.0;
  for (std::size_t i = 0; i < kept; ++i) {
    cumulative += probs[i];
    if (target < cumulative) return order[i];
  }
  return order[kept - 1];  // rounding left the target at the very top
}

}  // namespace r1eval::engine
