// Sampling: the CPU twin against a naive reference that sorts all tokens (same token expected exactly),
// the weights against std::exp, and empirical frequencies against the filtered softmax in double.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>

#include "kernel_test_support.h"
#include "kernels/sampling.h"

namespace r1eval::kernels {
namespace {

__extension__ typedef unsigned __int128 u128;

int naive_sample(const std::vector<float>& logits, const SamplingParams& p, const SampleKey& key) {
  const int vocab = static_cast<int>(logits.size());
  int best = -1;
  for (int i = 0; i < vocab; ++i)
    if (!std::isnan(logits[static_cast<std::size_t>(i)]) &&
        (best < 0 || logits[static_cast<std::size_t>(i)] > logits[static_cast<std::size_t>(best)]))
      best = i;
  const int greedy = best < 0 ? 0 : best;
  if (sampling_is_greedy(p.temperature)) return greedy;
  const float max_logit = logits[static_cast<std::size_t>(greedy)];
  std::vector<std::uint64_t> w(static_cast<std::size_t>(vocab));
  for (int i = 0; i < vocab; ++i)
    w[static_cast<std::size_t>(i)] =
        sampling_weight(logits[static_cast<std::size_t>(i)], max_logit, sampling_inverse_temperature(p.temperature));
  std::vector<int> order(static_cast<std::size_t>(vocab));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return w[static_cast<std::size_t>(a)] > w[static_cast<std::size_t>(b)]; });
  std::uint64_t tau = 1;
  if (p.top_k > 0 && p.top_k < vocab) tau = std::max(tau, w[static_cast<std::size_t>(order[static_cast<std::size_t>(p.top_k - 1)])]);
  std::uint64_t mass = 0;
  for (std::uint64_t x : w) mass += x >= tau ? x : 0;
  if (mass == 0) return greedy;
  if (p.top_p < 1.0f) {
    const std::uint64_t target = sampling_top_p_target(p.top_p, mass);
    std::uint64_t cumulative = 0;
    for (int id : order) {
      const std::uint64_t x = w[static_cast<std::size_t>(id)];
      if (x < tau) break;
      cumulative += x;
      if (cumulative >= target) {
        tau = std::max(tau, x);
        break;
      }
    }
  }
  tau = std::max<std::uint64_t>(tau, sampling_min_p_threshold(p.min_p));
  std::uint64_t kept = 0;
  for (std::uint64_t x : w) kept += x >= tau ? x : 0;
  const std::uint64_t target = static_cast<std::uint64_t>((static_cast<u128>(kept) * sampling_random_bits(key)) >> 24);
  std::uint64_t cumulative = 0;
  for (int i = 0; i < vocab; ++i) {
    if (w[static_cast<std::size_t>(i)] < tau) continue;
    cumulative += w[static_cast<std::size_t>(i)];
    if (cumulative > target) return i;
  }
  ADD_FAILURE() << "naive reference found no token";
  return -1;
}

TEST(SamplingMath, ExpMatchesStdExp) {
  EXPECT_EQ(sampling_exp(0.0f), 1.0f);
  EXPECT_EQ(sampling_exp(-22.0f), 0.0f);
  EXPECT_EQ(sampling_exp(std::nanf("")), 0.0f);
  double worst = 0;
  for (float x = -20.9f; x <= 0.0f; x += 0.00137f) {
    const double expected = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(sampling_exp(x) - expected) / expected);
  }
  EXPECT_LT(worst, 5e-7);
}

TEST(SamplingMath, DrawTargetIsExactProductShift) {
  std::mt19937_64 rng(81);
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t mass = rng() >> 14;  // < 2^50
    const std::uint32_t bits = static_cast<std::uint32_t>(rng()) >> 8;
    const std::uint64_t expected = static_cast<std::uint64_t>((static_cast<u128>(mass) * bits) >> 24);
    ASSERT_EQ(sampling_draw_target(mass, bits), expected) << mass << " * " << bits;
    ASSERT_LT(expected, std::max<std::uint64_t>(mass, 1));
  }
}

