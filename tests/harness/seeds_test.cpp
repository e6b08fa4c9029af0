#include "harness/seeds.h"

#include <gtest/gtest.h>

#include <set>

namespace r1eval::harness {
namespace {

TEST(SampleSeed, IsAPureFunctionOfItsArguments) {
  EXPECT_EQ(sample_seed(7, "aime24", "60", 3), sample_seed(7, "aime24", "60", 3));
}

TEST(SampleSeed, ChangesWithEveryPartOfTheIdentity) {
  std::set<std::uint64_t> seeds = {sample_seed(7, "aime24", "60", 3), sample_seed(8, "aime24", "60", 3),
                                   sample_seed(7, "aime25", "60", 3), sample_seed(7, "aime24", "61", 3),
                                   sample_seed(7, "aime24", "60", 4), sample_seed(7, "aime2", "460", 3)};
  EXPECT_EQ(seeds.size(), 6u);
}

TEST(SampleSeed, SpreadsOverManySamples) {
  std::set<std::uint64_t> seeds;
  for (int i = 0; i < 10000; ++i) seeds.insert(sample_seed(0, "math500", "test/x.json", i));
  EXPECT_EQ(seeds.size(), 10000u);
}

}  // namespace
}  // namespace r1eval::harness
