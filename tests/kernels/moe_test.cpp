// The mixture-of-experts steps' CPU twins against naive double-precision references: routing (the experts of
// the k largest logits, softmax weights, renormalised or not), the stable grouping of pairs by expert, and the
// whole block (route, group, gate/up with SiLU, down, weighted sum) against a per-token loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "kernel_test_support.h"
#include "kernels/moe.h"

namespace r1eval::kernels {
namespace {

using testing::convert;
using testing::random_bf16;
using testing::random_floats;

TEST(MoeRoute, ChoosesTheLargestLogitsWithSoftmaxWeights) {
  const int rows = 6, experts = 40, k = 5;
  std::vector<float> logits = random_floats(static_cast<std::size_t>(rows) * experts, -4.0f, 4.0f, 51);
  logits[7] = logits[3] = 9.0f;         // row 0: a tie at the top goes to the lower id
  logits[experts + 11] = std::nanf("");  // row 1: a NaN logit is never chosen
  for (const bool renormalize : {false, true}) {
    std::vector<std::int32_t> ids(static_cast<std::size_t>(rows) * k);
    std::vector<float> weights(ids.size());
    cpu::moe_route(logits.data(), rows, experts, k, renormalize, ids.data(), weights.data());
    for (int r = 0; r < rows; ++r) {
      const float* row = logits.data() + static_cast<std::size_t>(r) * experts;
      std::vector<int> order(static_cast<std::size_t>(experts));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        if (std::isnan(row[a]) != std::isnan(row[b])) return std::isnan(row[b]);
        return row[a] > row[b];
      });
      double all = 0.0, kept = 0.0;
      const double top = row[order[0]];
      for (int e = 0; e < experts; ++e) all += std::isnan(row[e]) ? std::nan("") : std::exp(row[e] - top);
      for (int j = 0; j < k; ++j) kept += std::exp(row[order[static_cast<std::size_t>(j)]] - top) / all;
      for (int j = 0; j < k; ++j) {
        const std::size_t at = static_cast<std::size_t>(r) * k + j;
        ASSERT_EQ(ids[at], order[static_cast<std::size_t>(j)]) << "row " << r << " slot " << j;
        if (r == 1) continue;  // NaN in the sum: the weights follow it, as torch's softmax would
        const double p = std::exp(row[ids[at]] - top) / all;
        EXPECT_NEAR(weights[at], renormalize ? p / kept : p, 1e-6) << "row " << r << " slot " << j;
      }
    }
    EXPECT_EQ(ids[0], 3);
    EXPECT_EQ(ids[1], 7);
  }
}

TEST(MoeGroup, ListsEachExpertsPairsInOrder) {
  const std::vector<std::int32_t> ids = {2, 0, 2, 3, 0, 2, 3, 3};
  std::vector<std::int32_t> offsets(6), grouped(ids.size()), active(5);
  cpu::moe_group(ids.data(), static_cast<int>(ids.size()), 5, offsets.data(), grouped.data(), active.data());
  EXPECT_EQ(offsets, (std::vector<std::int32_t>{0, 2, 2, 5, 8, 8}));
  EXPECT_EQ(grouped, (std::vector<std::int32_t>{1, 4, 0, 2, 5, 3, 6, 7}));
  EXPECT_EQ(active, (std::vector<std::int32_t>{0, 2, 3, -1, -1}));
  const std::vector<std::int32_t> bad = {0, 5};
  EXPECT_THROW(cpu::moe_group(bad.data(), 2, 5, offsets.data(), grouped.data(), active.data()), std::out_of_range);
}

