// In-process collectives for tensor-parallel ranks running as threads.
#pragma once
#include <barrier>
#include <memory>
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

 private:
  class Rank;
  int world_size_;
  std::barrier<> barrier_;
  std::vector<std::span<float>> posted_;  // each rank's buffer during a collective
  std::vector<float> sum_;
  std::vector<std::unique_ptr<Rank>> ranks_;
};

}  // namespace r1eval::engine
