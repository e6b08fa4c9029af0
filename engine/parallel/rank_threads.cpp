#include "engine/parallel/rank_threads.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace r1eval::engine {

RankThreads::RankThreads(int ranks, std::function<void()> on_failure)
    : ranks_(ranks), on_failure_(std::move(on_failure)), errors_(static_cast<std::size_t>(ranks > 0 ? ranks : 1)) {
  if (ranks < 1) throw std::invalid_argument("RankThreads: ranks must be at least 1, got " + std::to_string(ranks));
  for (int r = 1; r < ranks; ++r) threads_.emplace_back([this, r] { serve(r); });
}

RankThreads::~RankThreads() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void RankThreads::run_rank(int rank, const std::function<void(int)>& work) {
  std::exception_ptr error;
  try {
    work(rank);
  } catch (...) {
    error = std::current_exception();
  }
  if (!error) return;
  {
    std::lock_guard lock(mutex_);
    errors_[static_cast<std::size_t>(rank)] = error;
  }
  // The first failure of the run releases the peers; a hook that throws must not take the thread down.
  if (!failed_.exchange(true, std::memory_order_acq_rel) && on_failure_) {
    try {
      on_failure_();
    } catch (...) {
    }
  }
}

void RankThreads::serve(int rank) {
  std::uint64_t seen = 0;
  for (;;) {
    const std::function<void(int)>* work = nullptr;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      work = work_;
    }
    run_rank(rank, *work);
    {
      std::lock_guard lock(mutex_);
      --pending_;
    }
    done_.notify_one();
  }
}

void RankThreads::run(const std::function<void(int rank)>& work) {
  {
    std::lock_guard lock(mutex_);
    for (auto& e : errors_) e = nullptr;
    failed_.store(false, std::memory_order_release);
    work_ = &work;
    pending_ = ranks_ - 1;
    ++generation_;
  }
  wake_.notify_all();
  run_rank(0, work);
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    work_ = nullptr;
  }
  std::exception_ptr peer_failed;
  for (const auto& e : errors_) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const PeerRankFailed&) {
      if (!peer_failed) peer_failed = e;
    } catch (...) {
      throw;
    }
  }
  if (peer_failed) std::rethrow_exception(peer_failed);
}

}  // namespace r1eval::engine