// The five steps in a row, the way the bf16 forward runs them, against a per-token double loop over each
// token's experts.
template <typename T>
void check_moe_block(int rows, int hidden, int inter, int experts, int k, bool renormalize, unsigned seed,
                     const testing::OwnedExpertForm* gpt_oss = nullptr) {
  const ExpertForm form = gpt_oss != nullptr ? gpt_oss->form() : ExpertForm{};
  const std::vector<float> logits = random_floats(static_cast<std::size_t>(rows) * experts, -3.0f, 3.0f, seed);
  const std::vector<T> x = convert<T>(random_floats(static_cast<std::size_t>(rows) * hidden, -1.0f, 1.0f, seed + 1));
  const float scale_in = 1.0f / std::sqrt(static_cast<float>(hidden)), scale_mid = 1.0f / std::sqrt(static_cast<float>(inter));
  // MXFP4 forms: the reference reads the bf16 matrices they equal (the twin reads the MXFP4 ones).
  const bool mxfp4 = gpt_oss != nullptr && !gpt_oss->gate_up_mxfp4.blocks.empty();
  const std::vector<bf16> gate_up =
      mxfp4 ? gpt_oss->gate_up_mxfp4.dequantized
            : random_bf16(static_cast<std::size_t>(experts) * 2 * inter * hidden, -2.0f * scale_in, 2.0f * scale_in, seed + 2);
  const std::vector<bf16> down =
      mxfp4 ? gpt_oss->down_mxfp4.dequantized
            : random_bf16(static_cast<std::size_t>(experts) * hidden * inter, -2.0f * scale_mid, 2.0f * scale_mid, seed + 3);
  const auto pairs = static_cast<std::size_t>(rows) * k;
  std::vector<std::int32_t> ids(pairs), offsets(static_cast<std::size_t>(experts) + 1), grouped(pairs),
      active(static_cast<std::size_t>(experts));
  std::vector<float> weights(pairs);
  std::vector<T> act(pairs * inter), expert_out(pairs * hidden), out(static_cast<std::size_t>(rows) * hidden);
  const int n = static_cast<int>(pairs);
  cpu::moe_route(logits.data(), rows, experts, k, renormalize, ids.data(), weights.data());
  cpu::moe_group(ids.data(), n, experts, offsets.data(), grouped.data(), active.data());
  cpu::moe_gate_up(x.data(), hidden, gate_up.data(), inter, experts, k, offsets.data(), grouped.data(), active.data(), n,
                   act.data(), form);
  cpu::moe_down(act.data(), inter, down.data(), hidden, experts, offsets.data(), grouped.data(), active.data(), n,
                expert_out.data(), form);
  cpu::moe_combine(expert_out.data(), weights.data(), rows, k, hidden, out.data());

  const double tolerance = std::is_same_v<T, float> ? 1e-4 : 2e-2;
  std::vector<double> mid(static_cast<std::size_t>(inter)), expected(static_cast<std::size_t>(hidden));
  for (int t = 0; t < rows; ++t) {
    std::fill(expected.begin(), expected.end(), 0.0);
    for (int j = 0; j < k; ++j) {
      const std::size_t e = static_cast<std::size_t>(ids[static_cast<std::size_t>(t) * k + j]);
      for (int f = 0; f < inter; ++f) {
        double g = 0.0, u = 0.0;
        for (int c = 0; c < hidden; ++c) {
          const double v = load_as_float(x[static_cast<std::size_t>(t) * hidden + c]);
          g += v * to_float(gate_up[(e * 2 * inter + f) * hidden + c]);
          u += v * to_float(gate_up[(e * 2 * inter + inter + f) * hidden + c]);
        }
        if (gpt_oss == nullptr) {
          mid[static_cast<std::size_t>(f)] = g / (1.0 + std::exp(-g)) * u;
          continue;
        }
        // transformers' GptOssExperts: biases, then the clamps, then gate * sigmoid(alpha gate) * (up + 1).
        const double limit = gpt_oss->limit;
        g = std::min(g + to_float(gpt_oss->gate_up_bias[e * 2 * inter + f]), limit);
        u = std::clamp(u + to_float(gpt_oss->gate_up_bias[e * 2 * inter + inter + f]), -limit, limit);
        mid[static_cast<std::size_t>(f)] = g / (1.0 + std::exp(-1.702 * g)) * (u + 1.0);
      }
      for (int h = 0; h < hidden; ++h) {
        double y = 0.0;
        for (int f = 0; f < inter; ++f) y += mid[static_cast<std::size_t>(f)] * to_float(down[(e * hidden + h) * inter + f]);
        if (gpt_oss != nullptr) y += to_float(gpt_oss->down_bias[e * hidden + h]);
        expected[static_cast<std::size_t>(h)] += weights[static_cast<std::size_t>(t) * k + j] * y;
      }
    }
    double norm = 0.0, diff = 0.0;
    for (int h = 0; h < hidden; ++h) {
      const double got = load_as_float(out[static_cast<std::size_t>(t) * hidden + h]);
      norm += expected[static_cast<std::size_t>(h)] * expected[static_cast<std::size_t>(h)];
      diff += (got - expected[static_cast<std::size_t>(h)]) * (got - expected[static_cast<std::size_t>(h)]);
    }
    EXPECT_LT(std::sqrt(diff / norm), tolerance) << "token " << t;
  }
}

TEST(MoeBlock, MatchesAPerTokenLoop) {
  check_moe_block<float>(7, 64, 48, 16, 4, true, 61);
  check_moe_block<float>(1, 64, 48, 16, 4, true, 64);  // one token: fewer pairs than experts
  check_moe_block<bf16>(9, 128, 32, 8, 2, false, 62);
  check_moe_block<bf16>(3, 96, 40, 5, 5, true, 63);  // every expert for every token
}

// gpt-oss's experts: biases after both products and the clamped SwiGLU, with the limit inside the values' range
// so both clamps bite; the form changes the output.
TEST(MoeBlock, GptOssFormMatchesAPerTokenLoop) {
  const testing::OwnedExpertForm form = testing::gpt_oss_expert_form(16, 48, 64, 0.4f, 65);
  check_moe_block<float>(7, 64, 48, 16, 4, true, 66, &form);
  const testing::OwnedExpertForm bf16_form = testing::gpt_oss_expert_form(8, 32, 128, 0.4f, 67);
  check_moe_block<bf16>(9, 128, 32, 8, 2, true, 68, &bf16_form);
  EXPECT_NE(expert_activation(0.9f, 0.2f, form.form()), expert_activation(0.9f, 0.2f, ExpertForm{}));
  EXPECT_FLOAT_EQ(expert_activation(5.0f, -9.0f, form.form()), expert_activation(0.4f, -0.4f, form.form()));
}

