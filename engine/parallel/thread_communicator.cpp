#include "engine/parallel/thread_communicator.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace r1eval::engine {

class ThreadGroup::Rank final : public Communicator {
 public:
  Rank(ThreadGroup& group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int world_size() const override { return group_.world_size_; }

  void all_reduce_sum(std::span<float> data) override {
    ThreadGroup& g = group_;
    const auto world = static_cast<std::size_t>(g.world_size_);
    g.posted_[static_cast<std::size_t>(rank_)] = data;
    if (rank_ == 0) g.sum_.resize(data.size());
    g.arrive_and_wait();
    // Each rank sums its own slice of the elements, always adding ranks in order 0, 1, ...
    const std::size_t n = data.size();
    const std::size_t begin = n * static_cast<std::size_t>(rank_) / world;
    const std::size_t end = n * (static_cast<std::size_t>(rank_) + 1) / world;
    for (std::size_t i = begin; i < end; ++i) {
      float total = g.posted_[0][i];
      for (std::size_t r = 1; r < world; ++r) total += g.posted_[r][i];
      g.sum_[i] = total;
    }
    g.arrive_and_wait();
    std::copy(g.sum_.begin(), g.sum_.end(), data.begin());
    // Nobody may start the next collective (and resize sum_) before everyone has copied.
    g.arrive_and_wait();
  }

 private:
  ThreadGroup& group_;
  int rank_;
};

ThreadGroup::ThreadGroup(int world_size)
    : world_size_(world_size), posted_(static_cast<std::size_t>(std::max(world_size, 1))) {
  if (world_size <= 0) throw std::invalid_argument("ThreadGroup: world size must be positive, got " + std::to_string(world_size));
  for (int r = 0; r < world_size; ++r) ranks_.push_back(std::make_unique<Rank>(*this, r));
}

ThreadGroup::~ThreadGroup() = default;

Communicator& ThreadGroup::communicator(int rank) { return *ranks_.at(static_cast<std::size_t>(rank)); }

void ThreadGroup::arrive_and_wait() {
  std::unique_lock lock(mutex_);
  if (abandoned_) throw PeerRankFailed("tensor-parallel all-reduce abandoned: another rank failed");
  const std::uint64_t phase = phase_;
  if (++arrived_ == world_size_) {
    arrived_ = 0;
    ++phase_;
    lock.unlock();
    phase_done_.notify_all();
    return;
  }
  phase_done_.wait(lock, [&] { return phase_ != phase || abandoned_; });
  if (phase_ == phase) throw PeerRankFailed("tensor-parallel all-reduce abandoned: another rank failed");
}

void ThreadGroup::abandon() {
  {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
  }
  phase_done_.notify_all();
}

void ThreadGroup::reset() {
  std::lock_guard lock(mutex_);
  abandoned_ = false;
  arrived_ = 0;
}

}  // namespace r1eval::engine
