// Persistent host threads for the ranks of one model replica: run(work) calls work(r) for every rank r at
// once, rank 0 on the caller's thread, the others each on its own long-lived thread (no thread is started
// per step). State that must outlive a step belongs to the rank, not to the thread that ran it.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace r1eval::engine {

class RankThreads {
 public:
  // `ranks` >= 1; ranks - 1 threads are started.
  explicit RankThreads(int ranks);
  ~RankThreads();
  RankThreads(const RankThreads&) = delete;
  RankThreads& operator=(const RankThreads&) = delete;

  int ranks() const { return ranks_; }
  // Runs work(0..ranks-1) concurrently and returns when all have returned; rethrows the exception of the
  // lowest rank that threw. Not reentrant: one run at a time.
  void run(const std::function<void(int rank)>& work);

 private:
  void serve(int rank);

  int ranks_;
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
