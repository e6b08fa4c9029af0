// The endpoint generator against real HTTP servers on loopback: `r1eval serve` over the tiny model (the
// same samples as the engine generator), and scripted cpp-httplib servers for retries, errors, timeouts,
// reasoning_content and the concurrency limit.
#include <gtest/gtest.h>

#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness/run/endpoint_generator.h"
#include "harness/run/engine_generator.h"
#include "harness/seeds.h"
#include "serve_fixture.h"
#include "test_support.h"

namespace r1eval::harness::run {
namespace {

using nlohmann::json;
using Samples = std::map<std::pair<std::size_t, std::size_t>, GeneratedSample>;

std::vector<GenerationRequest> prompts(int count, int samples_each, int max_tokens = 12) {
  std::vector<GenerationRequest> requests;
  for (int p = 0; p < count; ++p) {
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "literal" + std::string here.
    std::string id = "p";
    id += std::to_string(p);
    std::string prompt = "Compute ";
    prompt.append(id).append(" and box it.");
    GenerationRequest r{prompt, {0.6, 0.95, max_tokens}, {}};
    for (int k = 0; k < samples_each; ++k) r.samples.push_back({"t", id, k, sample_seed(3, "t", id, k)});
    requests.push_back(std::move(r));
  }
  return requests;
}

Samples generate_all(Generator& generator, const std::vector<GenerationRequest>& requests) {
  Samples out;
  std::atomic<bool> stop{false};
  const auto caller = std::this_thread::get_id();
  generator.generate(requests, [&](GeneratedSample&& s) {
    EXPECT_EQ(std::this_thread::get_id(), caller) << "sink called on another thread";
    const auto key = std::pair(s.request, s.sample);
    EXPECT_FALSE(out.count(key)) << "sample handed over twice";
    out.emplace(key, std::move(s));
  }, stop);
  return out;
}

// Fast retries so the scripted failures take milliseconds.
EndpointOptions fast(const std::string& url, EndpointApi api = EndpointApi::kCompletions) {
  EndpointOptions o;
  o.base_url = url;
  o.api = api;
  o.model = "m";
  o.retry = {3, 0.001, 0.004};
  o.request_timeout_s = 10;
  return o;
}

// A cpp-httplib server on an ephemeral loopback port, stopped on destruction.
struct ScriptedServer {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  void start() {
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedServer() {
    server.stop();
    if (thread.joinable()) thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/v1"; }
};

json completion_json(const std::string& text, int prompt_tokens = 5, int completion_tokens = 3) {
  return {{"id", "x"}, {"object", "text_completion"},
          {"choices", {{{"index", 0}, {"text", text}, {"finish_reason", "stop"}}}},
          {"usage", {{"prompt_tokens", prompt_tokens}, {"completion_tokens", completion_tokens},
                     {"total_tokens", prompt_tokens + completion_tokens}}}};
}

TEST(EndpointGenerator, ReproducesTheEngineGeneratorThroughServe) {
  const auto model = testing::tiny_model("endpoint_vs_engine");
  testing::ServeFixture serve(model);
  EngineGeneratorOptions engine_options;
  engine_options.backend.kv_cache_bytes = 16ull << 20;
  EngineGenerator engine(model, engine_options);
  EndpointOptions options;
  options.base_url = serve.base_url();
  options.api = EndpointApi::kCompletions;
  options.concurrency = 4;
  EndpointGenerator endpoint(options);
  EXPECT_EQ(endpoint.model(), "tiny");  // learnt from GET /models

  const auto requests = prompts(3, 3, 16);
  const Samples expected = generate_all(engine, requests);
  const Samples got = generate_all(endpoint, requests);
  ASSERT_EQ(got.size(), 9u);
  for (const auto& [key, s] : expected) {
    const GeneratedSample& e = got.at(key);
    EXPECT_EQ(e.text, s.text);
    EXPECT_EQ(e.finish_reason, s.finish_reason);
    EXPECT_EQ(e.prompt_tokens, s.prompt_tokens);
    EXPECT_EQ(e.completion_tokens, s.completion_tokens);
  }
  std::int64_t tokens = 0;
  for (const auto& [key, s] : got) tokens += s.completion_tokens;
  EXPECT_EQ(endpoint.tokens_generated(), tokens);
  EXPECT_EQ(endpoint.stats().requests, 9);
  EXPECT_EQ(endpoint.identity(), (json{{"url", serve.base_url()}, {"model", "tiny"}, {"api", "completions"}}));
}

TEST(EndpointGenerator, ChatApiThroughServe) {
  const auto model = testing::tiny_model("endpoint_chat");
  testing::ServeFixture serve(model);
  EndpointOptions options;
  options.base_url = serve.base_url();
  options.api = EndpointApi::kChat;
  EndpointGenerator chat(options);
  options.api = EndpointApi::kCompletions;
  EndpointGenerator completions(options);
  const auto requests = prompts(2, 2);
  const Samples a = generate_all(chat, requests);
  const Samples b = generate_all(completions, requests);
  ASSERT_EQ(a.size(), 4u);
  // serve's chat route renders the same template the completions client renders. The completions text is the
  // turn from the "<think>\n" that template opened; a chat message holds what follows it (a chat client cannot
  // tell whether the server's template opened the thinking).
  for (const auto& [key, s] : a) EXPECT_EQ("<think>\n" + s.text, b.at(key).text);
}

// --chat-template-kwargs with the chat API: every request carries them, and serve renders its checkpoint's template
// with them (the fixture's template prints the variable before the turn, so the answers differ from a run without).
TEST(EndpointGenerator, ChatTemplateVariablesReachTheServersTemplate) {
  const auto model = testing::tiny_model("endpoint_chat_kwargs");
  std::ofstream(model / "chat_template.jinja")
      << "{{ bos_token if bos_token is defined else '' }}[{{ effort | default('medium') }}]{{ messages[0].content }}";
  testing::ServeFixture serve(model);
  EndpointOptions options;
  options.base_url = serve.base_url();
  options.api = EndpointApi::kChat;
  EndpointGenerator medium(options);
  options.template_kwargs = nlohmann::ordered_json{{"effort", "high"}};
  EndpointGenerator high(options);
  options.template_kwargs = nlohmann::ordered_json{{"effort", "medium"}};
  EndpointGenerator named_medium(options);
  const auto requests = prompts(2, 2);
  const Samples a = generate_all(medium, requests), b = generate_all(high, requests), c = generate_all(named_medium, requests);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(b.size(), 4u);
  int differ = 0;
  for (const auto& [key, s] : a) {
    EXPECT_EQ(s.text, c.at(key).text);  // the template's default, named
    differ += s.text != b.at(key).text;
  }
  EXPECT_GT(differ, 0);
  options.api = EndpointApi::kCompletions;
  EXPECT_THROW(EndpointGenerator{options}, std::invalid_argument);
}

TEST(EndpointGenerator, RetriesBusyAndFailingServersThenSucceeds) {
  ScriptedServer fake;
  std::atomic<int> calls{0};
  fake.server.Post("/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
    const int n = calls++;
    if (n == 0 || n == 1) {
      res.status = 429;
      res.set_header("Retry-After", "0");
      res.set_content(R"({"error": {"message": "slow down"}})", "application/json");
    } else if (n == 2) {
      res.status = 503;
      res.set_content("overloaded", "text/plain");
    } else {
      res.set_content(completion_json("ok").dump(), "application/json");
    }
  });
  fake.start();
  EndpointGenerator generator(fast(fake.url()));
  const Samples got = generate_all(generator, prompts(1, 1));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.begin()->second.text, "<think>\nok");  // the completions prompt opened the thinking
  EXPECT_EQ(generator.stats().retries, 3);
  EXPECT_EQ(calls.load(), 4);
}

TEST(EndpointGenerator, ABadRequestIsOneLineNamingUrlStatusAndMessage) {
  ScriptedServer fake;
  std::atomic<int> calls{0};
  fake.server.Post("/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 400;
    res.set_content(R"({"error": {"message": "max_tokens is too large", "type": "BadRequestError"}})", "application/json");
  });
  fake.start();
  EndpointGenerator generator(fast(fake.url()));
  try {
    generate_all(generator, prompts(1, 1));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(fake.url() + "/completions"), std::string::npos) << message;
    EXPECT_NE(message.find("HTTP 400"), std::string::npos) << message;
    EXPECT_NE(message.find("max_tokens is too large"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
  EXPECT_EQ(calls.load(), 1);  // not retried
}

TEST(EndpointGenerator, AServerThatNeverAnswersTimesOutAfterTheRetries) {
  ScriptedServer fake;
  std::atomic<int> calls{0};
  std::atomic<bool> release{false};
  fake.server.Post("/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    res.status = 200;
  });
  fake.start();
  EndpointOptions options = fast(fake.url());
  options.request_timeout_s = 0.1;
  options.retry.max_retries = 2;
  EndpointGenerator generator(options);
  try {
    generate_all(generator, prompts(1, 1));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("gave up after 2 retries"), std::string::npos) << message;
    EXPECT_NE(message.find("request timeout"), std::string::npos) << message;
  }
  EXPECT_EQ(calls.load(), 3);
  release = true;
}

TEST(EndpointGenerator, ConnectionRefusedIsRetriedThenReported) {
  // A port that was free a moment ago: bound, never listened on, closed.
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int port = ntohs(address.sin_port);
  ::close(probe);
  EndpointOptions options = fast("http://127.0.0.1:" + std::to_string(port) + "/v1");
  EndpointGenerator generator(options);
  EXPECT_THROW(generate_all(generator, prompts(1, 1)), std::runtime_error);
  EXPECT_EQ(generator.stats().retries, 3);
  // Without a model name, the generator asks /models at once and names the URL.
  options.model.clear();
  try {
    EndpointGenerator unreachable(options);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("/models"), std::string::npos) << e.what();
  }
}

