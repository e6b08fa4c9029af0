#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "results/metrics.h"

namespace r1eval::results {
namespace {

TEST(PassAtK, MatchesHandComputedValues) {
  // n=5, c=2, k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10.
  EXPECT_NEAR(pass_at_k(5, 2, 2), 0.7, 1e-15);
  // k=1 is the fraction correct.
  EXPECT_NEAR(pass_at_k(64, 17, 1), 17.0 / 64, 1e-15);
  // n=10, c=3, k=3: 1 - C(7,3)/C(10,3) = 1 - 35/120.
  EXPECT_NEAR(pass_at_k(10, 3, 3), 1.0 - 35.0 / 120.0, 1e-15);
  // n=4, c=1, k=2: 1 - C(3,2)/C(4,2) = 1 - 3/6.
  EXPECT_NEAR(pass_at_k(4, 1, 2), 0.5, 1e-15);
}

TEST(PassAtK, EdgeCases) {
  EXPECT_EQ(pass_at_k(8, 0, 1), 0.0);   // nothing correct
  EXPECT_EQ(pass_at_k(8, 0, 8), 0.0);
  EXPECT_EQ(pass_at_k(8, 8, 1), 1.0);   // everything correct
  EXPECT_EQ(pass_at_k(8, 5, 4), 1.0);   // n - c = 3 < k: every 4-subset holds a correct sample
  EXPECT_EQ(pass_at_k(8, 1, 8), 1.0);   // k = n and one correct
  EXPECT_EQ(pass_at_k(1, 1, 1), 1.0);
  EXPECT_EQ(pass_at_k(1, 0, 1), 0.0);
}

TEST(PassAtK, RejectsImpossibleArguments) {
  EXPECT_THROW(pass_at_k(0, 0, 1), std::invalid_argument);
  EXPECT_THROW(pass_at_k(5, 6, 1), std::invalid_argument);
  EXPECT_THROW(pass_at_k(5, -1, 1), std::invalid_argument);
  EXPECT_THROW(pass_at_k(5, 2, 0), std::invalid_argument);
  EXPECT_THROW(pass_at_k(5, 2, 6), std::invalid_argument);
  try {
    pass_at_k(5, 6, 1);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("n=5 c=6 k=1"), std::string::npos) << e.what();
  }
}

TEST(PassAtK, IsMonotoneInKAndC) {
  for (int c = 0; c <= 64; c += 7) {
    double previous = 0;
    for (int k = 1; k <= 64; ++k) {
      const double v = pass_at_k(64, c, k);
      EXPECT_GE(v, previous - 1e-15) << "c=" << c << " k=" << k;
      previous = v;
    }
  }
}

// Exact values (rational arithmetic, n up to 4000) from tools/make_pass_at_k_fixture.py.
TEST(PassAtK, MatchesExactRationalValuesForLargeN) {
  std::ifstream in(std::string(R1EVAL_SOURCE_DIR) + "/tests/results/fixtures/pass_at_k_exact.tsv");
  ASSERT_TRUE(in) << "missing fixture; run tools/make_pass_at_k_fixture.py";
  std::string line;
  int cases = 0;
  double worst = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    int n = 0, c = 0, k = 0;
    double expected = 0;
    ASSERT_TRUE(fields >> n >> c >> k >> expected) << line;
    const double got = pass_at_k(n, c, k);
    const double error = std::abs(got - expected) / std::max(expected, 1e-300);
    if (expected == 0) {
      EXPECT_EQ(got, 0.0) << line;
    } else {
      EXPECT_LT(error, 1e-12) << line << " got " << got;
    }
    worst = std::max(worst, expected == 0 ? 0.0 : error);
    ++cases;
  }
  EXPECT_GT(cases, 400);
  std::ostringstream worst_text;
  worst_text << worst;
  RecordProperty("worst_relative_error", worst_text.str());
}

}  // namespace
}  // namespace r1eval::results
