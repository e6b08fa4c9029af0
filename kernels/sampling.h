// Token sampling (temperature, top-k, top-p, min-p, greedy) defined so that the CPU twin and the CUDA
// kernel choose the same token whenever their logits are bitwise equal, whatever the batch:
//  * the one random number per token comes from Philox keyed by (seed, request, sample, position);
//  * probabilities are turned into integer weights by float operations that round identically on host
//    and device (no fused multiply-add, no library exp), and every sum is an exact integer sum, so the
//    order of a parallel reduction cannot change a threshold or the chosen token.
// The engine's CPU sampler calls cpu::sample_tokens; the CUDA backend calls cuda::sample_tokens.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/host_device.h"
#include "kernels/philox.h"

namespace r1eval::kernels {

// temperature <= 0 selects greedy decoding. top_k <= 0 disables top-k; top_p >= 1 disables top-p;
// min_p <= 0 disables min-p. Filters keep ties: every token whose weight equals a threshold stays.
struct SamplingParams {
  float temperature = 1.0f;
  float top_p = 1.0f;
  int top_k = 0;
  float min_p = 0.0f;
};

// Identity of one draw: the run's seed, the request (problem), the sample index within it, and the
// position of the token being chosen. Equal keys give equal random numbers on CPU and GPU.
struct SampleKey {
  std::uint64_t seed = 0;
  std::uint64_t request = 0;
  std::uint32_t sample = 0;
  std::uint32_t position = 0;
};

// Throws std::invalid_argument naming the field unless temperature is finite, top_p in (0, 1],
// top_k >= 0 and min_p in [0, 1]. The kernels themselves never throw on parameters (the CUDA one cannot):
// the engine checks each request once, here.
void validate_sampling_params(const SamplingParams& params);

// The 24 random bits of a draw: word 0 of Philox4x32-10 with key (seed low, seed high) and counter
// (position, sample, request low, request high), top 24 bits.
R1EVAL_HOST_DEVICE std::uint32_t sampling_random_bits(const SampleKey& k) {
  const PhiloxKey key{{static_cast<std::uint32_t>(k.seed), static_cast<std::uint32_t>(k.seed >> 32)}};
  const PhiloxCounter counter{
      {k.position, k.sample, static_cast<std::uint32_t>(k.request), static_cast<std::uint32_t>(k.request >> 32)}};
  return philox4x32_10(counter, key).v[0] >> 8;
}

// The same draw as a float in [0, 1).
R1EVAL_HOST_DEVICE float sampling_uniform(const SampleKey& k) {
  return static_cast<float>(sampling_random_bits(k)) * (1.0f / 16777216.0f);
}

namespace sampling_detail {

// Correctly rounded single operations that the compiler may not fuse (nvcc contracts a*b+c by default;
// the host side is built with -ffp-contract=off).
R1EVAL_HOST_DEVICE float mul_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fmul_rn(a, b);
#else
  return a * b;
#endif
}
R1EVAL_HOST_DEVICE float add_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fadd_rn(a, b);
#else
  return a + b;
#endif
}
R1EVAL_HOST_DEVICE float div_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
  return __fdiv_rn(a, b);
#else
  return a / b;
#endif
}
R1EVAL_HOST_DEVICE double dmul_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}

}  // namespace sampling_detail

// Weights are probabilities relative to the most likely token, in units of 2^-30: the top token weighs
// exactly 2^30 and tokens below 2^-30 of it weigh 0 (never sampled).
inline constexpr int kSamplingWeightBits = 30;
inline constexpr std::uint32_t kSamplingMaxWeight = 1u << kSamplingWeightBits;

// exp(x) for x <= 0, bit-identical on host and device (Cody-Waite reduction, degree-6 polynomial,
// relative error ~1e-7); 0 below -21 (where the weight is 0 anyway) and for NaN; exp(0) == 1 exactly.
R1EVAL_HOST_DEVICE float sampling_exp(float x) {
  using namespace sampling_detail;
  if (!(x > -21.0f)) return 0.0f;
  if (x > 0.0f) x = 0.0f;
  const float n = floorf(add_rn(mul_rn(x, 1.44269504088896341f), 0.5f));
  float r = add_rn(x, -mul_rn(n, 0.693145751953125f));  // ln 2, high part: n * it is exact
  r = add_rn(r, -mul_rn(n, 1.42860682030941723e-6f));   // ln 2, low part
  float p = 1.0f / 720.0f;
  p = add_rn(mul_rn(p, r), 1.0f / 120.0f);
  p = add_rn(mul_rn(p, r), 1.0f / 24.0f);
  p = add_rn(mul_rn(p, r), 1.0f / 6.0f);
  p = add_rn(mul_rn(p, r), 0.5f);
  p = add_rn(mul_rn(p, r), 1.0f);
  p = add_rn(mul_rn(p, r), 1.0f);
  const float two_to_n = bits_float(static_cast<std::uint32_t>(127 + static_cast<int>(n)) << 23);
  return mul_rn(p, two_to_n);
}

