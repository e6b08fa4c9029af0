#include "harness/run/engine_generator.h"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <unordered_map>

#include "engine/backend/cpu/cpu_backend.h"
#include "engine/runtime/engine.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"

namespace r1eval::harness::run {

struct EngineGenerator::State {
  EngineGeneratorOptions options;
  engine::Tokenizer tokenizer;
  engine::CpuBackend backend;
  engine::EngineStats totals;
  std::atomic<std::int64_t> live_tokens{0};  // totals plus the running engine's, for other threads

  State(const std::filesystem::path& dir, const EngineGeneratorOptions& o)
      : options(o), tokenizer(engine::Tokenizer::from_folder(dir)), backend(dir.string(), backend_options(o)) {}

  static engine::CpuBackendOptions backend_options(const EngineGeneratorOptions& o) {
    engine::CpuBackendOptions b;
    b.tensor_parallel = o.tensor_parallel;
    b.kv_cache_bytes = o.kv_cache_bytes;
    return b;
  }
};

EngineGenerator::EngineGenerator(const std::filesystem::path& model_dir, const EngineGeneratorOptions& options)
    : state_(std::make_unique<State>(model_dir, options)) {}

EngineGenerator::~EngineGenerator() = default;

namespace {

const char* finish_reason_name(engine::FinishReason reason) {
  switch (reason) {
    case engine::FinishReason::kStop: return "stop";
    case engine::FinishReason::kLength: return "length";
    case engine::FinishReason::kNone: break;
  }
  return "none";
}

struct InFlight {
  std::size_t request = 0, sample = 0;
  std::int64_t prompt_tokens = 0;
  std::chrono::steady_clock::time_point start;
};

}  // namespace

void EngineGenerator::generate(const std::vector<GenerationRequest>& requests, const CompletionSink& sink,
                               const std::atomic<bool>& stop) {
  // Prompts are tokenized once per request; samples are queued in request order.
  std::vector<std::vector<std::int32_t>> prompts;
  std::vector<std::pair<std::size_t, std::size_t>> queue;
  std::unordered_map<std::uint64_t, const SampleIdentity*> seen;
  for (std::size_t r = 0; r < requests.size(); ++r) {
    engine::ChatTemplateOptions chat;
    chat.force_think = true;
    const auto ids = engine::encode_chat(state_->tokenizer, engine::ChatTemplateKind::kR1Distill,
                                         {{"user", requests[r].prompt}}, chat);
    prompts.emplace_back(ids.begin(), ids.end());
    for (std::size_t s = 0; s < requests[r].samples.size(); ++s) {
      const SampleIdentity& id = requests[r].samples[s];
      auto [it, fresh] = seen.emplace(id.seed, &id);
      if (!fresh)
        throw std::invalid_argument("samples " + it->second->task + "/" + it->second->problem_id + "#" +
                                    std::to_string(it->second->sample_index) + " and " + id.task + "/" +
                                    id.problem_id + "#" + std::to_string(id.sample_index) + " share seed " +
                                    std::to_string(id.seed));
      queue.emplace_back(r, s);
    }
  }

  engine::Engine eng(state_->backend, engine::EngineOptions{});
  std::unordered_map<std::uint64_t, InFlight> in_flight;
  std::size_t next = 0;
  const auto add_totals = [&] {
    const engine::EngineStats& s = eng.stats();
    state_->totals.steps += s.steps;
    state_->totals.prompt_tokens += s.prompt_tokens;
    state_->totals.generated_tokens += s.generated_tokens;
    state_->totals.preemptions += s.preemptions;
  };
  while (!stop.load() && (next < queue.size() || eng.has_unfinished())) {
    while (in_flight.size() < state_->options.max_in_flight && next < queue.size()) {
      const auto [r, s] = queue[next++];
      const GenerationRequest& request = requests[r];
      const SampleIdentity& id = request.samples[s];
      engine::Request er;
      er.id = id.seed;
      er.prompt = prompts[r];
      er.num_samples = 1;
      er.params.temperature = request.settings.temperature;
      er.params.top_p = request.settings.top_p;
      er.params.max_tokens = request.settings.max_tokens;
      er.params.seed = id.seed;
      try {
        eng.add_request(er);
      } catch (const std::invalid_argument& e) {
        // The engine names the request by its id (the seed); the user knows the sample by its identity.
        throw std::invalid_argument("sample " + id.task + "/" + id.problem_id + "#" + std::to_string(id.sample_index) +
                                    ": " + e.what());
      }
      in_flight.emplace(id.seed, InFlight{r, s, static_cast<std::int64_t>(prompts[r].size()),
                                          std::chrono::steady_clock::now()});
    }
    const std::vector<engine::Completion> finished = eng.step();
    state_->live_tokens.store(state_->totals.generated_tokens + eng.stats().generated_tokens);
    for (const engine::Completion& c : finished) {
      const auto it = in_flight.find(c.request_id);
      if (it == in_flight.end()) continue;
      const std::vector<std::uint32_t> tokens(c.tokens.begin(), c.tokens.end());
      GeneratedSample out;
      out.request = it->second.request;
      out.sample = it->second.sample;
      out.text = state_->tokenizer.decode(tokens, true);
      out.finish_reason = finish_reason_name(c.finish_reason);
      out.prompt_tokens = it->second.prompt_tokens;
      out.completion_tokens = static_cast<std::int64_t>(tokens.size());
      out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.start).count();
      in_flight.erase(it);
      sink(std::move(out));
    }
  }
  add_totals();
  state_->live_tokens.store(state_->totals.generated_tokens);
}

std::int64_t EngineGenerator::tokens_generated() const { return state_->live_tokens.load(); }

std::string EngineGenerator::summary() const {
  const engine::EngineStats& t = state_->totals;
  return "engine: " + std::to_string(t.generated_tokens) + " generated tokens, " + std::to_string(t.prompt_tokens) +
         " prefill tokens, " + std::to_string(t.steps) + " steps, " + std::to_string(t.preemptions) + " preemptions";
}

}  // namespace r1eval::harness::run
