#include "engine/runtime/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace r1eval::engine {
namespace {

SamplingParams with_temperature(double t) {
  SamplingParams p;
  p.temperature = t;
  return p;
}

const std::vector<float> kLogits{0.5f, 2.0f, -1.0f, 1.5f, 2.0f, 0.0f, -3.0f, 1.0f};

TEST(Sampler, GreedyTakesTheLowestIdAmongTies) {
  EXPECT_EQ(sample_token(kLogits, with_temperature(0.0), SampleKey{}), 1);
}

// Filters keep every token tied at their threshold (kernels/sampling.h), so with the tie of tokens 1 and 4 at
// the top, the tightest filters leave exactly those two.
TEST(Sampler, TheTightestFiltersKeepOnlyTheTiedBestTokens) {
  for (std::uint32_t position = 0; position < 200; ++position) {
    const SampleKey key{7, 3, 1, position};
    SamplingParams top_k = with_temperature(1.0), top_p = with_temperature(1.0), min_p = with_temperature(1.0);
    top_k.top_k = 1;
    top_p.top_p = 1e-6;
    min_p.min_p = 1.0;
    for (const SamplingParams& p : {top_k, top_p, min_p}) {
      const std::int32_t token = sample_token(kLogits, p, key);
      EXPECT_TRUE(token == 1 || token == 4) << token;
    }
  }
}

TEST(Sampler, TopKAndTopPNeverPickFilteredTokens) {
  SamplingParams p = with_temperature(1.0);
  p.top_k = 3;  // tokens 1, 4, 3
  SamplingParams q = with_temperature(1.0);
  q.top_p = 0.5;  // tokens 1 and 4 hold 0.59 of the mass, token 1 alone 0.30
  for (std::uint32_t position = 0; position < 500; ++position) {
    const std::int32_t a = sample_token(kLogits, p, SampleKey{1, 2, 0, position});
    EXPECT_TRUE(a == 1 || a == 4 || a == 3) << a;
    const std::int32_t b = sample_token(kLogits, q, SampleKey{1, 2, 0, position});
    EXPECT_TRUE(b == 1 || b == 4) << b;
  }
}

// The draws follow softmax(logits / T): observed frequencies over 40000 keys within 4 standard errors.
TEST(Sampler, FrequenciesFollowTheTemperedSoftmax) {
  const double temperature = 0.7;
  std::vector<double> expected(kLogits.size());
  double total = 0.0;
  for (std::size_t i = 0; i < kLogits.size(); ++i) total += expected[i] = std::exp(kLogits[i] / temperature);
  std::vector<int> counts(kLogits.size(), 0);
  constexpr int kDraws = 40000;
  for (int i = 0; i < kDraws; ++i) {
    ++counts[static_cast<std::size_t>(sample_token(kLogits, with_temperature(temperature),
                                                   SampleKey{42, static_cast<std::uint64_t>(i % 37), static_cast<std::uint32_t>(i % 5),
                                                             static_cast<std::uint32_t>(i / 185)}))];
  }
  for (std::size_t i = 0; i < kLogits.size(); ++i) {
    const double p = expected[i] / total;
    const double sigma = std::sqrt(p * (1 - p) / kDraws);
    EXPECT_NEAR(counts[i] / static_cast<double>(kDraws), p, 4 * sigma + 1e-4) << "token " << i;
  }
}

TEST(Sampler, DrawsDependOnlyOnTheirKey) {
  const SampleKey key{5, 11, 2, 40};
  const float u = sample_uniform(key);
  EXPECT_GE(u, 0.0f);
  EXPECT_LT(u, 1.0f);
  // Interleaving other draws changes nothing: there is no hidden state.
  for (std::uint32_t i = 0; i < 10; ++i) sample_uniform(SampleKey{5, 11, i, 41});
  EXPECT_EQ(sample_uniform(key), u);
  // Each part of the key matters.
  EXPECT_NE(sample_uniform(SampleKey{6, 11, 2, 40}), u);
  EXPECT_NE(sample_uniform(SampleKey{5, 12, 2, 40}), u);
  EXPECT_NE(sample_uniform(SampleKey{5, 11, 3, 40}), u);
  EXPECT_NE(sample_uniform(SampleKey{5, 11, 2, 41}), u);
  EXPECT_NE(sample_uniform(SampleKey{5 + (1ull << 32), 11, 2, 40}), u);
  EXPECT_NE(sample_uniform(SampleKey{5, 11 + (1ull << 32), 2, 40}), u);
}

TEST(Sampler, ValidatesParameters) {
  SamplingParams p;
  EXPECT_EQ(validate_sampling_params(p), "");
  p.temperature = -1;
  EXPECT_NE(validate_sampling_params(p).find("temperature"), std::string::npos);
  p = SamplingParams{};
  p.top_p = 0;
  EXPECT_NE(validate_sampling_params(p).find("top_p"), std::string::npos);
  p = SamplingParams{};
  p.top_k = -2;
  EXPECT_NE(validate_sampling_params(p).find("top_k"), std::string::npos);
  p = SamplingParams{};
  p.min_p = 2;
  EXPECT_NE(validate_sampling_params(p).find("min_p"), std::string::npos);
  p = SamplingParams{};
  p.max_tokens = 0;
  EXPECT_NE(validate_sampling_params(p).find("max_tokens"), std::string::npos);
}

}  // namespace
}  // namespace r1eval::engine
