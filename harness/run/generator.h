// What the run loop asks of whatever produces completions (the built-in engine today; endpoints later):
// requests in, completed samples streamed back as they finish.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace r1eval::harness::run {

// Who a sample is. `seed` is harness::sample_seed of the other fields under the run seed; a generator must
// make the sample's tokens a pure function of the prompt, the settings and this seed.
struct SampleIdentity {
  std::string task;
  std::string problem_id;
  int sample_index = 0;
  std::uint64_t seed = 0;
};

struct GenerationSettings {
  double temperature = 0.6;
  double top_p = 0.95;
  int max_tokens = 32768;
};

// One prompt (the user turn) and the samples of it that must be produced.
struct GenerationRequest {
  std::string prompt;
  GenerationSettings settings;
  std::vector<SampleIdentity> samples;
};

struct GeneratedSample {
  std::size_t request = 0;  // index into the request list given to generate()
  std::size_t sample = 0;   // index into that request's samples
  std::string text;         // the completion (after the template's forced prefix, which belongs to the prompt)
  std::string finish_reason;  // "stop" or "length"
  std::int64_t prompt_tokens = -1;
  std::int64_t completion_tokens = -1;
  double seconds = 0;       // from the sample entering the generator to its last token
};

using CompletionSink = std::function<void(GeneratedSample&&)>;

class Generator {
 public:
  virtual ~Generator() = default;
  // Produces every sample of every request and hands each to `sink` once, on the calling thread, as soon as
  // it finishes (any order). Returns early, leaving the rest unproduced, once `stop` is set. Throws
  // std::invalid_argument (one line) for a request it cannot serve.
  virtual void generate(const std::vector<GenerationRequest>& requests, const CompletionSink& sink,
                        const std::atomic<bool>& stop) = 0;
  // One line on the work done so far (tokens, steps, ...), for the log.
  virtual std::string summary() const = 0;
  // Tokens generated so far, unfinished samples included; safe to call from another thread while
  // generate() runs (the progress log reads it).
  virtual std::int64_t tokens_generated() const = 0;
};

// Hands every call to another generator, held shared so that its maker may keep it too: the generator a
// run loop is given when the caller needs the real one before or after the loop, and the base of wrappers
// that add one thing.
class ForwardingGenerator : public Generator {
 public:
  explicit ForwardingGenerator(std::shared_ptr<Generator> inner) : inner_(std::move(inner)) {}
  void generate(const std::vector<GenerationRequest>& requests, const CompletionSink& sink,
                const std::atomic<bool>& stop) override {
    inner_->generate(requests, sink, stop);
  }
  std::string summary() const override { return inner_->summary(); }
  std::int64_t tokens_generated() const override { return inner_->tokens_generated(); }

 private:
  std::shared_ptr<Generator> inner_;
};

// The requests of one generate() call handed out to generators that pull their work: claim() gives the
// index of the next request to serve, or nullopt when none is left. Safe to call from several threads.
class RequestQueue {
 public:
  explicit RequestQueue(std::size_t count) : count_(count) {}
  std::optional<std::size_t> claim() {
    const std::size_t i = next_.fetch_add(1);
    return i < count_ ? std::optional<std::size_t>(i) : std::nullopt;
  }

 private:
  std::size_t count_;
  std::atomic<std::size_t> next_{0};
};

// A generator that takes its requests one at a time from a queue it may share with others (data parallelism:
// a replica claims the next prompt only when it has room for it, so replicas stay busy however long their
// samples run).
class PullingGenerator : public Generator {
 public:
  // As generate(), for the requests it claims from `queue` (indices into `requests`, which completions keep);
  // returns once the queue is empty and its claimed requests are done, or early on `stop`.
  virtual void generate_from(const std::vector<GenerationRequest>& requests, RequestQueue& queue,
                             const CompletionSink& sink, const std::atomic<bool>& stop) = 0;
  // Every request, from a queue of its own.
  void generate(const std::vector<GenerationRequest>& requests, const CompletionSink& sink,
                const std::atomic<bool>& stop) override {
    RequestQueue queue(requests.size());
    generate_from(requests, queue, sink, stop);
  }
};

}  // namespace r1eval::harness::run
