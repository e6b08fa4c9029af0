#include "harness/run/engine_generator.h"

#include <atomic>
#include <algorithm>
#include <chrono>
#include <deque>
#include <stdexcept>
#include <unordered_map>

#include "engine/backend/factory/backend_factory.h"
#include "engine/runtime/engine.h"
#include "engine/runtime/sequence.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"

namespace r1eval::harness::run {

struct EngineGenerator::State {
  EngineGeneratorOptions options;
  engine::Tokenizer tokenizer;
  engine::ChatTemplateKind chat_template;
  engine::BackendKind kind;  // what auto resolved to
  std::unique_ptr<engine::Backend> backend;
  engine::EngineStats totals;
  std::atomic<std::int64_t> live_tokens{0};  // totals plus the running engine's, for other threads

  State(const std::filesystem::path& dir, const EngineGeneratorOptions& o)
      : options(o),
        tokenizer(engine::Tokenizer::from_folder(dir)),
        chat_template(o.chat_template.value_or(engine::automatic_chat_template(tokenizer))),
        kind(engine::resolve_backend_kind(dir.string(), o.backend)),
        backend(engine::make_backend(dir.string(), resolved(o.backend, kind))) {}

  static engine::BackendOptions resolved(engine::BackendOptions b, engine::BackendKind kind) {
    b.kind = kind;
    return b;
  }
};

EngineGenerator::EngineGenerator(const std::filesystem::path& model_dir, const EngineGeneratorOptions& options)
    : state_(std::make_unique<State>(model_dir, options)) {}

EngineGenerator::~EngineGenerator() = default;

namespace {

// The samples of one request that are in the engine together, as one engine request sharing the prompt.
struct InFlight {
  std::size_t request = 0;
  std::vector<std::size_t> samples;  // indices into the request's samples, in engine sample order
  std::size_t unfinished = 0;
  std::int64_t prompt_tokens = 0;
  std::chrono::steady_clock::time_point start;
  bool thinking_opened = false;  // the prompt ends by opening <think>: the text continues the thinking
};

// True when the rendered prompt ends by opening the thinking ("<｜Assistant｜><think>\n"), as the R1 template and
// most reasoning checkpoints' own ones do.
bool opens_thinking(const engine::Tokenizer& tokenizer, const std::vector<std::int32_t>& prompt) {
  const std::size_t tail = std::min<std::size_t>(prompt.size(), 16);  // "<think>\n" is 8 tokens of bytes at most
  const std::vector<std::uint32_t> last(prompt.end() - static_cast<std::ptrdiff_t>(tail), prompt.end());
  std::string text = tokenizer.decode(last, false);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.ends_with("<think>");
}

}  // namespace

void EngineGenerator::generate_from(const std::vector<GenerationRequest>& requests, RequestQueue& queue,
                                    const CompletionSink& sink, const std::atomic<bool>& stop) {
  // Two samples with one seed would draw the same tokens: refused, naming both, before anything runs.
  std::unordered_map<std::uint64_t, const SampleIdentity*> seen;
  for (const GenerationRequest& request : requests) {
    for (const SampleIdentity& id : request.samples) {
      auto [it, fresh] = seen.emplace(id.seed, &id);
      if (!fresh)
        throw std::invalid_argument("samples " + it->second->task + "/" + it->second->problem_id + "#" +
                                    std::to_string(it->second->sample_index) + " and " + id.task + "/" +
                                    id.problem_id + "#" + std::to_string(id.sample_index) + " share seed " +
                                    std::to_string(id.seed));
    }
  }
  // A claimed request is tokenized once; its samples enter the engine together (in groups of at most
  // max_in_flight) so they share the prompt's prefill and cache blocks. A request is claimed only when the
  // engine has room, so replicas sharing the queue take prompts as they free up.
  std::unordered_map<std::size_t, std::vector<std::int32_t>> prompts;
  std::unordered_map<std::size_t, bool> thinking_opened;  // by request: its prompt ends by opening <think>
  std::deque<std::pair<std::size_t, std::vector<std::size_t>>> groups;  // claimed, not yet in the engine
  const std::size_t max_group = std::max<std::size_t>(1, state_->options.max_in_flight);
  const auto claim_next = [&] {
    const std::optional<std::size_t> claimed = queue.claim();
    if (!claimed) return false;
    const std::size_t r = *claimed;
    engine::ChatTemplateOptions chat;
    chat.force_think = true;
    chat.template_kwargs = state_->options.template_kwargs;
    const auto ids = engine::encode_chat(state_->tokenizer, state_->chat_template, {{"user", requests[r].prompt}}, chat);
    prompts[r].assign(ids.begin(), ids.end());
    thinking_opened[r] = opens_thinking(state_->tokenizer, prompts[r]);
    for (std::size_t s = 0; s < requests[r].samples.size(); ++s) {
      if (s % max_group == 0) groups.emplace_back(r, std::vector<std::size_t>{});
      groups.back().second.push_back(s);
    }
    return true;
  };
  bool queue_empty = false;

  engine::EngineOptions engine_options;
  engine_options.scheduler = engine::scheduler_options_for(*state_->backend, state_->options.max_in_flight);
  engine::Engine eng(*state_->backend, engine_options);
  std::unordered_map<std::uint64_t, InFlight> in_flight;  // by engine request id
  std::size_t samples_in_flight = 0;
  const auto add_totals = [&] {
    const engine::EngineStats& s = eng.stats();
    state_->totals.steps += s.steps;
    state_->totals.prompt_tokens += s.prompt_tokens;
    state_->totals.generated_tokens += s.generated_tokens;
    state_->totals.preemptions += s.preemptions;
    state_->totals.out_of_memory_retries += s.out_of_memory_retries;
  };
  while (!stop.load()) {
    while (samples_in_flight < max_group) {
      if (groups.empty()) {
        if (queue_empty) break;
        if (!claim_next()) {
          queue_empty = true;
          break;
        }
      }
      if (samples_in_flight > 0 && samples_in_flight + groups.front().second.size() > max_group) break;
      const auto [r, members] = std::move(groups.front());
      groups.pop_front();
      const GenerationRequest& request = requests[r];
      // Each sample draws from the stream it would have as a request of its own, keyed by its identity seed: its
      // tokens do not depend on which other samples of the prompt share its group.
      engine::Request er;
      er.id = request.samples[members.front()].seed;
      er.prompt = prompts[r];
      er.num_samples = static_cast<std::uint32_t>(members.size());
      er.params.temperature = request.settings.temperature;
      er.params.top_p = request.settings.top_p;
      er.params.max_tokens = request.settings.max_tokens;
      er.params.seed = er.id;
      for (const std::size_t s : members) {
        const std::uint64_t seed = request.samples[s].seed;
        er.streams.push_back(engine::SampleStream{seed, seed, 0});
      }
      try {
        eng.add_request(er);
      } catch (const std::invalid_argument& e) {
        // The engine names the request by its id (a seed); the user knows the samples by their identity.
        const SampleIdentity& id = request.samples[members.front()];
        throw std::invalid_argument("sample " + id.task + "/" + id.problem_id + "#" + std::to_string(id.sample_index) +
                                    ": " + e.what());
      }
      in_flight.emplace(er.id, InFlight{r, members, members.size(), static_cast<std::int64_t>(prompts[r].size()),
                                        std::chrono::steady_clock::now(), thinking_opened.at(r)});
      samples_in_flight += members.size();
    }
    if (groups.empty() && queue_empty && !eng.has_unfinished()) break;
    const std::vector<engine::Completion> finished = eng.step();
    state_->live_tokens.store(state_->totals.generated_tokens + eng.stats().generated_tokens);
    for (const engine::Completion& c : finished) {
      const auto it = in_flight.find(c.request_id);
      if (it == in_flight.end()) continue;
      InFlight& group = it->second;
      const std::vector<std::uint32_t> tokens(c.tokens.begin(), c.tokens.end());
      GeneratedSample out;
      out.request = group.request;
      out.sample = group.samples.at(c.sample_index);
      // The assistant's turn as the model wrote it: the "<think>\n" the template opened it with, then the text,
      // so that a sample cut off while thinking reads as unfinished thinking (no answer but a box).
      out.text = (group.thinking_opened ? std::string("<think>\n") : std::string()) + state_->tokenizer.decode(tokens, true);
      out.finish_reason = engine::finish_reason_name(c.finish_reason);
      out.prompt_tokens = group.prompt_tokens;
      out.completion_tokens = static_cast<std::int64_t>(tokens.size());
      out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - group.start).count();
      --samples_in_flight;
      if (--group.unfinished == 0) in_flight.erase(it);
      sink(std::move(out));
    }
  }
  add_totals();
  state_->live_tokens.store(state_->totals.generated_tokens);
}

std::int64_t EngineGenerator::tokens_generated() const { return state_->live_tokens.load(); }

std::string EngineGenerator::summary() const {
  const engine::EngineStats& t = state_->totals;
  return "engine (" + engine::backend_description(state_->kind, state_->options.backend) + "): " +
         std::to_string(t.generated_tokens) + " generated tokens, " + std::to_string(t.prompt_tokens) +
         " prefill tokens, " + std::to_string(t.steps) + " steps, " + std::to_string(t.preemptions) + " preemptions" +
         (t.out_of_memory_retries > 0
              ? ", " + std::to_string(t.out_of_memory_retries) + " steps retried smaller after running out of device memory"
              : std::string());
}

}  // namespace r1eval::harness::run
