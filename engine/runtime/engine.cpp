#include "engine/runtime/engine.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "engine/runtime/batch_builder.h"
#include "engine/runtime/sampler.h"

namespace r1eval::engine {

Engine::Engine(Backend& backend, const EngineOptions& options)
    : backend_(backend),
      max_model_len_(options.max_model_len > 0 ? options.max_model_len : backend.config().max_position_embeddings),
      token_bytes_(options.token_bytes),
      blocks_(backend.num_kv_blocks(), backend.kv_block_size()),
      scheduler_(blocks_, options.scheduler) {
  for (const std::int64_t id : backend.config().eos_token_ids) eos_ids_.push_back(static_cast<std::int32_t>(id));
}

void Engine::add_request(const Request& request) {
  const std::string where = "request " + std::to_string(request.id) + ": ";
  if (request.prompt.empty()) throw std::invalid_argument(where + "prompt: expected at least one token");
  for (const std::int32_t id : request.prompt) {
    if (id < 0 || id >= backend_.config().vocab_size) {
      throw std::invalid_argument(where + "prompt: token id " + std::to_string(id) + " outside the vocabulary of " +
                                  std::to_string(backend_.config().vocab_size));
    }
  }
  if (request.num_samples == 0) throw std::invalid_argument(where + "num_samples: expected at least 1");
  if (!request.streams.empty() && request.streams.size() != request.num_samples) {
    throw std::invalid_argument(where + "streams: expected one per sample (" + std::to_string(request.num_samples) +
                                "), got " + std::to_string(request.streams.size()));
  }
  if (!request.streams.empty() && request.num_samples > 1 && pending_streams_.count(request.id) != 0) {
    throw std::invalid_argument(where + "id: a request with this id is still waiting for its prompt");
  }
  const std::string problem = validate_sampling_params(request.params);
  if (!problem.empty()) throw std::invalid_argument(where + problem);
  for (const std::string& stop : request.params.stop_strings) {
    if (stop.empty()) throw std::invalid_argument(where + "stop_strings: expected non-empty strings");
  }
  if (!request.params.stop_strings.empty() &&
      static_cast<std::int64_t>(token_bytes_.size()) != backend_.config().vocab_size) {
    throw std::invalid_argument(where + "stop_strings need the bytes of every token (EngineOptions::token_bytes)");
  }
  const auto prompt_len = static_cast<std::int64_t>(request.prompt.size());
  std::int64_t longest = prompt_len + request.params.max_tokens;
  if (max_model_len_ > 0) {
    if (prompt_len >= max_model_len_) {
      throw std::invalid_argument(where + "prompt of " + std::to_string(prompt_len) + " tokens leaves no room in the " +
                                  "model length " + std::to_string(max_model_len_));
    }
    longest = std::min(longest, max_model_len_);
  }
  const std::int64_t blocks_needed = (longest + blocks_.block_size() - 1) / blocks_.block_size();
  if (blocks_needed > blocks_.num_blocks()) {
    throw std::invalid_argument(where + "a sample of " + std::to_string(longest) + " tokens needs " +
                                std::to_string(blocks_needed) + " KV cache blocks, the cache has " +
                                std::to_string(blocks_.num_blocks()));
  }
  auto seq = std::make_unique<Sequence>();
  seq->request_id = request.id;
  seq->params = std::make_shared<const SamplingParams>(request.params);
  seq->tokens = request.prompt;
  seq->prompt_len = prompt_len;
  seq->pending_forks = request.num_samples - 1;
  const SampleStream first = request.streams.empty() ? SampleStream{request.params.seed, request.id, 0}
                                                     : request.streams.front();
  seq->key_seed = first.seed;
  seq->key_request = first.request;
  seq->key_sample = first.sample;
  if (request.streams.size() > 1) pending_streams_[request.id] = request.streams;
  scheduler_.add_waiting(seq.get());
  sequences_.push_back(std::move(seq));
}

Sequence* Engine::fork(Sequence& parent, std::uint32_t sample_index, const SampleStream& stream) {
  auto child = std::make_unique<Sequence>();
  child->request_id = parent.request_id;
  child->sample_index = sample_index;
  child->key_seed = stream.seed;
  child->key_request = stream.request;
  child->key_sample = stream.sample;
  child->params = parent.params;
  child->tokens = parent.tokens;
  child->prompt_len = parent.prompt_len;
  child->num_cached = parent.num_cached;
  child->generated_bytes = parent.generated_bytes;
  child->blocks = blocks_.fork(parent.blocks);
  scheduler_.add_running(child.get());
  sequences_.push_back(std::move(child));
  return sequences_.back().get();
}

namespace {

// Appends `bytes` to the sequence's generated text and looks for a stop string ending in the new part.
bool matches_stop_string(Sequence& seq, const std::string& bytes) {
  const std::size_t old_size = seq.generated_bytes.size();
  seq.generated_bytes += bytes;
  for (const std::string& stop : seq.params->stop_strings) {
    // A match must end inside the new bytes: start looking far enough back to catch one that straddles.
    const std::size_t from = old_size >= stop.size() - 1 ? old_size - (stop.size() - 1) : 0;
    if (seq.generated_bytes.find(stop, from) != std::string::npos) {
      seq.matched_stop_string = stop;
      return true;
    }
  }
  return false;
}

}  // namespace

SampleStream Engine::fork_stream(const Sequence& parent, std::uint32_t k) const {
  const auto streams = pending_streams_.find(parent.request_id);
  return streams != pending_streams_.end() ? streams->second[k] : SampleStream{parent.params->seed, parent.request_id, k};
}

bool Engine::accept_token(Sequence& seq, std::int32_t token) {
  const SamplingParams& params = *seq.params;
  seq.tokens.push_back(token);
  last_step_tokens_.push_back({seq.request_id, seq.sample_index, token});
  ++stats_.generated_tokens;
  const bool is_eos = !params.ignore_eos && std::find(eos_ids_.begin(), eos_ids_.end(), token) != eos_ids_.end();
  const bool is_stop = std::find(params.stop_token_ids.begin(), params.stop_token_ids.end(), token) !=
                       params.stop_token_ids.end();
  if (is_eos || is_stop) {
    seq.finish_reason = FinishReason::kStop;
  } else if (!params.stop_strings.empty() && matches_stop_string(seq, token_bytes_[static_cast<std::size_t>(token)])) {
    seq.finish_reason = FinishReason::kStop;
  } else if (seq.num_generated() >= params.max_tokens ||
             (max_model_len_ > 0 && static_cast<std::int64_t>(seq.tokens.size()) >= max_model_len_)) {
    seq.finish_reason = FinishReason::kLength;
  }
  return seq.finish_reason != FinishReason::kNone;
}

std::vector<TokenDraw> Engine::token_draws(const Schedule& schedule) const {
  // A prompt's first token is drawn for each of its samples from its one logit row; the samples other than
  // the first are forked from it after the pass.
  std::vector<TokenDraw> draws;
  std::int32_t row = 0;
  for (const ScheduledSequence& entry : schedule.entries) {
    if (!entry.needs_logits) continue;
    const Sequence& seq = *entry.seq;
    const auto position = static_cast<std::uint32_t>(seq.tokens.size());
    const kernels::SamplingParams params = kernel_sampling_params(*seq.params);
    draws.push_back({row, params, {seq.key_seed, seq.key_request, seq.key_sample, position}});
    for (std::uint32_t k = 1; k <= seq.pending_forks; ++k) {
      const SampleStream stream = fork_stream(seq, k);
      draws.push_back({row, params, {stream.seed, stream.request, stream.sample, position}});
    }
    ++row;
  }
  return draws;
}

std::vector<Completion> Engine::step() {
  std::vector<Completion> done;
  last_step_tokens_.clear();
  Schedule schedule = scheduler_.schedule();
  std::vector<std::int32_t> tokens;
  for (;;) {
    if (schedule.entries.empty()) return done;
    stats_.preemptions += schedule.num_preempted;
    backend_.copy_kv_blocks(schedule.copies);
    try {
      tokens = backend_.forward_and_sample(build_forward_batch(schedule, blocks_.block_size()), token_draws(schedule));
      break;
    } catch (const DeviceOutOfMemory& e) {
      // Nothing of the step ran. Its sequences keep the blocks it reserved (and the copies made into them),
      // so the smaller step picks up where this one would have started.
      if (!scheduler_.shrink_after(schedule)) {
        throw DeviceOutOfMemory(std::string(e.what()) + " (a step of a single token does not fit either)");
      }
      ++stats_.out_of_memory_retries;
      schedule = scheduler_.schedule();
    }
  }
  ++stats_.steps;
  for (const ScheduledSequence& entry : schedule.entries) {
    const bool decode = entry.seq->num_generated() > 0 && entry.seq->num_uncached() == 1;
    if (!decode) stats_.prompt_tokens += entry.num_new;
  }

  std::size_t next_draw = 0;
  std::vector<Sequence*> finished;
  for (const ScheduledSequence& entry : schedule.entries) {
    Sequence& seq = *entry.seq;
    seq.num_cached += entry.num_new;
    if (!entry.needs_logits) continue;
    std::vector<Sequence*> samples{&seq};
    if (seq.pending_forks > 0) {
      for (std::uint32_t k = 1; k <= seq.pending_forks; ++k) samples.push_back(fork(seq, k, fork_stream(seq, k)));
      pending_streams_.erase(seq.request_id);
      seq.pending_forks = 0;
    }
    for (Sequence* sample : samples) {
      if (accept_token(*sample, tokens[next_draw++])) finished.push_back(sample);
    }
  }
  for (Sequence* seq : finished) {
    scheduler_.finish(seq);
    Completion completion{seq->request_id, seq->sample_index,
                          std::vector<std::int32_t>(seq->tokens.begin() + seq->prompt_len, seq->tokens.end()),
                          seq->finish_reason, -1, seq->matched_stop_string};
    if (seq->finish_reason == FinishReason::kStop && seq->matched_stop_string.empty()) {
      completion.stop_token = completion.tokens.back();
      completion.tokens.pop_back();
    }
    done.push_back(std::move(completion));
  }
  // Finished sequences are no longer referenced by the scheduler.
  std::erase_if(sequences_, [](const std::unique_ptr<Sequence>& s) { return s->status == SequenceStatus::kFinished; });
  return done;
}

void Engine::abort(std::uint64_t id) {
  for (const std::unique_ptr<Sequence>& seq : sequences_)
    if (seq->request_id == id && seq->status != SequenceStatus::kFinished) scheduler_.finish(seq.get());
  pending_streams_.erase(id);
  std::erase_if(sequences_, [](const std::unique_ptr<Sequence>& s) { return s->status == SequenceStatus::kFinished; });
}

std::vector<Completion> Engine::run_to_completion() {
  std::vector<Completion> all;
  while (has_unfinished()) {
    const std::int64_t steps_before = stats_.steps, retries_before = stats_.out_of_memory_retries;
    std::vector<Completion> done = step();
    if (stats_.steps == steps_before && stats_.out_of_memory_retries == retries_before)
      throw std::logic_error("engine: requests queued but none could be scheduled");
    all.insert(all.end(), std::make_move_iterator(done.begin()), std::make_move_iterator(done.end()));
  }
  std::sort(all.begin(), all.end(), [](const Completion& a, const Completion& b) {
    return a.request_id != b.request_id ? a.request_id < b.request_id : a.sample_index < b.sample_index;
  });
  return all;
}

}  // namespace r1eval::engine
