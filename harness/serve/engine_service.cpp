#include "harness/serve/engine_service.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

#include "engine/runtime/engine.h"
#include "engine/runtime/sampler.h"
#include "engine/tokenizer/streaming_decoder.h"

namespace r1eval::harness::serve {
namespace {

// The OpenAI API's finish_reason: "length", else "stop" (a returned completion has finished one way or the other).
const char* openai_finish_reason(engine::FinishReason reason) {
  return reason == engine::FinishReason::kLength ? "length" : "stop";
}

// Where the text must end: before the earliest stop string it holds (the engine keeps the token that
// completed one), or its whole length.
std::size_t cut_at_stop(const std::string& text, const std::vector<std::string>& stops) {
  std::size_t cut = text.size();
  for (const std::string& stop : stops) cut = std::min(cut, text.find(stop));
  return cut;
}

// `end` moved back to the start of a UTF-8 character, so a delta never splits one.
std::size_t char_boundary(const std::string& text, std::size_t end) {
  while (end > 0 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return end;
}

}  // namespace

std::vector<SampleResult> Ticket::wait() {
  std::unique_lock lock(mutex_);
  done_cv_.wait(lock, [&] { return done_; });
  if (!error_.empty()) {
    if (refused_) throw std::invalid_argument(error_);
    throw std::runtime_error(error_);
  }
  return results_;
}

bool Ticket::ready_within(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return done_cv_.wait_for(lock, timeout, [&] { return done_; });
}

struct EngineService::Running {
  Job job;
  std::shared_ptr<Ticket> ticket;
  std::uint32_t remaining = 0;
  std::vector<SampleResult> results;
  // Streaming only: the decoded text so far of each sample and how much of it was handed out.
  std::vector<engine::StreamingDecoder> decoders;
  std::vector<std::string> texts;
  std::vector<std::size_t> emitted;
  std::size_t holdback = 0;  // bytes a stop string could still claim

