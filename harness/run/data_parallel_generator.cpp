#include "harness/run/data_parallel_generator.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace r1eval::harness::run {

std::vector<std::size_t> assign_replicas(const std::vector<GenerationRequest>& requests, std::size_t replicas) {
  std::vector<std::size_t> owner(requests.size(), 0);
  std::vector<std::size_t> load(replicas, 0);
  for (std::size_t r = 0; r < requests.size(); ++r) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < replicas; ++i)
      if (load[i] < load[best]) best = i;
    owner[r] = best;
    load[best] += requests[r].samples.size();
  }
  return owner;
}

DataParallelGenerator::DataParallelGenerator(std::size_t replicas,
                                             const std::function<std::unique_ptr<Generator>(std::size_t)>& make_replica) {
  if (replicas == 0) throw std::invalid_argument("--dp 0: expected at least one replica");
  for (std::size_t i = 0; i < replicas; ++i) replicas_.push_back(make_replica(i));
}

DataParallelGenerator::~DataParallelGenerator() = default;

void DataParallelGenerator::generate(const std::vector<GenerationRequest>& requests, const CompletionSink& sink,
                                     const std::atomic<bool>& stop) {
  // Replicas that pull their work share one queue of the requests (each claims the next prompt when it has
  // room); others get a fixed share each, dealt by assign_replicas.
  std::vector<PullingGenerator*> pulling;
  for (const auto& replica : replicas_) pulling.push_back(dynamic_cast<PullingGenerator*>(replica.get()));
  const bool shared_queue = std::find(pulling.begin(), pulling.end(), nullptr) == pulling.end();
  RequestQueue queue(requests.size());
  std::vector<std::vector<GenerationRequest>> shares(replicas_.size());
  std::vector<std::vector<std::size_t>> original_index(replicas_.size());
  if (!shared_queue) {
    const std::vector<std::size_t> owner = assign_replicas(requests, replicas_.size());
    for (std::size_t r = 0; r < requests.size(); ++r) {
      shares[owner[r]].push_back(requests[r]);
      original_index[owner[r]].push_back(r);
    }
  }

  // The replicas' completions wait here for the calling thread, which alone talks to `sink`.
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<GeneratedSample> finished;
  std::size_t running = 0;
  std::exception_ptr error;
  std::atomic<bool> halt{stop.load()};  // the caller's stop, or a replica's failure
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    if (shared_queue ? i >= requests.size() : shares[i].empty()) continue;
    ++running;
    threads.emplace_back([&, i] {
      try {
        const CompletionSink hand_over = [&, i](GeneratedSample&& g) {
          if (!shared_queue) g.request = original_index[i][g.request];
          std::lock_guard lock(mutex);
          finished.push_back(std::move(g));
          ready.notify_one();
        };
        if (shared_queue) {
          pulling[i]->generate_from(requests, queue, hand_over, halt);
        } else {
          replicas_[i]->generate(shares[i], hand_over, halt);
        }
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!error) error = std::current_exception();
        halt.store(true);
      }
      std::lock_guard lock(mutex);
      --running;
      ready.notify_one();
    });
  }

  std::exception_ptr sink_error;
  {
    std::unique_lock lock(mutex);
    while (true) {
      // The caller's stop is polled: it is a plain flag, nobody notifies on it.
      ready.wait_for(lock, std::chrono::milliseconds(20), [&] { return !finished.empty() || running == 0; });
      if (stop.load()) halt.store(true);
      while (!finished.empty()) {
        GeneratedSample g = std::move(finished.front());
        finished.pop_front();
        if (sink_error) continue;  // draining after a failed sink; the replicas are stopping
        lock.unlock();
        try {
          sink(std::move(g));
        } catch (...) {
          sink_error = std::current_exception();
          halt.store(true);
        }
        lock.lock();
      }
      if (running == 0) break;
    }
  }
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  if (sink_error) std::rethrow_exception(sink_error);
}

std::string DataParallelGenerator::summary() const {
  std::string out = "dp " + std::to_string(replicas_.size()) + ": ";
  for (std::size_t i = 0; i < replicas_.size(); ++i) out += (i ? " | " : "") + replicas_[i]->summary();
  return out;
}

std::int64_t DataParallelGenerator::tokens_generated() const {
  std::int64_t total = 0;
  for (const auto& r : replicas_) total += r->tokens_generated();
  return total;
}

}  // namespace r1eval::harness::run