TEST(SamplingKeys, SameKeySameDrawAndEachFieldMatters) {
  const SampleKey base{42, 7, 3, 100};
  EXPECT_EQ(sampling_random_bits(base), sampling_random_bits(SampleKey{42, 7, 3, 100}));
  std::vector<std::uint32_t> draws = {sampling_random_bits(base), sampling_random_bits({43, 7, 3, 100}),
                                      sampling_random_bits({42, 8, 3, 100}), sampling_random_bits({42, 7, 4, 100}),
                                      sampling_random_bits({42, 7, 3, 101}), sampling_random_bits({42 + (1ull << 32), 7, 3, 100}),
                                      sampling_random_bits({42, 7 + (1ull << 32), 3, 100})};
  std::sort(draws.begin(), draws.end());
  EXPECT_EQ(std::unique(draws.begin(), draws.end()), draws.end());
  for (std::uint32_t d : draws) EXPECT_LT(d, 1u << 24);
  // The key layout is part of the contract: word 0 of Philox under (seed lo, seed hi), counter
  // (position, sample, request lo, request hi).
  EXPECT_EQ(sampling_random_bits(base), philox4x32_10({{100, 3, 7, 0}}, {{42, 0}}).v[0] >> 8);
}

std::vector<float> random_logits(int vocab, float spread, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, spread);
  std::vector<float> v(static_cast<std::size_t>(vocab));
  for (float& x : v) x = dist(rng);
  return v;
}

TEST(SampleTokens, MatchesNaiveReferenceExactly) {
  std::mt19937 rng(91);
  const SamplingParams settings[] = {{0.6f, 0.95f, 0, 0.0f}, {1.0f, 1.0f, 0, 0.0f},  {0.7f, 0.8f, 20, 0.0f},
                                     {1.3f, 1.0f, 5, 0.05f}, {0.0f, 1.0f, 0, 0.0f},  {0.9f, 0.5f, 1, 0.0f},
                                     {2.0f, 0.99f, 0, 0.2f}, {0.6f, 0.95f, 50000, 0.0f}};
  int rows = 0;
  for (int vocab : {1, 7, 1000, 151936}) {
    for (const SamplingParams& p : settings) {
      for (int trial = 0; trial < (vocab > 10000 ? 2 : 12); ++trial) {
        std::vector<float> logits = random_logits(vocab, trial % 2 ? 6.0f : 1.5f, rng);
        if (vocab > 5 && trial % 3 == 0) logits[3] = logits[4] = logits[5] = 9.0f;  // ties at the top
        const SampleKey key{1234, static_cast<std::uint64_t>(trial), 2, static_cast<std::uint32_t>(vocab + rows)};
        std::int32_t token = -1;
        cpu::sample_tokens(logits.data(), 1, vocab, &p, &key, &token, nullptr);
        ASSERT_EQ(token, naive_sample(logits, p, key))
            << "vocab " << vocab << " T " << p.temperature << " top_p " << p.top_p << " top_k " << p.top_k;
        ++rows;
      }
    }
  }
}

// Nearly flat logits: the last token a threshold keeps is as likely as any other, so a threshold off by
// one token would change some of these draws.
TEST(SampleTokens, ThresholdsOnFlatLogitsMatchNaiveReference) {
  const int vocab = 2000;
  std::vector<float> logits(static_cast<std::size_t>(vocab));
  for (int i = 0; i < vocab; ++i) logits[static_cast<std::size_t>(i)] = -0.0001f * static_cast<float>((i * 7) % vocab);
  const SamplingParams settings[] = {{1.0f, 1.0f, 5, 0.0f}, {1.0f, 0.001f, 0, 0.0f}, {1.0f, 1.0f, 0, 0.9995f}};
  for (const SamplingParams& p : settings)
    for (std::uint32_t sample = 0; sample < 40; ++sample) {
      const SampleKey key{5, 6, sample, 7};
      std::int32_t token = -1;
      cpu::sample_tokens(logits.data(), 1, vocab, &p, &key, &token, nullptr);
      ASSERT_EQ(token, naive_sample(logits, p, key)) << "top_k " << p.top_k << " top_p " << p.top_p << " min_p " << p.min_p;
    }
}

