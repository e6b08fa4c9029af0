// RMSNorm + residual, post-norms added to the stream, norms of whole q/k projections, SiLU * up and embedding
// gather: CPU twins against naive double-precision loops.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "kernel_test_support.h"
#include "kernels/activation.h"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/norm.h"

namespace r1eval::kernels {
namespace {

using testing::convert;
using testing::random_bf16;
using testing::random_floats;
using testing::widen;

// Relative tolerance of a value rounded once to T (plus fp32 accumulation slack).
template <typename T>
double tolerance() {
  return std::is_same_v<T, float> ? 2e-5 : 8e-3;
}

template <typename T>
void check_rmsnorm(int rows, int dim, bool with_residual, bool in_place, std::uint32_t seed) {
  const float eps = 1e-6f;
  const std::vector<T> input = convert<T>(random_floats(static_cast<std::size_t>(rows) * dim, -3.0f, 3.0f, seed));
  const std::vector<T> residual0 = convert<T>(random_floats(input.size(), -3.0f, 3.0f, seed + 1));
  const std::vector<bf16> weight = random_bf16(static_cast<std::size_t>(dim), 0.5f, 1.5f, seed + 2);

  std::vector<T> residual = residual0, output(input.size());
  std::vector<T> buffer = input;  // doubles as the output when in place
  T* out = in_place ? buffer.data() : output.data();
  cpu::rmsnorm_residual<T>(buffer.data(), with_residual ? residual.data() : nullptr, out, weight.data(), rows, dim, eps);
  const std::vector<T>& result = in_place ? buffer : output;

  for (int r = 0; r < rows; ++r) {
    std::vector<double> x(static_cast<std::size_t>(dim));
    double mean_square = 0.0;
    for (int i = 0; i < dim; ++i) {
      const std::size_t at = static_cast<std::size_t>(r) * dim + i;
      double v = load_as_float(input[at]);
      if (with_residual) {
        // The stored sum is what the norm sees.
        const T stored = store_from_float<T>(static_cast<float>(v + load_as_float(residual0[at])));
        EXPECT_EQ(load_as_float(residual[at]), load_as_float(stored)) << "residual row " << r << " dim " << i;
        v = load_as_float(stored);
      }
      x[static_cast<std::size_t>(i)] = v;
      mean_square += v * v;
    }
    mean_square /= dim;
    const double inverse_rms = 1.0 / std::sqrt(mean_square + eps);
    for (int i = 0; i < dim; ++i) {
      const double expected = x[static_cast<std::size_t>(i)] * inverse_rms * to_float(weight[static_cast<std::size_t>(i)]);
      const double got = load_as_float(result[static_cast<std::size_t>(r) * dim + i]);
      ASSERT_NEAR(got, expected, tolerance<T>() * (std::abs(expected) + 1e-3)) << "row " << r << " dim " << i;
    }
  }
}

TEST(RmsNormResidual, MatchesNaiveFp32) {
  check_rmsnorm<float>(7, 1536, true, false, 11);
  check_rmsnorm<float>(3, 100, false, false, 12);
  check_rmsnorm<float>(5, 257, true, true, 13);
}

TEST(RmsNormResidual, MatchesNaiveBf16WithRoundedResidual) {
  check_rmsnorm<bf16>(7, 1536, true, false, 21);
  check_rmsnorm<bf16>(4, 896, false, true, 22);
}

TEST(RmsNormResidual, RejectsBadShape) {
  float x = 0;
  bf16 w{};
  EXPECT_THROW(cpu::rmsnorm_residual<float>(&x, nullptr, &x, &w, 1, 0, 1e-6f), std::invalid_argument);
  EXPECT_THROW(cpu::rmsnorm_residual<float>(&x, nullptr, &x, &w, -1, 4, 1e-6f), std::invalid_argument);
}

// 1 / sqrt(mean square + eps) of n values, in double.
template <typename T>
double inverse_rms(const T* x, int n, int total, float eps) {
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += static_cast<double>(load_as_float(x[i])) * load_as_float(x[i]);
  return 1.0 / std::sqrt(sum / total + eps);
}

// residual + round_T(rmsnorm(input) * weight), with the rounding of the norm's output the kernel makes; the sum
// itself is rounded once more (one step of T).
template <typename T>
void check_rmsnorm_add(int rows, int dim, std::uint32_t seed) {
  const float eps = 1e-5f;
  const std::vector<T> input = convert<T>(random_floats(static_cast<std::size_t>(rows) * dim, -3.0f, 3.0f, seed));
  const std::vector<T> residual0 = convert<T>(random_floats(input.size(), -3.0f, 3.0f, seed + 1));
  const std::vector<bf16> weight = random_bf16(static_cast<std::size_t>(dim), 0.5f, 1.5f, seed + 2);
  std::vector<T> residual = residual0;
  cpu::rmsnorm_add<T>(input.data(), residual.data(), weight.data(), rows, dim, eps);
  for (int r = 0; r < rows; ++r) {
    const std::size_t base = static_cast<std::size_t>(r) * dim;
    const double scale = inverse_rms(input.data() + base, dim, dim, eps);
    for (int i = 0; i < dim; ++i) {
      const double normed = load_as_float(input[base + i]) * scale * to_float(weight[static_cast<std::size_t>(i)]);
      const double expected = load_as_float(residual0[base + i]) + normed;
      ASSERT_NEAR(load_as_float(residual[base + i]), expected, tolerance<T>() * (std::abs(normed) + std::abs(expected) + 1e-3))
          << "row " << r << " dim " << i;
    }
  }
}

TEST(RmsNormAdd, AddsTheNormOfTheInputToTheStream) {
  check_rmsnorm_add<float>(5, 1536, 31);
  check_rmsnorm_add<bf16>(4, 1000, 32);
  float x = 0;
  bf16 w{};
  EXPECT_THROW(cpu::rmsnorm_add<float>(&x, &x, &w, 1, 0, 1e-6f), std::invalid_argument);
  EXPECT_THROW(cpu::rmsnorm_add<float>(&x, &x, &w, -1, 4, 1e-6f), std::invalid_argument);
}

// q and k of each row normalised over their whole widths (v untouched), from the row itself and, as with
// tensor parallelism, from sums of squares over a wider projection (the row is a rank's part of it).
template <typename T>
void check_qk_projection_norm(int rows, int q_width, int kv_width, bool given_sums, std::uint32_t seed) {
  const float eps = 1e-6f;
  const int stride = q_width + 2 * kv_width;
  const std::vector<T> qkv0 = convert<T>(random_floats(static_cast<std::size_t>(rows) * stride, -2.0f, 2.0f, seed));
  const std::vector<bf16> q_weight = random_bf16(static_cast<std::size_t>(q_width), 0.5f, 1.5f, seed + 1);
  const std::vector<bf16> k_weight = random_bf16(static_cast<std::size_t>(kv_width), 0.5f, 1.5f, seed + 2);
  std::vector<float> sums(static_cast<std::size_t>(rows) * 2);
  cpu::qk_sum_squares<T>(qkv0.data(), rows, q_width, kv_width, sums.data());
  ProjectionNorm norm{q_weight.data(), k_weight.data(), eps, nullptr, 0, 0};
  // The other ranks' part: as large again, with the row's own sums, so the mean square is the row's.
  if (given_sums) {
    for (float& sum : sums) sum *= 2.0f;
    norm.sums = sums.data();
    norm.q_total = 2 * q_width;
    norm.kv_total = 2 * kv_width;
  }
  std::vector<T> qkv = qkv0;
  cpu::qk_projection_norm<T>(qkv.data(), rows, q_width, kv_width, norm);
  for (int r = 0; r < rows; ++r) {
    const T* row0 = qkv0.data() + static_cast<std::size_t>(r) * stride;
    const T* row = qkv.data() + static_cast<std::size_t>(r) * stride;
    double own_q = 0.0;
    for (int i = 0; i < q_width; ++i) own_q += static_cast<double>(load_as_float(row0[i])) * load_as_float(row0[i]);
    EXPECT_NEAR(sums[static_cast<std::size_t>(r) * 2] / (given_sums ? 2.0 : 1.0), own_q, 1e-4 * own_q) << "row " << r;
    const double q_scale = inverse_rms(row0, q_width, q_width, eps), k_scale = inverse_rms(row0 + q_width, kv_width, kv_width, eps);
    for (int i = 0; i < stride; ++i) {
      const double before = load_as_float(row0[i]);
      const double expected = i < q_width              ? before * q_scale * to_float(q_weight[static_cast<std::size_t>(i)])
                              : i < q_width + kv_width ? before * k_scale * to_float(k_weight[static_cast<std::size_t>(i - q_width)])
                                                       : before;
      ASSERT_NEAR(load_as_float(row[i]), expected, tolerance<T>() * (std::abs(expected) + 1e-3)) << "row " << r << " at " << i;
    }
  }
}

TEST(QkProjectionNorm, NormalisesWholeQAndKAndLeavesV) {
  check_qk_projection_norm<float>(3, 512, 128, false, 41);
  check_qk_projection_norm<bf16>(4, 256, 256, false, 42);
  check_qk_projection_norm<bf16>(2, 300, 100, true, 43);
  check_qk_projection_norm<float>(2, 64, 64, true, 44);
}

TEST(QkProjectionNorm, RejectsBadShapes) {
  float x[6] = {};
  bf16 w[2] = {};
  float sums[2] = {};
  EXPECT_THROW(cpu::qk_sum_squares<float>(x, 1, 0, 2, sums), std::invalid_argument);
  EXPECT_THROW(cpu::qk_projection_norm<float>(x, -1, 2, 2, ProjectionNorm{w, w}), std::invalid_argument);
  EXPECT_THROW(cpu::qk_projection_norm<float>(x, 1, 2, 2, ProjectionNorm{nullptr, w}), std::invalid_argument);
  EXPECT_THROW(cpu::qk_projection_norm<float>(x, 1, 2, 2, ProjectionNorm{w, w, 1e-6f, sums, 1, 2}), std::invalid_argument);
}

template <typename T>
void check_silu_mul(int rows, int cols, std::uint32_t seed) {
  const std::vector<T> gate_up = convert<T>(random_floats(static_cast<std::size_t>(rows) * 2 * cols, -8.0f, 8.0f, seed));
  std::vector<T> out(static_cast<std::size_t>(rows) * cols);
  cpu::silu_mul<T>(gate_up.data(), out.data(), rows, cols);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const double g = load_as_float(gate_up[static_cast<std::size_t>(r) * 2 * cols + c]);
      const double u = load_as_float(gate_up[static_cast<std::size_t>(r) * 2 * cols + cols + c]);
      const double expected = g / (1.0 + std::exp(-g)) * u;
      ASSERT_NEAR(load_as_float(out[static_cast<std::size_t>(r) * cols + c]), expected,
                  tolerance<T>() * (std::abs(expected) + 1e-3))
          << "row " << r << " col " << c;
    }
}

TEST(SiluMul, MatchesNaive) {
  check_silu_mul<float>(5, 8960, 31);
  check_silu_mul<bf16>(3, 1000, 32);
}

// GELU in double: PyTorch's tanh approximation, or the exact erf form.
double gelu_reference(double g, bool tanh_approximation) {
  if (tanh_approximation) return 0.5 * g * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (g + 0.044715 * g * g * g)));
  return 0.5 * g * (1.0 + std::erf(g / std::sqrt(2.0)));
}

