#include "harness/run/endpoint_generator.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <variant>

#include "harness/run/http_client.h"

namespace r1eval::harness::run {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> auth_headers(const std::string& api_key) {
  if (api_key.empty()) return {};
  return {"Authorization: Bearer " + api_key};
}

// Sleeps `seconds` in short slices, returning early once `abort` is set.
void sleep_unless(double seconds, const std::atomic<bool>& abort) {
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  while (!abort.load() && Clock::now() < until)
    std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(20), until - Clock::now()));
}

std::string describe_failure(const HttpResult& r) {
  if (r.status != 0) return "HTTP " + std::to_string(r.status) + ": " + server_message(r.body);
  if (r.timed_out) return "no answer within the request timeout (" + r.transport_error + ")";
  return r.transport_error;
}

}  // namespace

std::string endpoint_url(const std::string& base, const std::string& route) {
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0)
    throw std::invalid_argument("--endpoint " + base + ": expected a URL starting with http:// or https:// (e.g. "
                                "http://127.0.0.1:8000/v1)");
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + route;
}

struct EndpointGenerator::Shared {
  std::atomic<std::int64_t> requests{0}, retries{0}, prompt_tokens{0}, completion_tokens{0};
};

EndpointGenerator::EndpointGenerator(EndpointOptions options)
    : options_(std::move(options)), shared_(std::make_unique<Shared>()) {
  const std::string url = endpoint_url(options_.base_url, "/models");
  if (options_.concurrency == 0) throw std::invalid_argument("--concurrency: expected at least 1");
  if (!options_.template_kwargs.empty() && options_.api != EndpointApi::kChat)
    throw std::invalid_argument("--chat-template-kwargs: with --endpoint only for --api chat (the completions API "
                                "sends the prompt r1eval renders with the R1 distill template)");
  if (!options_.model.empty()) return;
  HttpClient client;
  const std::atomic<bool> never{false};
  HttpResult r;
  for (int attempt = 0;; ++attempt) {
    r = client.call(url, nullptr, auth_headers(options_.api_key), std::min(options_.request_timeout_s, 60.0), &never);
    if (r.status == 200 || !is_retryable(r.status) || attempt >= options_.retry.max_retries) break;
    sleep_unless(retry_delay_s(options_.retry, attempt, r.retry_after, 0.5), never);
  }
  if (r.status != 200)
    throw std::invalid_argument("endpoint " + url + ": cannot list the models (" + describe_failure(r) +
                                "); is the server up? --endpoint-model NAME skips this");
  const nlohmann::json body = nlohmann::json::parse(r.body, nullptr, false);
  if (body.is_object() && body.contains("data") && body["data"].is_array() && !body["data"].empty() &&
      body["data"][0].is_object() && body["data"][0].contains("id") && body["data"][0]["id"].is_string())
    options_.model = body["data"][0]["id"].get<std::string>();
  if (options_.model.empty())
    throw std::invalid_argument("endpoint " + url + ": expected {\"data\": [{\"id\": ...}]} listing a model; give "
                                "--endpoint-model NAME");
}

EndpointGenerator::~EndpointGenerator() = default;

nlohmann::json EndpointGenerator::identity() const {
  return {{"url", options_.base_url}, {"model", options_.model}, {"api", endpoint_api_name(options_.api)}};
}

EndpointStats EndpointGenerator::stats() const {
  return {shared_->requests.load(), shared_->retries.load(), shared_->prompt_tokens.load(),
          shared_->completion_tokens.load()};
}

std::int64_t EndpointGenerator::tokens_generated() const { return shared_->completion_tokens.load(); }

std::string EndpointGenerator::summary() const {
  const EndpointStats s = stats();
  return "endpoint " + options_.base_url + " (" + options_.model + ", " + endpoint_api_name(options_.api) +
         " API): " + std::to_string(s.requests) + " requests, " + std::to_string(s.retries) + " retries, " +
         std::to_string(s.prompt_tokens) + " prompt tokens, " + std::to_string(s.completion_tokens) +
         " completion tokens";
}

