// What the run loop asks of whatever produces completions (the built-in engine today; endpoints later):
// requests in, completed samples streamed back as they finish.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
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

}  // namespace r1eval::harness::run