TEST(EndpointGenerator, MergesReasoningContentAndRecordsUsage) {
  ScriptedServer fake;
  std::mutex mutex;
  std::vector<json> bodies;
  fake.server.Post("/v1/chat/completions", [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mutex);
      bodies.push_back(json::parse(req.body));
    }
    const json answer = {{"choices", {{{"index", 0}, {"finish_reason", "length"},
                                       {"message", {{"role", "assistant"}, {"reasoning_content", "2+2 is 4."},
                                                    {"content", "The answer is \\boxed{4}."}}}}}},
                         {"usage", {{"prompt_tokens", 17}, {"completion_tokens", 42}}}};
    res.set_content(answer.dump(), "application/json");
  });
  fake.start();
  EndpointOptions options = fast(fake.url(), EndpointApi::kChat);
  options.api_key = "sk-test-key";
  EndpointGenerator generator(options);
  const auto requests = prompts(1, 2, 77);
  const Samples got = generate_all(generator, requests);
  ASSERT_EQ(got.size(), 2u);
  const GeneratedSample& s = got.at({0, 0});
  EXPECT_EQ(s.text, "<think>\n2+2 is 4.\n</think>\n\nThe answer is \\boxed{4}.");
  EXPECT_EQ(s.finish_reason, "length");
  EXPECT_EQ(s.prompt_tokens, 17);
  EXPECT_EQ(s.completion_tokens, 42);
  EXPECT_EQ(generator.tokens_generated(), 84);
  ASSERT_EQ(bodies.size(), 2u);
  std::set<std::uint64_t> seeds;
  for (const json& b : bodies) {
    EXPECT_EQ(b["n"], 1);
    EXPECT_EQ(b["max_tokens"], 77);
    EXPECT_EQ(b["temperature"], 0.6);
    EXPECT_EQ(b["top_p"], 0.95);
    EXPECT_EQ(b["messages"][0]["content"], requests[0].prompt);
    seeds.insert(b["seed"].get<std::uint64_t>());
  }
  EXPECT_EQ(seeds, (std::set<std::uint64_t>{requests[0].samples[0].seed, requests[0].samples[1].seed}));
  EXPECT_EQ(generator.identity().dump().find("sk-test-key"), std::string::npos);
  EXPECT_EQ(generator.summary().find("sk-test-key"), std::string::npos);
}

