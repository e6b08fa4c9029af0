// In-process collectives for tensor-parallel ranks running as threads.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "engine/parallel/communicator.h"

namespace r1eval::engine {

// A group of `world_size` ranks; communicator(r) is used by exactly one thread, rank r. Sums are taken
// in rank order, so results are deterministic and the same on every rank.
class ThreadGroup {
 public:
  explicit ThreadGroup(int world_size);
  ~ThreadGroup();
  ThreadGroup(const ThreadGroup&) = delete;
  ThreadGroup& operator=(const ThreadGroup&) = delete;

  int world_size() const { return world_size_; }
  Communicator& communicator(int rank);
  // Every rank waiting in a collective, and every rank entering one until reset(), throws PeerRankFailed:
  // for when a rank failed and will not join (RankThreads' on_failure hook). Any thread may call it.
  void abandon();
  // Makes the group usable again after abandon(); only while no rank is inside a collective (between steps).
  void reset();

 private:
  class Rank;
  // The meeting point between a collective's phases; throws PeerRankFailed once abandoned, unless the
  // phase it waits for completed first.
  void arrive_and_wait();

  int world_size_;
  std::mutex mutex_;
  std::condition_variable phase_done_;
  int arrived_ = 0;
  std::uint64_t phase_ = 0;
  bool abandoned_ = false;
  std::vector<std::span<float>> posted_;  // each rank's buffer during a collective
  std::vector<float> sum_;
  std::vector<std::unique_ptr<Rank>> ranks_;
};

}  // namespace r1eval::engine
