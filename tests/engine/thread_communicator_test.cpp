#include "engine/parallel/thread_communicator.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/parallel/rank_threads.h"

namespace r1eval::engine {
namespace {

TEST(ThreadGroup, AllReduceSumsInRankOrderOnEveryRank) {
  for (const int world : {1, 2, 3, 4}) {
    ThreadGroup group(world);
    std::vector<std::vector<float>> results(static_cast<std::size_t>(world));
    std::vector<std::jthread> threads;
    for (int r = 0; r < world; ++r) {
      threads.emplace_back([&, r] {
        Communicator& comm = group.communicator(r);
        EXPECT_EQ(comm.rank(), r);
        EXPECT_EQ(comm.world_size(), world);
        // Several collectives of different lengths in a row reuse the group's buffers.
        for (int round = 0; round < 20; ++round) {
          std::vector<float> data(static_cast<std::size_t>(5 + round));
          for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>((r + 1) * 1000 + round * 10) + static_cast<float>(i);
          comm.all_reduce_sum(data);
          results[static_cast<std::size_t>(r)] = data;
          for (std::size_t i = 0; i < data.size(); ++i) {
            float expected = 0.0f;
            for (int q = 0; q < world; ++q) expected += static_cast<float>((q + 1) * 1000 + round * 10) + static_cast<float>(i);
            ASSERT_EQ(data[i], expected);
          }
        }
      });
    }
    threads.clear();
    for (const auto& result : results) EXPECT_EQ(result, results.front());
  }
  EXPECT_THROW(ThreadGroup(0), std::invalid_argument);
}

// A rank that fails outside a collective leaves the others in one: abandon() (the rank threads' failure
// hook) releases them, the step throws the failing rank's error, and after reset() the group sums again.
TEST(ThreadGroup, AbandonReleasesRanksWaitingForOneThatFailed) {
  constexpr int world = 3;
  ThreadGroup group(world);
  RankThreads threads(world, [&] { group.abandon(); });
  for (const int failing : {0, 2}) {
    group.reset();
    try {
      threads.run([&](int r) {
        std::vector<float> data(8, 1.0f);
        group.communicator(r).all_reduce_sum(data);  // the first collective completes on every rank
        if (r == failing) throw std::runtime_error("rank " + std::to_string(r) + " failed");
        group.communicator(r).all_reduce_sum(data);  // the others would wait here forever
      });
      FAIL() << "expected an exception";
    } catch (const PeerRankFailed& e) {
      FAIL() << "a released rank's error reached the caller: " << e.what();
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "rank " + std::to_string(failing) + " failed");
    }
  }
  // Abandoned: entering a collective throws at once.
  std::vector<float> one(1, 1.0f);
  EXPECT_THROW(group.communicator(1).all_reduce_sum(one), PeerRankFailed);
  group.reset();
  std::vector<std::vector<float>> results(world);
  threads.run([&](int r) {
    std::vector<float> data(4, static_cast<float>(r + 1));
    group.communicator(r).all_reduce_sum(data);
    results[static_cast<std::size_t>(r)] = data;
  });
  for (const auto& result : results) EXPECT_EQ(result, std::vector<float>(4, 6.0f));
}

TEST(ThreadGroup, SoloCommunicatorLeavesDataAlone) {
  SoloCommunicator solo;
  std::vector<float> data{1.0f, 2.0f};
  solo.all_reduce_sum(data);
  EXPECT_EQ(data, (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(solo.world_size(), 1);
}

}  // namespace
}  // namespace r1eval::engine