TEST(EndpointGenerator, SendsTheKeyAsABearerToken) {
  ScriptedServer fake;
  std::string authorization;
  fake.server.Get("/v1/models", [&](const httplib::Request& req, httplib::Response& res) {
    authorization = req.get_header_value("Authorization");
    res.set_content(R"({"object": "list", "data": [{"id": "served-name", "object": "model"}]})", "application/json");
  });
  fake.start();
  EndpointOptions options = fast(fake.url());
  options.model.clear();
  options.api_key = "sk-abc";
  EndpointGenerator generator(options);
  EXPECT_EQ(generator.model(), "served-name");
  EXPECT_EQ(authorization, "Bearer sk-abc");
}

TEST(EndpointGenerator, KeepsAtMostConcurrencyRequestsInFlight) {
  ScriptedServer fake;
  std::atomic<int> now{0}, peak{0}, calls{0};
  fake.server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  fake.server.Post("/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
    const int in_flight = ++now;
    ++calls;
    int seen = peak.load();
    while (in_flight > seen && !peak.compare_exchange_weak(seen, in_flight)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // overlap the requests
    --now;
    res.set_content(completion_json("x").dump(), "application/json");
  });
  fake.start();
  EndpointOptions options = fast(fake.url());
  options.concurrency = 3;
  EndpointGenerator generator(options);
  const Samples got = generate_all(generator, prompts(4, 5));
  EXPECT_EQ(got.size(), 20u);
  EXPECT_EQ(calls.load(), 20);
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);  // it does overlap them
}

TEST(EndpointGenerator, StopEndsGenerationEarly) {
  ScriptedServer fake;
  std::atomic<int> calls{0};
  fake.server.Post("/v1/completions", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.set_content(completion_json("x").dump(), "application/json");
  });
  fake.start();
  EndpointOptions options = fast(fake.url());
  options.concurrency = 1;
  EndpointGenerator generator(options);
  std::atomic<bool> stop{false};
  int handed = 0;
  generator.generate(prompts(5, 4), [&](GeneratedSample&&) {
    ++handed;
    stop = true;
  }, stop);
  EXPECT_GE(handed, 1);
  EXPECT_LT(calls.load(), 20);
}

TEST(EndpointGenerator, RefusesAUrlWithoutScheme) {
  EndpointOptions options = fast("localhost:8000/v1");
  EXPECT_THROW(EndpointGenerator{options}, std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::harness::run
