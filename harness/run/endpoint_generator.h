// An OpenAI-compatible server (vLLM, SGLang, `r1eval serve`, a hosted API) as a Generator: one HTTP request
// per sample (n = 1, seed = the sample's identity seed), at most `concurrency` in flight, retried with
// backoff when the server is busy or unreachable.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/run/generator.h"
#include "harness/run/openai_wire.h"
#include "harness/run/retry_policy.h"

namespace r1eval::harness::run {

struct EndpointOptions {
  std::string base_url;           // e.g. http://127.0.0.1:8000/v1 (routes /models, /completions, ... below it)
  std::string model;              // "" = the first id GET /models lists
  EndpointApi api = EndpointApi::kChat;
  std::size_t concurrency = 64;   // requests in flight at once
  double request_timeout_s = 3600;
  RetryPolicy retry;
  std::string api_key;            // sent as a bearer token; never logged or recorded
  // Chat API only: the variables of the server's chat template, sent with every request as chat_template_kwargs.
  nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
};

struct EndpointStats {
  std::int64_t requests = 0;      // answered with 200
  std::int64_t retries = 0;       // tries after a retryable failure
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
};

class EndpointGenerator final : public Generator {
 public:
  // Checks the URL and, without options.model, asks GET /models for the model name. Throws
  // std::invalid_argument (one line naming the URL) when the server cannot be reached or answers wrongly.
  explicit EndpointGenerator(EndpointOptions options);
  ~EndpointGenerator() override;
  // Samples are sent in request order by `concurrency` workers; each answer is handed to `sink` on this
  // thread. A 4xx other than 408/429 throws std::invalid_argument naming the URL, status and the server's
  // message; retries used up throw std::runtime_error with the last failure. After `stop` no request
  // starts and the ones in flight are abandoned.
  void generate(const std::vector<GenerationRequest>& requests, const CompletionSink& sink,
                const std::atomic<bool>& stop) override;
  std::string summary() const override;
  // Completion tokens of the samples answered so far (servers report them per finished request).
  std::int64_t tokens_generated() const override;

  const std::string& model() const { return options_.model; }
  // What run.json records to identify the generator: {url, model, api} (never the key).
  nlohmann::json identity() const;
  EndpointStats stats() const;

 private:
  struct Shared;
  EndpointOptions options_;
  std::unique_ptr<Shared> shared_;
};

// `base` without a trailing slash, then `route` ("/models"). Throws std::invalid_argument unless `base`
// starts with http:// or https://.
std::string endpoint_url(const std::string& base, const std::string& route);

}  // namespace r1eval::harness::run