template <typename T>
void check_gelu_mul(int rows, int cols, GateActivation activation, std::uint32_t seed) {
  const std::vector<T> gate_up = convert<T>(random_floats(static_cast<std::size_t>(rows) * 2 * cols, -8.0f, 8.0f, seed));
  std::vector<T> out(static_cast<std::size_t>(rows) * cols);
  cpu::gated_activation_mul<T>(gate_up.data(), out.data(), rows, cols, activation);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      const double g = load_as_float(gate_up[static_cast<std::size_t>(r) * 2 * cols + c]);
      const double u = load_as_float(gate_up[static_cast<std::size_t>(r) * 2 * cols + cols + c]);
      const double expected = gelu_reference(g, activation == GateActivation::gelu_tanh) * u;
      // Far left, 1 + tanh (or erf) cancels in fp32 as in PyTorch's own kernels: up to ~1e-6 absolute.
      ASSERT_NEAR(load_as_float(out[static_cast<std::size_t>(r) * cols + c]), expected,
                  tolerance<T>() * (std::abs(expected) + 1e-3) + 2e-6)
          << "row " << r << " col " << c;
    }
}

TEST(GatedActivationMul, GeluFormsMatchNaive) {
  check_gelu_mul<float>(5, 2304, GateActivation::gelu_tanh, 33);
  check_gelu_mul<bf16>(3, 1000, GateActivation::gelu_tanh, 34);
  check_gelu_mul<float>(4, 777, GateActivation::gelu, 35);
  check_gelu_mul<bf16>(2, 512, GateActivation::gelu, 36);
  // The tanh form and erf differ (by up to ~1e-3 near |g| = 2): each kernel computes its own.
  const std::vector<float> gate_up = {2.0f, 1.0f};
  float tanh_form = 0, erf_form = 0;
  cpu::gated_activation_mul<float>(gate_up.data(), &tanh_form, 1, 1, GateActivation::gelu_tanh);
  cpu::gated_activation_mul<float>(gate_up.data(), &erf_form, 1, 1, GateActivation::gelu);
  EXPECT_NE(tanh_form, erf_form);
  EXPECT_THROW(cpu::gated_activation_mul<float>(gate_up.data(), &erf_form, 1, 0, GateActivation::gelu),
               std::invalid_argument);
}

