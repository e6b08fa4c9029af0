// Persistent host threads for the ranks of one model replica: run(work) calls work(r) for every rank r at
// once, rank 0 on the caller's thread, the others each on its own long-lived thread (no thread is started
// per step). State that must outlive a step belongs to the rank, not to the thread that ran it.
// A rank that fails must not leave its peers waiting for it: a_rank_failed() and the on_failure hook let
// them give up (PeerRankFailed), and the caller gets the failing rank's own error.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/parallel/communicator.h"

namespace r1eval::engine {

class RankThreads {
 public:
  // `ranks` >= 1; ranks - 1 threads are started. `on_failure`, when given, runs on the thread of the first
  // rank of a run whose work throws, before run() returns: it releases peers blocked waiting for that rank
  // (ThreadGroup::abandon).
  explicit RankThreads(int ranks, std::function<void()> on_failure = {});
  ~RankThreads();
  RankThreads(const RankThreads&) = delete;
  RankThreads& operator=(const RankThreads&) = delete;

  int ranks() const { return ranks_; }
  // Runs work(0..ranks-1) concurrently and returns when all have returned. When ranks threw, rethrows the
  // error of the lowest rank that failed on its own, a PeerRankFailed only when every error is one. Not
  // reentrant: one run at a time.
  void run(const std::function<void(int rank)>& work);
  // Whether a rank of the current run has thrown. A rank that waits for its peers by polling (for a device
  // whose kernels wait in a collective) checks it and throws PeerRankFailed rather than wait forever.
  bool a_rank_failed() const { return failed_.load(std::memory_order_acquire); }

 private:
  void serve(int rank);
  // Runs rank r's work; records its error, and the first error of the run raises the failure flag.
  void run_rank(int rank, const std::function<void(int)>& work);

  int ranks_;
  std::function<void()> on_failure_;
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* work_ = nullptr;
  std::uint64_t generation_ = 0;
  int pending_ = 0;
  bool stopping_ = false;
  std::vector<std::exception_ptr> errors_;
  std::vector<std::thread> threads_;
};

}  // namespace r1eval::engine