// gpt-oss's experts as released, in MXFP4: the twin reading the codes and scales gives bit for bit what it gives on
// the bf16 matrices they equal (every MXFP4 value is exact in bf16 and the sums run in the same order), and the whole
// block matches the per-token loop. Widths that are not whole 32-value groups are refused.
TEST(MoeBlock, Mxfp4ExpertsEqualTheirBf16Values) {
  const int rows = 6, hidden = 64, inter = 96, experts = 8, k = 2;
  const testing::OwnedExpertForm mx = testing::gpt_oss_expert_form(experts, inter, hidden, 0.4f, 69, true);
  check_moe_block<float>(rows, hidden, inter, experts, k, true, 70, &mx);
  check_moe_block<bf16>(rows, hidden, inter, experts, k, true, 71, &mx);
  const auto pairs = static_cast<std::size_t>(rows) * k;
  const int n = static_cast<int>(pairs);
  std::vector<float> logits = random_floats(static_cast<std::size_t>(rows) * experts, -3.0f, 3.0f, 72), weights(pairs);
  std::vector<std::int32_t> ids(pairs), offsets(experts + 1), grouped(pairs), active(experts);
  cpu::moe_route(logits.data(), rows, experts, k, true, ids.data(), weights.data());
  cpu::moe_group(ids.data(), n, experts, offsets.data(), grouped.data(), active.data());
  const std::vector<bf16> x = convert<bf16>(random_floats(static_cast<std::size_t>(rows) * hidden, -1.0f, 1.0f, 73));
  ExpertForm plain = mx.form();
  plain.gate_up_mxfp4 = plain.down_mxfp4 = Mxfp4Weights{};
  std::vector<bf16> act(pairs * inter), act_mx(act.size()), out(pairs * hidden), out_mx(out.size());
  cpu::moe_gate_up(x.data(), hidden, mx.gate_up_mxfp4.dequantized.data(), inter, experts, k, offsets.data(), grouped.data(),
                   active.data(), n, act.data(), plain);
  cpu::moe_gate_up<bf16>(x.data(), hidden, nullptr, inter, experts, k, offsets.data(), grouped.data(), active.data(), n,
                         act_mx.data(), mx.form());
  const auto bits = [](const std::vector<bf16>& v) {
    std::vector<std::uint16_t> b;
    for (const bf16 value : v) b.push_back(value.bits);
    return b;
  };
  EXPECT_EQ(bits(act_mx), bits(act));
  cpu::moe_down(act.data(), inter, mx.down_mxfp4.dequantized.data(), hidden, experts, offsets.data(), grouped.data(),
                active.data(), n, out.data(), plain);
  cpu::moe_down<bf16>(act.data(), inter, nullptr, hidden, experts, offsets.data(), grouped.data(), active.data(), n,
                      out_mx.data(), mx.form());
  EXPECT_EQ(bits(out_mx), bits(out));
  EXPECT_THROW(cpu::moe_down<bf16>(act.data(), 48, nullptr, hidden, experts, offsets.data(), grouped.data(), active.data(),
                                   n, out_mx.data(), mx.form()),
               std::invalid_argument);
  // The E2M1 codes and the scale bytes' extremes, as transformers' FP4_VALUES and ldexp give them.
  const float codes[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  for (unsigned c = 0; c < 16; ++c) EXPECT_EQ(e2m1_value(c), codes[c]) << c;
  EXPECT_EQ(mxfp4_scale(127), 1.0f);
  EXPECT_EQ(mxfp4_scale(0), std::ldexp(1.0f, -127));
  EXPECT_EQ(mxfp4_scale(254), std::ldexp(1.0f, 127));
  EXPECT_TRUE(std::isinf(mxfp4_scale(255)));
}

TEST(MoeKernels, RejectBadShapes) {
  float logits[4] = {};
  std::int32_t ids[4] = {};
  float weights[4] = {};
  EXPECT_THROW(cpu::moe_route(logits, 1, 4, 5, true, ids, weights), std::invalid_argument);
  EXPECT_THROW(cpu::moe_route(logits, 1, 4, 0, true, ids, weights), std::invalid_argument);
  EXPECT_THROW(cpu::moe_route(logits, 1, kMoeMaxExperts + 1, 1, true, ids, weights), std::invalid_argument);
  EXPECT_THROW(cpu::moe_gate_up<float>(logits, 0, nullptr, 4, 4, 1, ids, ids, ids, 1, logits), std::invalid_argument);
  EXPECT_THROW(cpu::moe_combine<float>(logits, weights, 1, kMoeMaxTopK + 1, 4, logits), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::kernels