TEST(Elementwise, ScaleAndSoftCapMatchNaive) {
  std::vector<float> x = random_floats(1001, -80.0f, 80.0f, 37);
  std::vector<float> scaled = x, capped = x;
  cpu::scale_values<float>(scaled.data(), scaled.size(), 48.0f);
  cpu::soft_cap_values<float>(capped.data(), capped.size(), 30.0f);
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_FLOAT_EQ(scaled[i], x[i] * 48.0f);
    ASSERT_NEAR(capped[i], 30.0 * std::tanh(x[i] / 30.0), 2e-5 * 30.0) << i;
    EXPECT_LT(std::abs(capped[i]), 30.0f);
  }
  // bf16: Gemma's embedding times sqrt(hidden) rounded to bf16, one rounding of the product.
  std::vector<bf16> e = convert<bf16>(random_floats(256, -0.1f, 0.1f, 38));
  const std::vector<bf16> before = e;
  const float factor = to_float(to_bf16(std::sqrt(2304.0f)));
  cpu::scale_values<bf16>(e.data(), e.size(), factor);
  for (std::size_t i = 0; i < e.size(); ++i) EXPECT_EQ(e[i].bits, to_bf16(to_float(before[i]) * factor).bits) << i;
  EXPECT_THROW(cpu::soft_cap_values<float>(x.data(), x.size(), 0.0f), std::invalid_argument);
  EXPECT_THROW(cpu::scale_values<float>(x.data(), x.size(), std::nanf("")), std::invalid_argument);
  EXPECT_THROW(cpu::scale_values<float>(nullptr, 3, 1.0f), std::invalid_argument);
  EXPECT_NO_THROW(cpu::scale_values<float>(nullptr, 0, 1.0f));
}

