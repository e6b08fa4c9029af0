#include "kernels/sampling.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace r1eval::kernels::cpu {

namespace {

struct Greedy {
  int id;
  float logit;
};

Greedy greedy_choice(const float* logits, int vocab) {
  Greedy best{-1, 0.0f};
  for (int i = 0; i < vocab; ++i)
    if (sampling_greedy_better(logits[i], i, best.logit, best.id)) best = {i, logits[i]};
  return best;
}

std::uint64_t mass_at_least(const std::vector<std::uint32_t>& weights, std::uint32_t threshold) {
  std::uint64_t mass = 0;
  for (std::uint32_t w : weights)
    if (w >= threshold) mass += w;
  return mass;
}

std::int32_t sample_row(const float* logits, int vocab, const SamplingParams& params, const SampleKey& key,
                        std::vector<std::uint32_t>& weights, std::vector<std::uint32_t>& scratch) {
  const Greedy greedy = greedy_choice(logits, vocab);
  if (std::isnan(greedy.logit)) return sampling_nan_token(greedy.id);
  if (sampling_is_greedy(params.temperature)) return greedy.id;

  const float inverse_temperature = sampling_inverse_temperature(params.temperature);
  for (int i = 0; i < vocab; ++i)
    weights[static_cast<std::size_t>(i)] = sampling_weight(logits[i], greedy.logit, inverse_temperature);

  // Top-k: the k-th largest weight (ties stay).
  std::uint32_t threshold = 1;
  if (params.top_k > 0 && params.top_k < vocab) {
    scratch = weights;
    const auto kth = scratch.begin() + (params.top_k - 1);
    std::nth_element(scratch.begin(), kth, scratch.end(), std::greater<>());
    threshold = std::max(threshold, *kth);
  }
  const std::uint64_t top_k_mass = mass_at_least(weights, threshold);
  if (top_k_mass == 0) return greedy.id;

  // Top-p: walking the kept weights from the largest, the value at which the mass reaches the target.
  if (params.top_p < 1.0f) {
    const std::uint64_t target = sampling_top_p_target(params.top_p, top_k_mass);
    scratch.clear();
    for (std::uint32_t w : weights)
      if (w >= threshold) scratch.push_back(w);
    std::sort(scratch.begin(), scratch.end(), std::greater<>());
    std::uint64_t cumulative = 0;
    for (std::uint32_t w : scratch) {
      cumulative += w;
      if (cumulative >= target) {
        threshold = std::max(threshold, w);
        break;
      }
    }
  }
  threshold = std::max(threshold, sampling_min_p_threshold(params.min_p));

  const std::uint64_t kept_mass = mass_at_least(weights, threshold);
  const std::uint64_t target = sampling_draw_target(kept_mass, sampling_random_bits(key));
  std::uint64_t cumulative = 0;
  for (int i = 0; i < vocab; ++i) {
    const std::uint32_t w = weights[static_cast<std::size_t>(i)];
    if (w < threshold) continue;
    cumulative += w;
    if (cumulative > target) return i;
  }
  return greedy.id;  // unreachable: target < kept_mass
}

}  // namespace

namespace {

void check_shape(const char* what, int draws, int vocab) {
  if (draws < 0) throw std::invalid_argument(std::string(what) + ": draws must be >= 0, got " + std::to_string(draws));
  if (vocab <= 0) throw std::invalid_argument(std::string(what) + ": vocab must be > 0, got " + std::to_string(vocab));
}

}  // namespace

void sample_tokens(const float* logits, int num_rows, int vocab, const SamplingParams* params, const SampleKey* keys,
                   std::int32_t* tokens, std::byte*, Stream) {
  check_shape("sample_tokens", num_rows, vocab);
  std::vector<std::uint32_t> weights(static_cast<std::size_t>(vocab)), scratch;
  for (int r = 0; r < num_rows; ++r)
    tokens[r] = sample_row(logits + static_cast<std::size_t>(r) * vocab, vocab, params[r], keys[r], weights, scratch);
}

void sample_token_rows(const float* logits, int vocab, const std::int32_t* rows, int num_draws,
                       const SamplingParams* params, const SampleKey* keys, std::int32_t* tokens, std::byte*,
                       Stream) {
  check_shape("sample_token_rows", num_draws, vocab);
  std::vector<std::uint32_t> weights(static_cast<std::size_t>(vocab)), scratch;
  for (int d = 0; d < num_draws; ++d) {
    const float* row = logits + static_cast<std::size_t>(rows[d]) * static_cast<std::size_t>(vocab);
    tokens[d] = sample_row(row, vocab, params[d], keys[d], weights, scratch);
  }
}

}  // namespace r1eval::kernels::cpu