  void emit(std::uint32_t sample, std::size_t end) {
    if (end > emitted[sample]) {
      job.on_delta(sample, texts[sample].substr(emitted[sample], end - emitted[sample]));
      emitted[sample] = end;
    }
  }
};

EngineService::EngineService(const std::filesystem::path& model_dir, const EngineServiceOptions& options)
    : EngineService(model_dir, engine::make_backend(model_dir.string(), options.backend), options) {}

EngineService::EngineService(const std::filesystem::path& model_dir, std::unique_ptr<engine::Backend> backend,
                             const EngineServiceOptions& options)
    : tokenizer_(engine::Tokenizer::from_folder(model_dir)),
      backend_owner_(std::move(backend)),
      backend_(*backend_owner_),
      options_(options) {
  token_bytes_.reserve(tokenizer_.vocab_size());
  for (std::uint32_t id = 0; id < tokenizer_.vocab_size(); ++id) token_bytes_.emplace_back(tokenizer_.token_bytes(id));
  // The model's vocabulary may be padded beyond the tokenizer's; such ids decode to nothing.
  token_bytes_.resize(static_cast<std::size_t>(backend_.config().vocab_size));
  thread_ = std::thread([this] { loop(); });
}

EngineService::~EngineService() { shutdown(); }

void EngineService::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string EngineService::validate(const Job& job) const {
  if (job.prompt.empty()) return "prompt: expected at least one token";
  if (job.samples == 0) return "n: expected at least 1";
  if (job.samples > options_.max_in_flight)
    return "n: at most " + std::to_string(options_.max_in_flight) + " samples per request (--max-batch)";
  for (const std::string& stop : job.params.stop_strings)
    if (stop.empty()) return "stop: expected non-empty strings";
  for (const std::int32_t id : job.prompt)
    if (id < 0 || id >= backend_.config().vocab_size) return "prompt: token id " + std::to_string(id) + " outside the vocabulary";
  // As the engine does: a sample ends at the model length whatever max_tokens says (finish "length"), and
  // must fit the whole cache.
  const auto prompt_len = static_cast<std::int64_t>(job.prompt.size());
  const std::int64_t model_len = backend_.config().max_position_embeddings;
  if (model_len > 0 && prompt_len >= model_len)
    return "prompt: " + std::to_string(prompt_len) + " tokens leave no room in the model length " + std::to_string(model_len);
  const std::int64_t longest = model_len > 0 ? std::min(prompt_len + job.params.max_tokens, model_len)
                                             : prompt_len + job.params.max_tokens;
  const std::int64_t cache_tokens = backend_.num_kv_blocks() * backend_.kv_block_size();
  if (longest > cache_tokens)
    return "max_tokens: a sample of " + std::to_string(longest) + " tokens (prompt " + std::to_string(prompt_len) +
           ") does not fit the KV cache of " + std::to_string(cache_tokens) + " tokens (--kv-cache-gb)";
  return engine::validate_sampling_params(job.params);
}

std::int64_t EngineService::max_sample_tokens() const {
  const std::int64_t cache_tokens = backend_.num_kv_blocks() * backend_.kv_block_size();
  const std::int64_t model_len = backend_.config().max_position_embeddings;
  return model_len > 0 ? std::min(model_len, cache_tokens) : cache_tokens;
}

std::shared_ptr<Ticket> EngineService::submit(Job job, std::function<void()> on_done) {
  auto ticket = std::make_shared<Ticket>();
  ticket->on_done_ = std::move(on_done);
  {
    std::unique_lock lock(mutex_);
    if (stopping_) {
      const std::string why = failure_.empty() ? "server shutting down" : failure_;
      lock.unlock();
      ticket->done_ = true;
      ticket->error_ = why;
      if (ticket->on_done_) ticket->on_done_();
      return ticket;
    }
    queue_.emplace_back(std::move(job), ticket);
  }
  work_cv_.notify_all();
  return ticket;
}

void EngineService::cancel(const std::shared_ptr<Ticket>& ticket) {
  {
    std::lock_guard lock(mutex_);
    ticket->cancelled_ = true;
  }
  work_cv_.notify_all();
}

EngineService::Counters EngineService::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void EngineService::loop() {
  engine::EngineOptions engine_options;
  engine_options.token_bytes = token_bytes_;
  engine_options.scheduler = engine::scheduler_options_for(backend_, options_.max_in_flight);
  engine::Engine eng(backend_, engine_options);
  std::unordered_map<std::uint64_t, Running> running;
  std::size_t samples_in_engine = 0;
  const auto complete = [](Ticket& t, std::vector<SampleResult> results, std::string error, bool refused) {
    {
      std::lock_guard lock(t.mutex_);
      t.done_ = true;
      t.error_ = std::move(error);
      t.refused_ = refused;
      t.results_ = std::move(results);
    }
    t.done_cv_.notify_all();
    if (t.on_done_) t.on_done_();
  };

  for (;;) {
    std::vector<std::pair<Job, std::shared_ptr<Ticket>>> admitted;
    std::vector<std::shared_ptr<Ticket>> cancelled;
    {
      std::unique_lock lock(mutex_);
      // A job blocked by a running seed implies a running job, so the engine has work and this never spins.
      work_cv_.wait(lock, [&] { return stopping_ || eng.has_unfinished() || !queue_.empty(); });
      if (stopping_) break;
      // Jobs whose clients went away: out of the queue, and out of the engine with their blocks and slots.
      for (auto it = queue_.begin(); it != queue_.end();) {
        if (!it->second->cancelled_) {
          ++it;
          continue;
        }
        cancelled.push_back(it->second);
        it = queue_.erase(it);
      }
      for (auto it = running.begin(); it != running.end();) {
        if (!it->second.ticket->cancelled_) {
          ++it;
          continue;
        }
        eng.abort(it->first);
        samples_in_engine -= it->second.job.samples;
        cancelled.push_back(it->second.ticket);
        it = running.erase(it);
      }
      for (auto it = queue_.begin(); it != queue_.end();) {
        const std::uint64_t seed = it->first.params.seed;
        const bool seed_busy = running.count(seed) > 0 ||
                               std::any_of(admitted.begin(), admitted.end(),
                                           [&](const auto& a) { return a.first.params.seed == seed; });
        if (seed_busy) {
          ++it;
          continue;
        }
        if (samples_in_engine > 0 && samples_in_engine + it->first.samples > options_.max_in_flight) break;
        samples_in_engine += it->first.samples;
        admitted.push_back(std::move(*it));
        it = queue_.erase(it);
      }
    }
    for (const auto& ticket : cancelled) complete(*ticket, {}, "request cancelled: the client went away", false);
    for (auto& [job, ticket] : admitted) {
      engine::Request request;
      request.id = job.params.seed;
      request.prompt = job.prompt;
      request.params = job.params;
      request.num_samples = job.samples;
      try {
        eng.add_request(request);
      } catch (const std::invalid_argument& e) {
        samples_in_engine -= job.samples;
        complete(*ticket, {}, e.what(), true);
        continue;
      }
      Running r;
      r.remaining = job.samples;
      r.results.resize(job.samples);
      if (job.on_delta) {
        for (std::uint32_t s = 0; s < job.samples; ++s) r.decoders.emplace_back(tokenizer_, true);
        r.texts.resize(job.samples);
        r.emitted.assign(job.samples, 0);
        for (const std::string& stop : job.params.stop_strings) r.holdback = std::max(r.holdback, stop.size() - 1);
      }
      r.job = std::move(job);
      r.ticket = ticket;
      running.emplace(request.id, std::move(r));
    }
    if (!eng.has_unfinished()) continue;

    std::vector<engine::Completion> done;
    try {
      done = eng.step();
    } catch (const std::exception& e) {
      // Nothing sensible follows a failed step (a CUDA error leaves the device unusable; out of memory here
      // means even one token does not fit): fail every job with the one line, take no more.
      std::lock_guard lock(mutex_);
      failure_ = std::string("engine failed: ") + e.what();
      stopping_ = true;
      break;
    }
    const auto finished_now = [&](std::uint64_t id, std::uint32_t sample) {
      return std::any_of(done.begin(), done.end(),
                         [&](const engine::Completion& c) { return c.request_id == id && c.sample_index == sample; });
    };
    for (const engine::SampledToken& t : eng.last_step_tokens()) {
      const auto it = running.find(t.request_id);
      if (it == running.end() || !it->second.job.on_delta || finished_now(t.request_id, t.sample_index)) continue;
      Running& r = it->second;
      r.texts[t.sample_index] += r.decoders[t.sample_index].push(static_cast<std::uint32_t>(t.token));
      const std::string& text = r.texts[t.sample_index];
      const std::size_t safe = text.size() > r.holdback ? text.size() - r.holdback : 0;
      r.emit(t.sample_index, char_boundary(text, safe));
    }
    for (const engine::Completion& c : done) {
      const auto it = running.find(c.request_id);
      if (it == running.end()) continue;
      Running& r = it->second;
      const std::vector<std::uint32_t> ids(c.tokens.begin(), c.tokens.end());
      std::string text = tokenizer_.decode(ids, true);
      text.resize(cut_at_stop(text, r.job.params.stop_strings));
      if (r.job.on_delta) {
        r.texts[c.sample_index] = text;
        r.emit(c.sample_index, text.size());
      }
      r.results[c.sample_index] = {std::move(text), openai_finish_reason(c.finish_reason),
                                   static_cast<std::int64_t>(c.tokens.size())};
      if (--r.remaining > 0) continue;
      samples_in_engine -= r.job.samples;
      {
        std::lock_guard lock(mutex_);
        ++counters_.jobs_done;
      }
      complete(*r.ticket, std::move(r.results), "", false);
      running.erase(it);
    }
    std::lock_guard lock(mutex_);
    counters_.generated_tokens = eng.stats().generated_tokens;
    counters_.prompt_tokens = eng.stats().prompt_tokens;
    counters_.steps = eng.stats().steps;
  }
  std::string why;
  {
    std::lock_guard lock(mutex_);
    why = failure_.empty() ? "server shutting down" : failure_;
  }
  for (auto& [id, r] : running) complete(*r.ticket, {}, why, false);
  std::lock_guard lock(mutex_);
  for (auto& [job, ticket] : queue_) complete(*ticket, {}, why, false);
  queue_.clear();
}

std::string EngineService::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

}  // namespace r1eval::harness::serve