// 1 / temperature, rounded the same way everywhere.
R1EVAL_HOST_DEVICE float sampling_inverse_temperature(float temperature) {
  return sampling_detail::div_rn(1.0f, temperature);
}

// Greedy decoding: temperature <= 0, or so small that 1 / temperature overflows.
R1EVAL_HOST_DEVICE bool sampling_is_greedy(float temperature) {
  return !(temperature > 0.0f) || !(sampling_inverse_temperature(temperature) < 3.0e38f);
}

// Greedy order: NaN first (a row holding one gives no token, below), then a larger logit, then the lower
// id. A total order, so a parallel reduction with it returns the same id as a scan, and the greedy pass
// that every draw makes anyway finds a NaN for nothing. best_id < 0 means "nothing yet".
R1EVAL_HOST_DEVICE bool sampling_greedy_better(float logit, int id, float best_logit, int best_id) {
  if (best_id < 0) return true;
  const bool nan = logit != logit, best_nan = best_logit != best_logit;
  if (nan != best_nan) return nan;
  if (nan) return id < best_id;
  return logit > best_logit || (logit == best_logit && id < best_id);
}

// What a draw from a row holding a NaN logit gives instead of a token: -1 - (the lowest such id), negative
// so that no caller can take it for a token. A NaN logit means weights or config values that overflow in
// the forward pass; sampled around, it would make a sample of garbage that looks generated.
R1EVAL_HOST_DEVICE std::int32_t sampling_nan_token(int id) { return -1 - id; }
R1EVAL_HOST_DEVICE int sampling_nan_token_id(std::int32_t token) { return -1 - token; }

// (logit - max_logit) / temperature, the argument of a token's weight, rounded the same way everywhere.
R1EVAL_HOST_DEVICE float sampling_scaled_logit(float logit, float max_logit, float inverse_temperature) {
  using namespace sampling_detail;
  return mul_rn(add_rn(logit, -max_logit), inverse_temperature);
}

// Integer weight of a scaled logit: 2^30 exp(x), truncated.
R1EVAL_HOST_DEVICE std::uint32_t sampling_weight_of_scaled(float x) {
  using namespace sampling_detail;
  const float scaled = mul_rn(sampling_exp(x), static_cast<float>(kSamplingMaxWeight));
  const std::uint32_t w = static_cast<std::uint32_t>(scaled);
  return w > kSamplingMaxWeight ? kSamplingMaxWeight : w;
}

// Integer weight of a logit given the row's largest logit.
R1EVAL_HOST_DEVICE std::uint32_t sampling_weight(float logit, float max_logit, float inverse_temperature) {
  return sampling_weight_of_scaled(sampling_scaled_logit(logit, max_logit, inverse_temperature));
}

// Top-p keeps the tokens of weight >= tau for the largest tau whose kept mass reaches this target.
R1EVAL_HOST_DEVICE std::uint64_t sampling_top_p_target(float top_p, std::uint64_t mass) {
  if (!(top_p < 1.0f)) return mass;
  const double product = sampling_detail::dmul_rn(static_cast<double>(top_p), static_cast<double>(mass));
  std::uint64_t target = static_cast<std::uint64_t>(ceil(product > 0.0 ? product : 0.0));
  if (target < 1) target = 1;
  return target > mass ? mass : target;
}

// Min-p keeps tokens whose weight is at least min_p times the top token's weight (2^30).
R1EVAL_HOST_DEVICE std::uint32_t sampling_min_p_threshold(float min_p) {
  if (!(min_p > 0.0f)) return 1;
  if (!(min_p < 1.0f)) return kSamplingMaxWeight;
  const double product = sampling_detail::dmul_rn(static_cast<double>(min_p), static_cast<double>(kSamplingMaxWeight));
  const std::uint32_t threshold = static_cast<std::uint32_t>(ceil(product));
  return threshold < 1 ? 1 : threshold;
}

