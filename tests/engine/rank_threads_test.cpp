// Persistent rank threads: every rank runs once per call, concurrently, on the same thread each time; the
// lowest rank's exception reaches the caller and the threads stay usable; a failing rank releases peers
// that wait for it, and its own error, not theirs, reaches the caller.
#include "engine/parallel/rank_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <stdexcept>
#include <thread>
#include <vector>

namespace r1eval::engine {
namespace {

TEST(RankThreads, RunsEveryRankConcurrentlyOnItsOwnThread) {
  RankThreads threads(4);
  std::vector<std::thread::id> first(4), second(4);
  std::barrier meet(4);  // would deadlock unless the four ranks run at once
  threads.run([&](int r) {
    meet.arrive_and_wait();
    first[static_cast<std::size_t>(r)] = std::this_thread::get_id();
  });
  threads.run([&](int r) { second[static_cast<std::size_t>(r)] = std::this_thread::get_id(); });
  EXPECT_EQ(first, second);
  EXPECT_EQ(first[0], std::this_thread::get_id());
  for (int r = 1; r < 4; ++r) EXPECT_NE(first[static_cast<std::size_t>(r)], first[0]);
}

TEST(RankThreads, RethrowsTheLowestRanksErrorAndStaysUsable) {
  RankThreads threads(3);
  try {
    threads.run([](int r) {
      if (r >= 1) throw std::runtime_error("rank " + std::to_string(r));
    });
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "rank 1");
  }
  std::atomic<int> calls{0};
  for (int i = 0; i < 50; ++i) threads.run([&](int) { ++calls; });
  EXPECT_EQ(calls.load(), 150);
  EXPECT_THROW(RankThreads(0), std::invalid_argument);
}

TEST(RankThreads, AFailingRankReleasesPeersThatPollAndItsErrorWins) {
  std::atomic<int> hooks{0};
  RankThreads threads(4, [&] { ++hooks; });
  // Ranks 0, 1 and 3 wait for rank 2 (as a device waits in an all-reduce) and could only stop by polling.
  const auto wait_for_rank_2 = [&] {
    while (!threads.a_rank_failed()) std::this_thread::yield();
    throw PeerRankFailed("gave up");
  };
  try {
    threads.run([&](int r) {
      if (r == 2) throw std::runtime_error("rank 2: device fault");
      wait_for_rank_2();
    });
    FAIL() << "expected an exception";
  } catch (const PeerRankFailed&) {
    FAIL() << "a peer's PeerRankFailed reached the caller instead of the failing rank's error";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "rank 2: device fault");
  }
  EXPECT_EQ(hooks.load(), 1);  // once per run, however many ranks threw
  // The flag is cleared for the next run.
  threads.run([&](int) { EXPECT_FALSE(threads.a_rank_failed()); });
  EXPECT_EQ(hooks.load(), 1);
  // Only PeerRankFailed errors: the lowest rank's is rethrown.
  try {
    threads.run([](int r) { throw PeerRankFailed("rank " + std::to_string(r)); });
    FAIL() << "expected an exception";
  } catch (const PeerRankFailed& e) {
    EXPECT_STREQ(e.what(), "rank 0");
  }
  EXPECT_EQ(hooks.load(), 2);
}

TEST(RankThreads, OneRankRunsOnTheCaller) {
  RankThreads threads(1);
  std::thread::id id;
  threads.run([&](int) { id = std::this_thread::get_id(); });
  EXPECT_EQ(id, std::this_thread::get_id());
}

}  // namespace
}  // namespace r1eval::engine