TEST(SampleTokens, GreedyPicksLowestIdOfMaximum) {
  const std::vector<float> logits = {1.0f, -INFINITY, 3.0f, 3.0f, -INFINITY};
  const SamplingParams greedy{0.0f, 1.0f, 0, 0.0f};
  const SampleKey key{};
  std::int32_t token = -1;
  cpu::sample_tokens(logits.data(), 1, 5, &greedy, &key, &token, nullptr);
  EXPECT_EQ(token, 2);
  const std::vector<float> hopeless = {-INFINITY, -INFINITY, -INFINITY};
  const SamplingParams hot{1.0f, 0.9f, 0, 0.0f};
  cpu::sample_tokens(hopeless.data(), 1, 3, &hot, &key, &token, nullptr);
  EXPECT_EQ(token, 0);
}

// A row holding a NaN gives no token under any setting: the mark of its first NaN, which no caller can take
// for a token; the batch's other rows are drawn as they would be alone.
TEST(SampleTokens, ARowHoldingNanGivesTheMarkOfItsFirstNan) {
  const int vocab = 300;
  const SamplingParams settings[] = {{0.0f, 1.0f, 0, 0.0f}, {0.6f, 0.95f, 0, 0.0f}, {1.0f, 1.0f, 20, 0.0f},
                                     {1.0f, 1.0f, 0, 0.1f}, {1.0f, 1.0f, 0, 0.0f}};
  std::vector<float> logits = testing::random_floats(static_cast<std::size_t>(vocab) * 2, -4.0f, 4.0f, 29);
  logits[vocab + 201] = std::nanf("");
  logits[vocab + 57] = -std::nanf("");  // the sign bit set: still NaN
  logits[vocab + 250] = std::nanf("");
  for (const SamplingParams& p : settings) {
    const std::vector<SamplingParams> params(2, p);
    const std::vector<SampleKey> keys = {SampleKey{1, 2, 3, 4}, SampleKey{1, 2, 4, 4}};
    std::vector<std::int32_t> tokens(2, 0), alone(1, 0);
    cpu::sample_tokens(logits.data(), 2, vocab, params.data(), keys.data(), tokens.data(), nullptr);
    cpu::sample_tokens(logits.data(), 1, vocab, params.data(), keys.data(), alone.data(), nullptr);
    EXPECT_EQ(tokens[0], alone[0]);
    EXPECT_GE(tokens[0], 0);
    EXPECT_EQ(tokens[1], sampling_nan_token(57)) << "temperature " << p.temperature;
    EXPECT_EQ(sampling_nan_token_id(tokens[1]), 57);
  }
}

// A draw from a chosen row is the draw from that row alone: the samples of one prompt sharing its row
// differ only through their keys.
TEST(SampleTokenRows, EachDrawIsTheSingleRowDraw) {
  const int vocab = 500, rows = 4;
  const std::vector<float> logits = testing::random_floats(static_cast<std::size_t>(rows) * vocab, -4.0f, 4.0f, 5);
  const std::vector<std::int32_t> row_of_draw = {3, 1, 1, 1, 3, 0};
  std::vector<SamplingParams> params;
  std::vector<SampleKey> keys;
  for (std::size_t d = 0; d < row_of_draw.size(); ++d) {
    params.push_back(d % 2 == 0 ? SamplingParams{0.6f, 0.95f, 0, 0.0f} : SamplingParams{1.0f, 1.0f, 20, 0.0f});
    keys.push_back(SampleKey{11, 2, static_cast<std::uint32_t>(d), 9});
  }
  std::vector<std::int32_t> tokens(row_of_draw.size(), -1);
  cpu::sample_token_rows(logits.data(), vocab, row_of_draw.data(), static_cast<int>(row_of_draw.size()), params.data(),
                         keys.data(), tokens.data(), nullptr);
  for (std::size_t d = 0; d < row_of_draw.size(); ++d) {
    std::int32_t alone = -1;
    cpu::sample_tokens(logits.data() + static_cast<std::size_t>(row_of_draw[d]) * vocab, 1, vocab, &params[d], &keys[d],
                       &alone, nullptr);
    EXPECT_EQ(tokens[d], alone) << "draw " << d;
  }
  EXPECT_THROW(cpu::sample_token_rows(logits.data(), 0, row_of_draw.data(), 1, params.data(), keys.data(), tokens.data(), nullptr),
               std::invalid_argument);
}