void EndpointGenerator::generate(const std::vector<GenerationRequest>& requests, const CompletionSink& sink,
                                 const std::atomic<bool>& stop) {
  std::vector<std::pair<std::size_t, std::size_t>> work;
  for (std::size_t r = 0; r < requests.size(); ++r)
    for (std::size_t s = 0; s < requests[r].samples.size(); ++s) work.emplace_back(r, s);
  if (work.empty()) return;

  const std::string url =
      endpoint_url(options_.base_url, options_.api == EndpointApi::kChat ? "/chat/completions" : "/completions");
  const std::vector<std::string> headers = auth_headers(options_.api_key);
  // Finished samples, or the error that ends the run, travel to this thread through one queue.
  struct Failure {
    bool bad_request;
    std::string message;
  };
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::variant<GeneratedSample, Failure>> results;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> abort{false};  // stop, or a failure: no new requests, in-flight ones cut short
  std::size_t workers_left = std::min(options_.concurrency, work.size());

  const auto post = [&](std::variant<GeneratedSample, Failure> item) {
    {
      std::lock_guard lock(mutex);
      results.push_back(std::move(item));
    }
    ready.notify_one();
  };
  const auto worker = [&](std::uint64_t jitter_seed) {
    HttpClient client;
    std::mt19937_64 jitter_source(jitter_seed);
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    for (std::size_t i; !abort.load() && (i = next.fetch_add(1)) < work.size();) {
      const auto [r, s] = work[i];
      const GenerationRequest& request = requests[r];
      const std::string body =
          request_body(options_.api, options_.model, request.prompt, request.settings, request.samples[s].seed,
                       options_.template_kwargs).dump();
      const auto start = Clock::now();
      for (int retry = 0;; ++retry) {
        const HttpResult answer = client.call(url, &body, headers, options_.request_timeout_s, &abort);
        if (answer.aborted || abort.load()) break;
        if (answer.status == 200) {
          try {
            EndpointCompletion c = parse_response(options_.api, answer.body);
            GeneratedSample out{r, s, std::move(c.text), std::move(c.finish_reason), c.prompt_tokens,
                                c.completion_tokens, std::chrono::duration<double>(Clock::now() - start).count()};
            ++shared_->requests;
            if (c.prompt_tokens > 0) shared_->prompt_tokens += c.prompt_tokens;
            if (c.completion_tokens > 0) shared_->completion_tokens += c.completion_tokens;
            post(std::move(out));
          } catch (const std::runtime_error& e) {
            post(Failure{false, "endpoint " + url + ": " + e.what()});
          }
          break;
        }
        if (!is_retryable(answer.status)) {
          post(Failure{true, "endpoint " + url + ": " + describe_failure(answer)});
          break;
        }
        if (retry >= options_.retry.max_retries) {
          post(Failure{false, "endpoint " + url + ": gave up after " + std::to_string(retry) + " retries; last: " +
                                  describe_failure(answer)});
          break;
        }
        ++shared_->retries;
        sleep_unless(retry_delay_s(options_.retry, retry, answer.retry_after, jitter(jitter_source)), abort);
      }
    }
    {
      std::lock_guard lock(mutex);
      --workers_left;
    }
    ready.notify_one();
  };

  std::vector<std::thread> threads;
  std::random_device entropy;
  const std::size_t thread_count = workers_left;
  for (std::size_t t = 0; t < thread_count; ++t) threads.emplace_back(worker, (std::uint64_t{entropy()} << 32) ^ t);

  std::optional<Failure> failure;
  for (;;) {
    std::unique_lock lock(mutex);
    // Wakes now and then to pass `stop` on to the workers.
    ready.wait_for(lock, std::chrono::milliseconds(50), [&] { return !results.empty() || workers_left == 0; });
    if (stop.load()) abort = true;
    if (results.empty()) {
      if (workers_left == 0) break;
      continue;
    }
    auto item = std::move(results.front());
    results.pop_front();
    lock.unlock();
    if (auto* f = std::get_if<Failure>(&item)) {
      if (!failure) failure = std::move(*f);
      abort = true;
      continue;
    }
    // A sample already answered is handed over even after a stop or failure: it is done work.
    sink(std::move(std::get<GeneratedSample>(item)));
  }
  for (std::thread& t : threads) t.join();
  if (failure && failure->bad_request) throw std::invalid_argument(failure->message);
  if (failure) throw std::runtime_error(failure->message);
}

}  // namespace r1eval::harness::run
