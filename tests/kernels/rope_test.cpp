// Rotary embedding + paged KV write: CPU twin against a naive double-precision rotation, and the
// inverse frequencies (plain and Llama 3 scaled) against the formulas written out independently.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "kernel_test_support.h"
#include "kernels/rope.h"

namespace r1eval::kernels {
namespace {

using testing::convert;
using testing::random_bf16;
using testing::random_floats;

TEST(RopeFrequencies, PlainThetaPowers) {
  const std::vector<float> f = rope_inverse_frequencies(RopeConfig{10000.0f}, 8);
  ASSERT_EQ(f.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(f[static_cast<std::size_t>(i)], std::pow(10000.0, -2.0 * i / 8), 1e-7);
}

TEST(RopeFrequencies, Llama3ScalingBands) {
  RopeConfig config;  // Llama 3.1 / 3.3: theta 500000, factor 8, low 1, high 4, original 8192
  config.theta = 500000.0f;
  config.scaling = RopeConfig::Scaling::kLlama3;
  const int d = 128;
  const std::vector<float> scaled = rope_inverse_frequencies(config, d);
  int high = 0, low = 0, blended = 0;
  for (int i = 0; i < d / 2; ++i) {
    const double base = std::pow(500000.0, -2.0 * i / d);
    const double wavelength = 2 * std::numbers::pi / base;
    double expected;
    if (wavelength < 8192.0 / 4.0) {
      expected = base;
      ++high;
    } else if (wavelength > 8192.0 / 1.0) {
      expected = base / 8.0;
      ++low;
    } else {
      const double smooth = (8192.0 / wavelength - 1.0) / (4.0 - 1.0);
      expected = (1 - smooth) * base / 8.0 + smooth * base;
      ++blended;
    }
    EXPECT_NEAR(scaled[static_cast<std::size_t>(i)], expected, 2e-6 * expected) << "pair " << i;
  }
  EXPECT_GT(high, 0);
  EXPECT_GT(low, 0);
  EXPECT_GT(blended, 0);
}

TEST(RopeFrequencies, LinearScalingDividesEveryFrequency) {
  RopeConfig config;
  config.scaling = RopeConfig::Scaling::kLinear;
  config.factor = 4.0f;
  const std::vector<float> plain = rope_inverse_frequencies(RopeConfig{}, 16);
  const std::vector<float> scaled = rope_inverse_frequencies(config, 16);
  for (std::size_t i = 0; i < plain.size(); ++i) EXPECT_EQ(scaled[i], plain[i] / 4.0f) << "pair " << i;
  config.factor = 0.0f;
  EXPECT_THROW(rope_inverse_frequencies(config, 16), std::invalid_argument);
}

TEST(RopeFrequencies, RejectsBadConfig) {
  EXPECT_THROW(rope_inverse_frequencies(RopeConfig{}, 7), std::invalid_argument);
  EXPECT_THROW(rope_inverse_frequencies(RopeConfig{0.0f}, 8), std::invalid_argument);
  RopeConfig bad;
  bad.scaling = RopeConfig::Scaling::kLlama3;
  bad.low_freq_factor = 4.0f;
  bad.high_freq_factor = 1.0f;
  EXPECT_THROW(rope_inverse_frequencies(bad, 8), std::invalid_argument);
}

// with_norm: Qwen3's per-head RMSNorm of q and k (qk_norm_rope_write_kv) before the rotation, in double here.
// pairs < head_dim / 2: a partial rotary embedding (Phi-4-mini); rotary_scale: YaRN's / LongRoPE's factor.
template <typename T>
void check_rope_write(int num_q_heads, int num_kv_heads, int head_dim, int block_size, std::uint32_t seed,
                      bool with_norm = false, int pairs = -1, float rotary_scale = 1.0f) {
  if (pairs < 0) pairs = head_dim / 2;
  const int tokens = 9, num_blocks = 5;
  const int row = (num_q_heads + 2 * num_kv_heads) * head_dim;
  const std::vector<float> input = random_floats(static_cast<std::size_t>(tokens) * row, -2.0f, 2.0f, seed);
  std::vector<T> qkv = convert<T>(input);
  const std::vector<T> original = qkv;
  const std::vector<std::int32_t> positions = {0, 1, 2, 7, 100, 4095, 32767, 40000, 5};
  // Slots in scrambled blocks; -1 is padding and must not be written.
  const std::vector<std::int64_t> slots = {3 * block_size + 0, 3 * block_size + 1, 0, -1, 4 * block_size + 2,
                                           block_size - 1,     2 * block_size,     1, 4 * block_size + block_size - 1};
  const std::size_t pool = static_cast<std::size_t>(num_blocks) * num_kv_heads * block_size * head_dim;
  std::vector<bf16> key(pool, to_bf16(-7.0f)), value(pool, to_bf16(-7.0f));
  const KvCacheView cache{key.data(), value.data(), num_blocks, block_size, num_kv_heads, head_dim};
  RopeConfig config;
  config.theta = 1000000.0f;
  const std::vector<float> inv_freq = rope_inverse_frequencies(config, std::max(2 * pairs, 2));
  const Rotary rotary{pairs > 0 ? inv_freq.data() : nullptr, pairs, rotary_scale};
  const std::vector<bf16> q_weight = random_bf16(static_cast<std::size_t>(head_dim), 0.5f, 1.5f, seed + 1);
  const std::vector<bf16> k_weight = random_bf16(static_cast<std::size_t>(head_dim), 0.5f, 1.5f, seed + 2);
  const float eps = 1e-6f;
  if (with_norm) {
    cpu::qk_norm_rope_write_kv<T>(qkv.data(), tokens, num_q_heads, HeadNorm{q_weight.data(), k_weight.data(), eps},
                                  positions.data(), slots.data(), rotary, cache);
  } else {
    cpu::rope_write_kv<T>(qkv.data(), tokens, num_q_heads, positions.data(), slots.data(), rotary, cache);
  }

  const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-2;
  std::vector<bool> written(pool, false);
  for (int t = 0; t < tokens; ++t) {
    for (int h = 0; h < num_q_heads + 2 * num_kv_heads; ++h) {
      const bool rotated = h < num_q_heads + num_kv_heads;
      const std::size_t head = static_cast<std::size_t>(t) * row + static_cast<std::size_t>(h) * head_dim;
      double scale = 1.0;
      if (with_norm && rotated) {
        double squares = 0.0;
        for (int i = 0; i < head_dim; ++i) squares += std::pow(load_as_float(original[head + i]), 2);
        scale = 1.0 / std::sqrt(squares / head_dim + eps);
      }
      const std::vector<bf16>& weight = h < num_q_heads ? q_weight : k_weight;
      const auto normed = [&](int i) {
        const double x = load_as_float(original[head + static_cast<std::size_t>(i)]);
        return with_norm && rotated ? x * scale * to_float(weight[static_cast<std::size_t>(i)]) : x;
      };
      std::vector<double> expected(static_cast<std::size_t>(head_dim));
      for (int i = 0; i < head_dim; ++i) expected[static_cast<std::size_t>(i)] = normed(i);
      for (int i = 0; rotated && i < pairs; ++i) {
        const double x = normed(i), y = normed(i + pairs);
        // The angle is formed in fp32 as the kernels and transformers do; the rotation in double.
        const double angle = static_cast<float>(positions[static_cast<std::size_t>(t)]) * inv_freq[static_cast<std::size_t>(i)];
        expected[static_cast<std::size_t>(i)] = (x * std::cos(angle) - y * std::sin(angle)) * rotary_scale;
        expected[static_cast<std::size_t>(i + pairs)] = (y * std::cos(angle) + x * std::sin(angle)) * rotary_scale;
      }
      for (int i = 0; i < head_dim; ++i) {
        const std::size_t a = head + static_cast<std::size_t>(i);
        const double e = expected[static_cast<std::size_t>(i)];
        ASSERT_NEAR(load_as_float(qkv[a]), e, tol * (std::abs(e) + 1e-2)) << "token " << t << " head " << h << " dim " << i;
        const std::int64_t slot = slots[static_cast<std::size_t>(t)];
        if (h < num_q_heads || slot < 0) continue;
        const bool is_key = h < num_q_heads + num_kv_heads;
        const int kv_head = is_key ? h - num_q_heads : h - num_q_heads - num_kv_heads;
        const std::size_t c = kv_cache_index(cache, slot / block_size, kv_head, static_cast<int>(slot % block_size), i);
        const std::vector<bf16>& pool_ref = is_key ? key : value;
        EXPECT_EQ(pool_ref[c].bits, to_bf16(load_as_float(qkv[a])).bits);
        if (is_key) written[c] = true;
      }
    }
  }
  for (std::size_t e = 0; e < pool; ++e) {
    if (!written[e]) {
      ASSERT_EQ(to_float(key[e]), -7.0f) << "key pool element " << e << " was overwritten";
    }
  }
}

TEST(RopeWriteKv, MatchesNaiveRotationAndSlots) {
  check_rope_write<float>(12, 2, 128, 16, 51);
  check_rope_write<bf16>(4, 4, 64, 8, 52);
  check_rope_write<float>(6, 1, 8, 4, 53);
}

// Qwen3: each q and k head normalized over its head_dim values with its own weights, v untouched.
TEST(RopeWriteKv, QkNormNormalizesEachHeadBeforeTheRotation) {
  check_rope_write<float>(12, 2, 128, 16, 61, true);
  check_rope_write<bf16>(4, 4, 64, 8, 62, true);
  check_rope_write<float>(6, 1, 8, 4, 63, true);
}

// Phi-4-mini: only the leading 2 * pairs dimensions of each head turn (i with i + pairs), the rest pass; and
// the rotated elements carry LongRoPE's / YaRN's attention factor.
TEST(RopeWriteKv, PartialRotaryTurnsTheLeadingDimensionsOnly) {
  check_rope_write<float>(12, 2, 128, 16, 71, false, 48, 1.19f);
  check_rope_write<bf16>(4, 4, 64, 8, 72, false, 8, 1.0f);
  check_rope_write<float>(6, 1, 8, 4, 73, true, 1, 0.8f);
  check_rope_write<float>(6, 2, 16, 4, 74, true, 8, 1.5f);
  // SmolLM3's NoPE layers: no pair turns (with or without frequencies); k and v still go to the cache.
  check_rope_write<float>(6, 2, 16, 4, 75, false, 0, 1.0f);
  check_rope_write<bf16>(4, 4, 64, 8, 76, true, 0, 1.0f);
}

TEST(RopeWriteKv, RejectsARotaryThatDoesNotFitTheHead) {
  std::vector<float> qkv(3 * 4, 1.0f);
  std::vector<bf16> key(2 * 4), value(2 * 4);
  const KvCacheView cache{key.data(), value.data(), 1, 2, 1, 4};
  const std::int32_t positions[] = {0};
  const std::int64_t slots[] = {0};
  const std::vector<float> inv_freq = rope_inverse_frequencies(RopeConfig{}, 8);
  for (const Rotary& bad : {Rotary{inv_freq.data(), 3, 1.0f}, Rotary{inv_freq.data(), -1, 1.0f}, Rotary{nullptr, 2, 1.0f}})
    EXPECT_THROW(cpu::rope_write_kv<float>(qkv.data(), 1, 1, positions, slots, bad, cache), std::invalid_argument);
}

TEST(RopeWriteKv, QkNormRejectsMissingWeights) {
  std::vector<float> qkv(3 * 4, 1.0f);
  std::vector<bf16> key(2 * 4), value(2 * 4), weight(4, to_bf16(1.0f));
  const KvCacheView cache{key.data(), value.data(), 1, 2, 1, 4};
  const std::int32_t positions[] = {0};
  const std::int64_t slots[] = {0};
  const std::vector<float> inv_freq = rope_inverse_frequencies(RopeConfig{}, 4);
  try {
    cpu::qk_norm_rope_write_kv<float>(qkv.data(), 1, 1, HeadNorm{weight.data(), nullptr, 1e-6f}, positions, slots,
                                      Rotary{inv_freq.data(), 2}, cache);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "qk_norm_rope_write_kv: the q and k norm weights must not be null");
  }
}

TEST(RopeWriteKv, RejectsSlotPastThePool) {
  std::vector<float> qkv(3 * 4, 1.0f);
  std::vector<bf16> key(2 * 4), value(2 * 4);
  const KvCacheView cache{key.data(), value.data(), 1, 2, 1, 4};
  const std::int32_t positions[] = {0};
  const std::int64_t slots[] = {2};
  const std::vector<float> inv_freq = rope_inverse_frequencies(RopeConfig{}, 4);
  EXPECT_THROW(cpu::rope_write_kv<float>(qkv.data(), 1, 1, positions, slots, Rotary{inv_freq.data(), 2}, cache),
               std::out_of_range);
}

}  // namespace
}  // namespace r1eval::kernels