template <typename T>
void check_embedding(std::uint32_t seed) {
  const int vocab = 1000, dim = 96;
  const std::vector<bf16> table = random_bf16(static_cast<std::size_t>(vocab) * dim, -1.0f, 1.0f, seed);
  const std::vector<std::int32_t> ids = {0, 999, 17, 17, 512};
  std::vector<T> out(ids.size() * dim);
  cpu::embedding_gather<T>(ids.data(), static_cast<int>(ids.size()), table.data(), vocab, dim, out.data());
  for (std::size_t i = 0; i < ids.size(); ++i)
    for (int d = 0; d < dim; ++d)
      ASSERT_EQ(load_as_float(out[i * dim + d]), to_float(table[static_cast<std::size_t>(ids[i]) * dim + d]))
          << "row " << i << " dim " << d;
}

TEST(EmbeddingGather, CopiesRowsExactly) {
  check_embedding<float>(41);
  check_embedding<bf16>(42);
}

TEST(EmbeddingGather, RejectsIdOutsideVocabulary) {
  const std::vector<bf16> table(4 * 2);
  const std::int32_t ids[] = {1, 4};
  float out[4];
  try {
    cpu::embedding_gather<float>(ids, 2, table.data(), 4, 2, out);
    FAIL() << "expected out_of_range";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("token_ids[1] = 4"), std::string::npos) << e.what();
  }
}

TEST(Bf16, RoundsToNearestEven) {
  EXPECT_EQ(to_bf16(1.0f).bits, 0x3f80);
  EXPECT_EQ(to_bf16(bits_float(0x3f808000u)).bits, 0x3f80);  // tie, even stays
  EXPECT_EQ(to_bf16(bits_float(0x3f818000u)).bits, 0x3f82);  // tie, odd rounds up
  EXPECT_EQ(to_bf16(bits_float(0x3f808001u)).bits, 0x3f81);
  EXPECT_TRUE(std::isnan(to_float(to_bf16(std::nanf("")))));
  EXPECT_EQ(to_float(to_bf16(-2.5f)), -2.5f);
}

}  // namespace
}  // namespace r1eval::kernels
