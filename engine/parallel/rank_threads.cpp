#include "engine/parallel/rank_threads.h"

#include <stdexcept>

namespace r1eval::engine {

RankThreads::RankThreads(int ranks) : ranks_(ranks), errors_(static_cast<std::size_t>(ranks > 0 ? ranks : 1)) {
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
    std::exception_ptr error;
    try {
      (*work)(rank);
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      errors_[static_cast<std::size_t>(rank)] = error;
      --pending_;
    }
    done_.notify_one();
  }
}

void RankThreads::run(const std::function<void(int rank)>& work) {
  {
    std::lock_guard lock(mutex_);
    for (auto& e : errors_) e = nullptr;
    work_ = &work;
    pending_ = ranks_ - 1;
    ++generation_;
  }
  wake_.notify_all();
  try {
    work(0);
  } catch (...) {
    errors_[0] = std::current_exception();
  }
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    work_ = nullptr;
  }
  for (const auto& e : errors_)
    if (e) std::rethrow_exception(e);
}

}  // namespace r1eval::engine
