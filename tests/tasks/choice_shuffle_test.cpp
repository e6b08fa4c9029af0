#include "tasks/choice_shuffle.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace r1eval::tasks {
namespace {

TEST(ChoiceShuffle, MatchesTheIndependentPythonReference) {
  // Values from tools/choice_permutation.py, a separate implementation of the documented recipe.
  EXPECT_EQ(choice_permutation(4, 0, "recA", 0), (std::vector<int>{3, 1, 2, 0}));
  EXPECT_EQ(choice_permutation(4, 0, "recA", 1), (std::vector<int>{0, 3, 2, 1}));
  EXPECT_EQ(choice_permutation(4, 42, "recA", 0), (std::vector<int>{2, 0, 1, 3}));
  EXPECT_EQ(choice_permutation(4, 12345, "rec7mJ8yCN2sWk1Ue", 3), (std::vector<int>{3, 0, 1, 2}));
  EXPECT_EQ(choice_permutation(10, 18446744073709551615ULL, "x", 7),
            (std::vector<int>{3, 4, 9, 1, 0, 7, 6, 5, 8, 2}));
}

TEST(ChoiceShuffle, IsAPureFunctionOfItsArguments) {
  for (int sample = 0; sample < 16; ++sample) {
    EXPECT_EQ(choice_permutation(4, 7, "problem-1", sample), choice_permutation(4, 7, "problem-1", sample));
  }
}

TEST(ChoiceShuffle, AlwaysReturnsAPermutation) {
  for (int n : {1, 2, 3, 4, 7}) {
    for (int sample = 0; sample < 50; ++sample) {
      std::vector<int> order = choice_permutation(n, 99, "id", sample);
      std::sort(order.begin(), order.end());
      for (int i = 0; i < n; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
    }
  }
  EXPECT_THROW(choice_permutation(0, 1, "id", 0), std::invalid_argument);
}

TEST(ChoiceShuffle, DiffersAcrossSamplesSeedsAndProblems) {
  std::set<std::vector<int>> across_samples;
  for (int sample = 0; sample < 8; ++sample) across_samples.insert(choice_permutation(4, 1, "p", sample));
  // 8 draws from 24 permutations: all equal would mean the sample index is ignored.
  EXPECT_GE(across_samples.size(), 4u);

  int seed_changes = 0;
  int id_changes = 0;
  for (int sample = 0; sample < 64; ++sample) {
    const auto base = choice_permutation(4, 1, "p", sample);
    seed_changes += base != choice_permutation(4, 2, "p", sample);
    id_changes += base != choice_permutation(4, 1, "q", sample);
  }
  // Independent permutations agree with probability 1/24; 64 trials leave a wide margin.
  EXPECT_GE(seed_changes, 48);
  EXPECT_GE(id_changes, 48);
}

TEST(ChoiceShuffle, IsUniformOverPermutationsAndPositions) {
  constexpr int kDraws = 24000;
  std::map<std::vector<int>, int> permutation_counts;
  int correct_at[4] = {0, 0, 0, 0};
  for (int i = 0; i < kDraws; ++i) {
    // Vary everything the harness varies: problems and samples under one run seed.
    const auto order = choice_permutation(4, 2025, "problem-" + std::to_string(i / 8), i % 8);
    ++permutation_counts[order];
    for (int letter = 0; letter < 4; ++letter) correct_at[letter] += order[static_cast<std::size_t>(letter)] == 0;
  }
  ASSERT_EQ(permutation_counts.size(), 24u);
  const double expected = kDraws / 24.0;
  double chi2 = 0;
  for (const auto& [order, count] : permutation_counts) chi2 += (count - expected) * (count - expected) / expected;
  // 23 degrees of freedom: the 99.9th percentile is 49.7.
  EXPECT_LT(chi2, 49.7);
  for (int letter = 0; letter < 4; ++letter) {
    EXPECT_NEAR(correct_at[letter], kDraws / 4, kDraws / 4 * 0.05) << "letter " << letter;
  }
}

}  // namespace
}  // namespace r1eval::tasks
