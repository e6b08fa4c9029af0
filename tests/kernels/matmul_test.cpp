// Matrix products: the CPU twin (direct loop for few rows, OpenBLAS sgemm on widened slabs for many)
// against a naive double-precision triple loop.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernel_test_support.h"
#include "kernels/matmul.h"

namespace r1eval::kernels {
namespace {

using testing::random_bf16;
using testing::random_floats;

std::vector<double> naive_matmul(const std::vector<float>& x, const std::vector<bf16>& w, const bf16* bias, int m, int n,
                                 int k) {
  std::vector<double> y(static_cast<std::size_t>(m) * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double s = bias ? to_float(bias[j]) : 0.0;
      for (int p = 0; p < k; ++p)
        s += static_cast<double>(x[static_cast<std::size_t>(i) * k + p]) * to_float(w[static_cast<std::size_t>(j) * k + p]);
      y[static_cast<std::size_t>(i) * n + j] = s;
    }
  return y;
}

template <typename T>
void check_matmul(int m, int n, int k, bool with_bias, std::uint32_t seed) {
  const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(m) * k, -1.0f, 1.0f, seed);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(n) * k, -1.0f, 1.0f, seed + 1);
  const std::vector<bf16> bias = random_bf16(static_cast<std::size_t>(n), -1.0f, 1.0f, seed + 2);
  std::vector<T> y(static_cast<std::size_t>(m) * n);
  cpu::matmul<T>(x.data(), w.data(), with_bias ? bias.data() : nullptr, y.data(), m, n, k);
  const std::vector<double> expected =
      naive_matmul(testing::widen(x), w, with_bias ? bias.data() : nullptr, m, n, k);
  // fp32 accumulation over k terms of magnitude <= 1: error grows like sqrt(k) ulps.
  const double abs_tol = std::is_same_v<T, float> ? 1e-5 * std::sqrt(k) : 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double tol = abs_tol + (std::is_same_v<T, float> ? 0.0 : 4e-3 * (std::abs(expected[i]) + 0.05));
    ASSERT_NEAR(load_as_float(y[i]), expected[i], tol + 1e-5 * std::sqrt(k)) << "element " << i;
  }
}

TEST(Matmul, DecodeRowsMatchNaive) {
  check_matmul<float>(1, 300, 1536, true, 101);
  check_matmul<bf16>(3, 129, 200, false, 102);
}

TEST(Matmul, ManyRowsThroughSgemmMatchNaive) {
  check_matmul<float>(37, 600, 257, true, 103);
  check_matmul<bf16>(16, 513, 128, true, 104);
}

TEST(Matmul, Fp32ActivationsMatchBf16Path) {
  const int m = 9, n = 70, k = 64;
  const std::vector<bf16> xb = random_bf16(static_cast<std::size_t>(m) * k, -1.0f, 1.0f, 105);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(n) * k, -1.0f, 1.0f, 106);
  const std::vector<float> xf = testing::widen(xb);
  std::vector<float> from_bf16(static_cast<std::size_t>(m) * n), from_f32(from_bf16.size());
  cpu::matmul<float>(xb.data(), w.data(), nullptr, from_bf16.data(), m, n, k);
  cpu::matmul(xf.data(), w.data(), nullptr, from_f32.data(), m, n, k);
  EXPECT_EQ(from_bf16, from_f32);
}

// Above the direct path, a row's result does not depend on how many rows come with it: the first five rows
// of a 5-, 8-, 16- and 37-row product are bit-identical (a padded decode step must equal the step itself).
TEST(Matmul, RowsDoNotDependOnTheBatchAboveTheDirectPath) {
  const int n = 300, k = 257;
  const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(37) * k, -1.0f, 1.0f, 107);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(n) * k, -1.0f, 1.0f, 108);
  const std::vector<bf16> bias = random_bf16(static_cast<std::size_t>(n), -1.0f, 1.0f, 109);
  std::vector<float> reference(static_cast<std::size_t>(5) * n);
  cpu::matmul<float>(x.data(), w.data(), bias.data(), reference.data(), 5, n, k);
  for (const int m : {8, 16, 37}) {
    std::vector<float> y(static_cast<std::size_t>(m) * n);
    cpu::matmul<float>(x.data(), w.data(), bias.data(), y.data(), m, n, k);
    EXPECT_TRUE(std::equal(reference.begin(), reference.end(), y.begin())) << "m = " << m;
  }
}

TEST(Matmul, EmptyInnerDimensionGivesBias) {
  const std::vector<bf16> bias = {to_bf16(1.5f), to_bf16(-2.0f)};
  std::vector<float> y(4, 9.0f);
  cpu::matmul<float>(nullptr, nullptr, bias.data(), y.data(), 2, 2, 0);
  EXPECT_EQ(y, (std::vector<float>{1.5f, -2.0f, 1.5f, -2.0f}));
  EXPECT_THROW(cpu::matmul<float>(nullptr, nullptr, nullptr, y.data(), -1, 2, 2), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::kernels