// Empirical frequencies over many positions against the filtered softmax computed in double.
void check_distribution(const std::vector<float>& logits, const SamplingParams& p, const std::vector<double>& expected) {
  const int vocab = static_cast<int>(logits.size()), draws = 40000;
  std::vector<int> counts(static_cast<std::size_t>(vocab), 0);
  std::vector<float> batch;
  std::vector<SamplingParams> params(static_cast<std::size_t>(draws), p);
  std::vector<SampleKey> keys(static_cast<std::size_t>(draws));
  for (int i = 0; i < draws; ++i) {
    batch.insert(batch.end(), logits.begin(), logits.end());
    keys[static_cast<std::size_t>(i)] = SampleKey{5, 9, 0, static_cast<std::uint32_t>(i)};
  }
  std::vector<std::int32_t> tokens(static_cast<std::size_t>(draws));
  cpu::sample_tokens(batch.data(), draws, vocab, params.data(), keys.data(), tokens.data(), nullptr);
  for (std::int32_t t : tokens) ++counts[static_cast<std::size_t>(t)];
  for (int i = 0; i < vocab; ++i) {
    const double e = expected[static_cast<std::size_t>(i)];
    const double sigma = std::sqrt(draws * e * (1 - e)) + 1.0;
    EXPECT_NEAR(counts[static_cast<std::size_t>(i)], draws * e, 5 * sigma) << "token " << i;
  }
}

TEST(SampleTokens, FrequenciesFollowTheFilteredSoftmax) {
  const std::vector<float> logits = {2.0f, 1.0f, 0.5f, 0.0f, -1.0f, -3.0f};
  auto softmax = [&](double temperature, std::vector<bool> keep) {
    std::vector<double> p(logits.size());
    double total = 0;
    for (std::size_t i = 0; i < logits.size(); ++i)
      total += (p[i] = keep[i] ? std::exp((logits[i] - 2.0) / temperature) : 0.0);
    for (double& x : p) x /= total;
    return p;
  };
  // Plain temperature.
  check_distribution(logits, {0.8f, 1.0f, 0, 0.0f}, softmax(0.8, {true, true, true, true, true, true}));
  // T = 1: probabilities .55 .20 .12 .07 .03 .004 -> top-p 0.8 keeps the first three (cumulative .87).
  check_distribution(logits, {1.0f, 0.8f, 0, 0.0f}, softmax(1.0, {true, true, true, false, false, false}));
  // Top-k 2.
  check_distribution(logits, {1.0f, 1.0f, 2, 0.0f}, softmax(1.0, {true, true, false, false, false, false}));
  // Min-p 0.1 of the top probability: exp(-2) = .135 stays, exp(-3) = .05 goes.
  check_distribution(logits, {1.0f, 1.0f, 0, 0.1f}, softmax(1.0, {true, true, true, true, false, false}));
}

TEST(SamplingParams, ValidationNamesTheField) {
  EXPECT_NO_THROW(validate_sampling_params({0.6f, 0.95f, 0, 0.0f}));
  try {
    validate_sampling_params({0.6f, 1.5f, 0, 0.0f});
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("top_p"), std::string::npos);
  }
  EXPECT_THROW(validate_sampling_params({std::nanf(""), 1.0f, 0, 0.0f}), std::invalid_argument);
  EXPECT_THROW(validate_sampling_params({1.0f, 1.0f, -1, 0.0f}), std::invalid_argument);
  EXPECT_THROW(validate_sampling_params({1.0f, 1.0f, 0, 1.5f}), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::kernels
