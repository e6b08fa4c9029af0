// The generation loop: requests in, completed samples out. Each step the scheduler picks the work, the
// step is flattened into one ragged batch for the backend, and the sampler picks the next tokens.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/runtime/block_manager.h"
#include "engine/runtime/sampling_params.h"
#include "engine/runtime/scheduler.h"
#include "engine/runtime/sequence.h"

namespace r1eval::engine {

// Where one sample's random numbers come from: the draw at position p is SampleKey{seed, request, sample, p}.
struct SampleStream {
  std::uint64_t seed = 0;
  std::uint64_t request = 0;
  std::uint32_t sample = 0;
};

struct Request {
  std::uint64_t id = 0;  // unique among the engine's requests; keys the random numbers
  std::vector<std::int32_t> prompt;
  SamplingParams params;
  std::uint32_t num_samples = 1;  // samples share the prompt's cache blocks
  // Empty: sample i draws from {params.seed, id, i}. Otherwise one stream per sample, so that samples grouped
  // into one request (to share the prompt's prefill and cache blocks) draw exactly the tokens they would draw
  // as requests of their own: give each the stream it would have had alone.
  std::vector<SampleStream> streams;
};

struct Completion {
  std::uint64_t request_id = 0;
  std::uint32_t sample_index = 0;
  // Generated tokens, without a stop token; with a stop string, up to and including the token that
  // completed it (the caller cuts the text at the string).
  std::vector<std::int32_t> tokens;
  FinishReason finish_reason = FinishReason::kNone;
  std::int32_t stop_token = -1;  // the eos / stop token that ended it, if one did
  std::string stop_string;       // the stop string that ended it, if one did
};

struct EngineOptions {
  SchedulerOptions scheduler;
  std::int64_t max_model_len = 0;  // prompt + generated tokens per sample; 0 = max_position_embeddings
  // The bytes each token id decodes to (a byte-level BPE vocabulary), for stop strings; requests with
  // stop strings are refused without it.
  std::vector<std::string> token_bytes;
};

// One token chosen in a step, for callers that stream text as it is generated.
struct SampledToken {
  std::uint64_t request_id = 0;
  std::uint32_t sample_index = 0;
  std::int32_t token = 0;
};

struct EngineStats {
  std::int64_t steps = 0;
  std::int64_t prompt_tokens = 0;     // tokens run as prefill, recomputation included
  std::int64_t generated_tokens = 0;
  std::int64_t preemptions = 0;
  // Steps the backend could not fit in device memory, each retried at half the tokens (the smaller step
  // size stays: Scheduler::shrink_after).
  std::int64_t out_of_memory_retries = 0;
};

class Engine {
 public:
  Engine(Backend& backend, const EngineOptions& options);

  // Queues a request. Throws std::invalid_argument (one line naming the request and field) for an empty
  // prompt, an id outside the vocabulary, bad sampling parameters, stop strings without token_bytes, or
  // a sample that could not fit the model length or the whole KV cache.
  void add_request(const Request& request);
  bool has_unfinished() const { return !scheduler_.empty(); }
  // Runs one step; returns the samples that finished in it. A step the backend cannot fit in its memory
  // (DeviceOutOfMemory) is replaced by a smaller one; DeviceOutOfMemory escapes only when a single token
  // does not fit.
  std::vector<Completion> step();
  // Drops every sample of request `id` that has not finished, with its cache blocks and the samples it has
  // yet to fork; no completion is returned for them. Unknown or finished ids are ignored.
  void abort(std::uint64_t id);
  // Runs until every queued request is done; completions ordered by (request id, sample index).
  std::vector<Completion> run_to_completion();
  const EngineStats& stats() const { return stats_; }
  // Every token chosen by the last step() (finishing ones included, an eos or stop token too), in batch
  // order; valid until the next step().
  const std::vector<SampledToken>& last_step_tokens() const { return last_step_tokens_; }

 private:
  Sequence* fork(Sequence& parent, std::uint32_t sample_index, const SampleStream& stream);
  // The random stream of sample k (>= 1) of `parent`'s request, not yet forked.
  SampleStream fork_stream(const Sequence& parent, std::uint32_t k) const;
  // Appends the chosen `token` to `seq`; returns true when the sequence finished.
  bool accept_token(Sequence& seq, std::int32_t token);
  // One draw per sample choosing a token in `schedule`, in the order of its logit rows.
  std::vector<TokenDraw> token_draws(const Schedule& schedule) const;

  Backend& backend_;
  std::int64_t max_model_len_;
  std::vector<std::int32_t> eos_ids_;
  std::vector<std::string> token_bytes_;
  BlockManager blocks_;
  Scheduler scheduler_;
  std::vector<std::unique_ptr<Sequence>> sequences_;
  // The streams of samples not yet forked, by request id (only requests that gave streams).
  std::unordered_map<std::uint64_t, std::vector<SampleStream>> pending_streams_;
  EngineStats stats_;
  std::vector<SampledToken> last_step_tokens_;
};

}  // namespace r1eval::engine