// The draw: floor(mass * bits / 2^24), exact for mass < 2^50 without 128-bit arithmetic. The chosen
// token is the first, in token-id order, at which the running sum of kept weights exceeds it.
R1EVAL_HOST_DEVICE std::uint64_t sampling_draw_target(std::uint64_t kept_mass, std::uint32_t random_bits) {
  const std::uint64_t high = kept_mass >> 32, low = kept_mass & 0xffffffffull;
  return ((high * random_bits) << 8) + ((low * random_bits) >> 24);
}

// The CUDA sampler's workspace (the CPU twin needs none). With one, a draw's vocabulary is cut into slices
// of kSamplingSliceTokens handled by blocks of their own, and a top-p draw is finished from each slice's
// summary (largest logit, weight masses by top digit, kSamplingSliceSummaryBytes) and its candidates (up to
// kSamplingSliceCandidates tokens of large weight, 8 bytes each): at small batches its rows then run on
// many SMs instead of one each. 0 bytes (no split) past kSamplingMaxSlices slices.
inline constexpr int kSamplingSliceTokens = 8192;
inline constexpr int kSamplingSliceCandidates = 256;
inline constexpr int kSamplingMaxSlices = 64;
inline constexpr std::size_t kSamplingSliceSummaryBytes = 16 + 65 * 8;
inline int sampling_slices(int vocab) { return (vocab + kSamplingSliceTokens - 1) / kSamplingSliceTokens; }
inline std::size_t sampling_workspace_bytes(int num_draws, int vocab) {
  if (num_draws <= 0 || vocab <= 0 || sampling_slices(vocab) > kSamplingMaxSlices) return 0;
  const std::size_t slices = static_cast<std::size_t>(num_draws) * static_cast<std::size_t>(sampling_slices(vocab));
  return slices * (kSamplingSliceSummaryBytes + kSamplingSliceCandidates * (sizeof(std::int32_t) + sizeof(std::uint32_t)));
}

// For each row r: logits[r * vocab ...] (fp32) are sampled under params[r] with keys[r]; tokens[r] gets
// the id. A row holding a NaN gives sampling_nan_token(its first NaN's id), whatever the parameters.
// Greedy picks the largest logit (lowest id on ties). Otherwise: weights as above; keep weight >= tau_k
// (the k-th largest weight), then, within those, weight >= tau_p (top-p of their mass), and weight >= the
// min-p threshold; draw by sampling_draw_target over the kept weights in id order. If every weight is 0
// (all logits -inf) the greedy choice is returned.
// For the CUDA kernel every pointer is device memory; `workspace` (device memory of
// sampling_workspace_bytes(rows or draws, vocab), or null for one block per draw; R1EVAL_SPLIT_SAMPLING=0 in
// the environment makes the CUDA sampler ignore it too) is scratch the CPU twin ignores. The chosen tokens do
// not depend on it.
//
// sample_token_rows is the same with a row per draw: draw d reads logits row rows[d] (0 <= rows[d] < the
// rows of `logits`, unchecked), so several draws may share a row (the samples of one prompt) and a row
// may go undrawn. params, keys and tokens have num_draws entries.
namespace cpu {
void sample_tokens(const float* logits, int num_rows, int vocab, const SamplingParams* params, const SampleKey* keys,
                   std::int32_t* tokens, std::byte* workspace, Stream stream = nullptr);
void sample_token_rows(const float* logits, int vocab, const std::int32_t* rows, int num_draws,
                       const SamplingParams* params, const SampleKey* keys, std::int32_t* tokens,
                       std::byte* workspace, Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
void sample_tokens(const float* logits, int num_rows, int vocab, const SamplingParams* params, const SampleKey* keys,
                   std::int32_t* tokens, std::byte* workspace, Stream stream = nullptr);
void sample_token_rows(const float* logits, int vocab, const std::int32_t* rows, int num_draws,
                       const SamplingParams* params, const SampleKey* keys, std::int32_t* tokens,
                       std::byte* workspace, Stream stream = nullptr);
}  // namespace cuda

}  // namespace r1eval::kernels
