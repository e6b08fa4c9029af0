// RMSNorm + residual, SiLU * up and embedding gather: CPU twins against naive double-precision loops.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "kernel_test_support.h"
#include "kernels/activation.h"
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
