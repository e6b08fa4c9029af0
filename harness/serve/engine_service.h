// The engine behind `r1eval serve`: one thread runs continuous batching over every job submitted from any
// number of HTTP handler threads; each handler waits on its own ticket (and may receive text deltas).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/factory/backend_factory.h"
#include "engine/runtime/sampling_params.h"
#include "engine/tokenizer/tokenizer.h"

namespace r1eval::harness::serve {

struct EngineServiceOptions {
  engine::BackendOptions backend;   // backend, ranks, KV cache size, GPUs
  std::size_t max_in_flight = 256;  // samples in the engine at once; more jobs wait in the queue
};

struct SampleResult {
  std::string text;             // decoded without special tokens, cut before a matched stop string
  std::string finish_reason;    // "stop" or "length"
  std::int64_t completion_tokens = 0;
};

// One submitted generation: `samples` samples of `prompt` under `params` (params.seed is also the engine
// request id, as EngineGenerator uses a sample's identity seed, so the same seed and prompt give the same
// tokens as `r1eval run --model`).
struct Job {
  std::vector<std::int32_t> prompt;
  engine::SamplingParams params;
  std::uint32_t samples = 1;
  // Called on the engine thread with text as it is generated (sample index, delta); never with text that
  // a stop string later removes. Null for non-streaming jobs.
  std::function<void(std::uint32_t sample, const std::string& delta)> on_delta;
};

class Ticket {
 public:
  // Blocks until every sample is done or the service stops. Returns the samples in index order; throws
  // std::invalid_argument (one line) when the engine refused the job (prompt too long for the model or the
  // cache, ...), std::runtime_error when the service shut down first.
  std::vector<SampleResult> wait();
  // True once wait() would return (or throw) at once; blocks at most `timeout` for it.
  bool ready_within(std::chrono::milliseconds timeout);

 private:
  friend class EngineService;
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::string error_;
  bool refused_ = false;
  std::vector<SampleResult> results_;
  std::function<void()> on_done_;
  bool cancelled_ = false;  // under the service's mutex: the client went away
};

class EngineService {
 public:
  // Loads the tokenizer and weights of `model_dir` and starts the engine thread. Throws (one line) for a
  // bad model folder.
  EngineService(const std::filesystem::path& model_dir, const EngineServiceOptions& options);
  // The same with a backend already made for that folder's model (a caller wrapping the backend).
  EngineService(const std::filesystem::path& model_dir, std::unique_ptr<engine::Backend> backend,
                const EngineServiceOptions& options);
  ~EngineService();  // stops the thread; waiting tickets fail with "server shutting down"
  EngineService(const EngineService&) = delete;
  EngineService& operator=(const EngineService&) = delete;

  const engine::Tokenizer& tokenizer() const { return tokenizer_; }
  // The client of `ticket` went away: its samples leave the queue or the engine at the next step (their
  // cache blocks and batch slots freed for others) and the ticket fails. Safe from any thread, also after
  // the ticket completed.
  void cancel(const std::shared_ptr<Ticket>& ticket);
  // Checks the sampling fields, prompt and length of `job`; returns "" or one line naming the field (n,
  // stop, max_tokens, prompt, temperature, ...), so a handler can answer 400 before queueing.
  std::string validate(const Job& job) const;
  // Queues `job`. Jobs whose seed is already running wait until it finishes (the seed keys the engine's
  // random numbers and names its request), so equal seeds are served one after the other. `on_done`, if
  // given, is called once the ticket is ready (on the engine thread, or here when the service stopped).
  std::shared_ptr<Ticket> submit(Job job, std::function<void()> on_done = {});
  // Tokens one sample (prompt + generated) may hold: the model length or the whole KV cache, the smaller.
  std::int64_t max_sample_tokens() const;
  // Stops the engine thread; queued and running jobs fail. Idempotent.
  void shutdown();
  // "" while the engine runs; once a step failed (a device error, or out of memory for even one token),
  // that one line: the engine thread has stopped, every job failed with it and later ones fail at once.
  std::string failure() const;

  struct Counters {
    std::int64_t jobs_done = 0, generated_tokens = 0, prompt_tokens = 0, steps = 0;
  };
  Counters counters() const;

 private:
  struct Running;
  void loop();

  engine::Tokenizer tokenizer_;
  std::unique_ptr<engine::Backend> backend_owner_;
  engine::Backend& backend_;
  EngineServiceOptions options_;
  std::vector<std::string> token_bytes_;
  mutable std::mutex mutex_;
  std::condition_variable work_cv_;
  std::deque<std::pair<Job, std::shared_ptr<Ticket>>> queue_;
  bool stopping_ = false;
  std::string failure_;
  Counters counters_;
  std::thread thread_;
};

}  // namespace r1eval::harness::serve
