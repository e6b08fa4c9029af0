// `r1eval serve` over HTTP, on the tiny model: the OpenAI routes, streaming, errors, and that a sample is
// the same tokens the engine generator draws for the same seed.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <limits>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine/backend/factory/backend_factory.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "harness/run/engine_generator.h"
#include "harness/run/openai_wire.h"
#include "harness/serve/client_connection.h"
#include "serve_fixture.h"
#include "test_support.h"
#include "tests/engine/token_limited_device.h"

namespace r1eval::harness::serve {
namespace {

using nlohmann::json;

struct Answer {
  int status = 0;
  json body;
  std::string raw;
};

Answer post(int port, const std::string& path, const std::string& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  const auto res = client.Post(path.c_str(), body, "application/json");
  if (!res) return {};
  return {res->status, json::parse(res->body, nullptr, false), res->body};
}

// The `data:` payloads of an SSE body, in order.
std::vector<std::string> sse_events(const std::string& body) {
  std::vector<std::string> events;
  std::size_t at = 0;
  while ((at = body.find("data: ", at)) != std::string::npos) {
    const std::size_t end = body.find("\n\n", at);
    events.push_back(body.substr(at + 6, end - at - 6));
    at = end;
  }
  return events;
}

class Serve : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // CTest runs each test in its own process, in parallel: one model folder per process.
    model_ = new std::filesystem::path(testing::tiny_model("serve_" + std::to_string(::getpid())));
    server_ = new testing::ServeFixture(*model_);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete model_;
  }
  static int port() { return server_->port; }
  static std::filesystem::path* model_;
  static testing::ServeFixture* server_;
};
std::filesystem::path* Serve::model_ = nullptr;
testing::ServeFixture* Serve::server_ = nullptr;

// A second server on a port in use is refused: with SO_REUSEPORT both would start and share the traffic.
TEST_F(Serve, ASecondServerOnABusyPortIsRefused) {
  serve::HttpServer second(server_->service, {"other", 4, {}});
  EXPECT_THROW(second.start("127.0.0.1", port()), std::invalid_argument);
}

// A raw client on a loopback socket that has sent `body` to /v1/completions and may hang up at any moment
// (which httplib's client cannot be made to do); -1 when the connection or the write failed.
int post_raw(int port, const json& body) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string text = body.dump();
  const std::string request = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                              "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// A streaming client that goes away takes its samples out of the engine: the server does not generate
// 4 x 3000 tokens for nobody (a later request would wait behind them).
TEST(ServeCancel, AStreamWhoseClientLeftStopsGenerating) {
  const auto model = testing::tiny_model("serve_cancel_" + std::to_string(::getpid()));
  testing::ServeFixture served(model);
  const int fd = post_raw(served.port, {{"prompt", "abc"}, {"max_tokens", 3000}, {"n", 4}, {"seed", 3},
                                        {"ignore_eos", true}, {"stream", true}});
  ASSERT_GE(fd, 0);
  char first[512];
  ASSERT_GT(::read(fd, first, sizeof first), 0);  // the stream has started
  ::close(fd);
  // The next request is served; by then the abandoned samples have left the engine.
  const Answer after = post(served.port, "/v1/completions", R"({"prompt": "a", "max_tokens": 4, "seed": 4})");
  EXPECT_EQ(after.status, 200) << after.raw;
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the counters follow a finished step
  const std::int64_t generated = served.service.counters().generated_tokens;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LT(generated, 4 * 3000) << "the abandoned stream ran to its end";
  EXPECT_EQ(served.service.counters().generated_tokens, generated) << "the engine still generates for nobody";
}

// The same for a client waiting on a whole (non-streaming) answer: it goes away, its samples leave the engine.
TEST(ServeCancel, AWaitingClientThatLeftStopsGenerating) {
  const auto model = testing::tiny_model("serve_cancel_whole_" + std::to_string(::getpid()));
  testing::ServeFixture served(model);
  const int fd = post_raw(served.port, {{"prompt", "abc"}, {"max_tokens", 3000}, {"n", 4}, {"seed", 3}, {"ignore_eos", true}});
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 500 && served.service.counters().generated_tokens == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_GT(served.service.counters().generated_tokens, 0) << "the request never started";
  ::close(fd);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // noticed within 200 ms, left at the next step
  const std::int64_t generated = served.service.counters().generated_tokens;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LT(generated, 4 * 3000) << "the abandoned request ran to its end";
  EXPECT_EQ(served.service.counters().generated_tokens, generated) << "the engine still generates for nobody";
  const Answer after = post(served.port, "/v1/completions", R"({"prompt": "a", "max_tokens": 4, "seed": 3})");
  EXPECT_EQ(after.status, 200) << after.raw;  // its seed is free again
}

// The socket of a connection is found by its addresses; a closed or reset peer is noticed, data waiting is not.
TEST(ClientConnection, FindsTheSocketAndNoticesItsPeerLeaving) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const int server_port = ntohs(address.sin_port);
  for (const bool reset : {false, true}) {
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_EQ(::connect(client, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    sockaddr_in peer{};
    socklen_t peer_length = sizeof peer;
    const int accepted = ::accept(listener, reinterpret_cast<sockaddr*>(&peer), &peer_length);
    ASSERT_GE(accepted, 0);
    const int client_port = ntohs(peer.sin_port);
    EXPECT_EQ(find_request_socket("127.0.0.1", client_port, server_port), accepted);
    EXPECT_EQ(find_request_socket("127.0.0.1", client_port, -1), accepted);
    EXPECT_EQ(find_request_socket("127.0.0.1", client_port, server_port + 1), -1);
    EXPECT_EQ(find_request_socket("127.0.0.2", client_port, server_port), -1);
    EXPECT_FALSE(peer_gone(accepted));
    ASSERT_EQ(::write(client, "GET", 3), 3);  // a pipelined request is no close
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(peer_gone(accepted));
    if (reset) {
      const linger abort_on_close{1, 0};
      ::setsockopt(client, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    }
    ::close(client);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(peer_gone(accepted)) << (reset ? "reset" : "closed");
    ::close(accepted);
  }
  ::close(listener);
}

// Sampling settings a request does not name come from the defaults (the checkpoint's generation_config.json,
// as vLLM takes them); named ones, -1 for top_k included, win.
TEST(ServeRequest, UnnamedSamplingSettingsComeFromTheDefaults) {
  const serve::SamplingDefaults recommended{0.6, 0.95, 20};
  const serve::ParsedRequest plain = serve::parse_completion_request(R"({"prompt": "a"})", recommended);
  EXPECT_EQ(plain.params.temperature, 0.6);
  EXPECT_EQ(plain.params.top_p, 0.95);
  EXPECT_EQ(plain.params.top_k, 20);
  const serve::ParsedRequest named =
      serve::parse_chat_request(R"({"messages": [{"role": "user", "content": "x"}], "temperature": 1.0, "top_p": 0.5,
                                   "top_k": -1})", recommended);
  EXPECT_EQ(named.params.temperature, 1.0);
  EXPECT_EQ(named.params.top_p, 0.5);
  EXPECT_EQ(named.params.top_k, 0);
  const serve::ParsedRequest openai = serve::parse_completion_request(R"({"prompt": "a"})");
  EXPECT_EQ(openai.params.temperature, 1.0);
  EXPECT_EQ(openai.params.top_p, 1.0);
  EXPECT_EQ(openai.params.top_k, 0);
}

TEST_F(Serve, ListsItsModel) {
  httplib::Client client("127.0.0.1", port());
  const auto res = client.Get("/v1/models");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const json body = json::parse(res->body);
  EXPECT_EQ(body["object"], "list");
  ASSERT_EQ(body["data"].size(), 1u);
  EXPECT_EQ(body["data"][0]["id"], "tiny");
  EXPECT_EQ(body["data"][0]["object"], "model");
}

TEST_F(Serve, CompletionMatchesTheEngineGeneratorForTheSameSeed) {
  const std::uint64_t seed = 1234567890123ull;
  run::EngineGeneratorOptions engine_options;
  engine_options.backend.kv_cache_bytes = 16ull << 20;
  run::EngineGenerator engine(*model_, engine_options);
  std::vector<run::GenerationRequest> requests = {{"What is 2+2?", {0.6, 0.95, 24}, {{"t", "p", 0, seed}}}};
  std::vector<run::GeneratedSample> expected;
  std::atomic<bool> stop{false};
  engine.generate(requests, [&](run::GeneratedSample&& s) { expected.push_back(std::move(s)); }, stop);
  ASSERT_EQ(expected.size(), 1u);

  const json request = run::request_body(run::EndpointApi::kCompletions, "tiny", "What is 2+2?", {0.6, 0.95, 24}, seed);
  const Answer a = post(port(), "/v1/completions", request.dump());
  ASSERT_EQ(a.status, 200) << a.raw;
  EXPECT_EQ(a.body["object"], "text_completion");
  ASSERT_EQ(a.body["choices"].size(), 1u);
  // The engine generator's text is the turn from the "<think>\n" the prompt opened; the server sends what follows.
  ASSERT_TRUE(expected[0].text.starts_with("<think>\n"));
  EXPECT_EQ(a.body["choices"][0]["text"], expected[0].text.substr(8));
  EXPECT_EQ(a.body["choices"][0]["finish_reason"], expected[0].finish_reason);
  EXPECT_EQ(a.body["usage"]["prompt_tokens"], expected[0].prompt_tokens);
  EXPECT_EQ(a.body["usage"]["completion_tokens"], expected[0].completion_tokens);
  EXPECT_EQ(a.body["usage"]["total_tokens"], expected[0].prompt_tokens + expected[0].completion_tokens);
}

TEST_F(Serve, ChatAppliesTheTemplateLikeACompletionOfTheRenderedPrompt) {
  const json chat = {{"messages", {{{"role", "user"}, {"content", "Hi there"}}}}, {"max_tokens", 12},
                     {"temperature", 0.7}, {"seed", 99}};
  const json completion = {{"prompt", run::completions_prompt("Hi there")}, {"max_tokens", 12},
                           {"temperature", 0.7}, {"seed", 99}};
  const Answer a = post(port(), "/v1/chat/completions", chat.dump());
  const Answer b = post(port(), "/v1/completions", completion.dump());
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(b.status, 200) << b.raw;
  EXPECT_EQ(a.body["object"], "chat.completion");
  EXPECT_EQ(a.body["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(a.body["choices"][0]["message"]["content"], b.body["choices"][0]["text"]);
  EXPECT_EQ(a.body["usage"], b.body["usage"]);
}

// serve --chat-template-kwargs: every chat request's prompt is the checkpoint's template rendered with the variables
// (the same as a completion of that rendered prompt); a request's chat_template_kwargs replace them name by name.
TEST(ServeTemplate, ChatTemplateVariablesReachEveryChatPrompt) {
  const auto model = testing::tiny_model("serve_template_kwargs");
  std::ofstream(model / "chat_template.jinja")
      << "{{ bos_token if bos_token is defined else '' }}[{{ reasoning_effort }}]{{ messages[0].content }}";
  const auto bos = engine::Tokenizer::from_folder(model).bos_token();
  HttpServerOptions options{"tiny", 16, {}};
  options.template_kwargs = engine::parse_template_kwargs(R"({"reasoning_effort": "high"})", "--chat-template-kwargs");
  EngineService service(model, testing::ServeFixture::small_cache());
  HttpServer server(service, options);
  const int port = server.start("127.0.0.1", 0);
  const json chat = {{"messages", {{{"role", "user"}, {"content", "Hi there"}}}}, {"max_tokens", 12}, {"seed", 5}};
  const json completion = {{"prompt", bos.value_or("") + "[high]Hi there"}, {"max_tokens", 12}, {"seed", 5}};
  json chat_low = chat;
  chat_low["chat_template_kwargs"] = {{"reasoning_effort", "low"}, {"unused", true}};
  json completion_low = completion;
  completion_low["prompt"] = bos.value_or("") + "[low]Hi there";
  const Answer a = post(port, "/v1/chat/completions", chat.dump());
  const Answer b = post(port, "/v1/completions", completion.dump());
  const Answer low = post(port, "/v1/chat/completions", chat_low.dump());
  const Answer low_completion = post(port, "/v1/completions", completion_low.dump());
  const Answer after = post(port, "/v1/chat/completions", chat.dump());  // the server's variables again
  service.shutdown();
  server.stop();
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(b.status, 200) << b.raw;
  ASSERT_EQ(low.status, 200) << low.raw;
  ASSERT_EQ(low_completion.status, 200) << low_completion.raw;
  EXPECT_EQ(a.body["choices"][0]["message"]["content"], b.body["choices"][0]["text"]);
  EXPECT_EQ(a.body["usage"], b.body["usage"]);
  EXPECT_EQ(low.body["choices"][0]["message"]["content"], low_completion.body["choices"][0]["text"]);
  EXPECT_EQ(low.body["usage"], low_completion.body["usage"]);
  EXPECT_NE(low.body["choices"][0]["message"]["content"], a.body["choices"][0]["message"]["content"]);
  EXPECT_EQ(after.body["choices"][0]["message"]["content"], a.body["choices"][0]["message"]["content"]);
}

TEST_F(Serve, SeveralSamplesPerRequestDifferAndRepeat) {
  const json request = {{"prompt", "abc"}, {"max_tokens", 16}, {"temperature", 1.0}, {"seed", 5}, {"n", 3}};
  const Answer a = post(port(), "/v1/completions", request.dump());
  const Answer b = post(port(), "/v1/completions", request.dump());
  ASSERT_EQ(a.status, 200) << a.raw;
  ASSERT_EQ(a.body["choices"].size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(a.body["choices"][i]["index"], i);
    EXPECT_EQ(a.body["choices"][i]["text"], b.body["choices"][i]["text"]);
  }
  EXPECT_NE(a.body["choices"][0]["text"], a.body["choices"][1]["text"]);
}

// A negative seed is the signed form of a seed past 2^63 (how run --endpoint sends one to vLLM's signed
// range): the same bits, the same answer.
TEST_F(Serve, ANegativeSeedIsTheSameBitsAsItsUnsignedForm) {
  json request = {{"prompt", "abc"}, {"max_tokens", 12}, {"temperature", 1.0}, {"seed", -2}};
  const Answer negative = post(port(), "/v1/completions", request.dump());
  request["seed"] = std::numeric_limits<std::uint64_t>::max() - 1;
  const Answer unsigned_form = post(port(), "/v1/completions", request.dump());
  ASSERT_EQ(negative.status, 200) << negative.raw;
  EXPECT_EQ(negative.body["choices"][0]["text"], unsigned_form.body["choices"][0]["text"]);
}

TEST_F(Serve, ConcurrentRequestsWithOneSeedEachGetTheirOwnAnswer) {
  // The seed names the engine request: equal seeds run one after the other, never mixed up.
  const std::vector<std::string> prompts = {"first prompt", "second, longer prompt", "third"};
  std::vector<std::string> alone;
  for (const std::string& p : prompts) {
    const json body = {{"prompt", p}, {"max_tokens", 10}, {"temperature", 1.0}, {"seed", 42}};
    alone.push_back(post(port(), "/v1/completions", body.dump()).body["choices"][0]["text"]);
  }
  std::vector<std::string> together(prompts.size() * 3);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < together.size(); ++i)
    threads.emplace_back([&, i] {
      const json body = {{"prompt", prompts[i % prompts.size()]}, {"max_tokens", 10}, {"temperature", 1.0}, {"seed", 42}};
      const Answer a = post(port(), "/v1/completions", body.dump());
      if (a.status == 200) together[i] = a.body["choices"][0]["text"];
    });
  for (std::thread& t : threads) t.join();
  for (std::size_t i = 0; i < together.size(); ++i) EXPECT_EQ(together[i], alone[i % prompts.size()]) << i;
}

TEST_F(Serve, StreamedChatDeltasAddUpToTheWholeAnswer) {
  json request = {{"messages", {{{"role", "user"}, {"content", "Stream me"}}}}, {"max_tokens", 20},
                  {"temperature", 0.8}, {"seed", 7}};
  const Answer whole = post(port(), "/v1/chat/completions", request.dump());
  ASSERT_EQ(whole.status, 200) << whole.raw;
  request["stream"] = true;
  request["stream_options"] = {{"include_usage", true}};
  const Answer streamed = post(port(), "/v1/chat/completions", request.dump());
  ASSERT_EQ(streamed.status, 200);
  const std::vector<std::string> events = sse_events(streamed.raw);
  ASSERT_GE(events.size(), 3u) << streamed.raw;
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text, finish;
  json usage;
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    const json chunk = json::parse(events[i]);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    if (chunk.contains("usage")) {
      usage = chunk["usage"];
      EXPECT_TRUE(chunk["choices"].empty());
      continue;
    }
    const json& choice = chunk["choices"][0];
    if (i == 0) {
      EXPECT_EQ(choice["delta"]["role"], "assistant");
    }
    if (choice["delta"].contains("content")) text += choice["delta"]["content"].get<std::string>();
    if (!choice["finish_reason"].is_null()) finish = choice["finish_reason"];
  }
  EXPECT_EQ(text, whole.body["choices"][0]["message"]["content"]);
  EXPECT_EQ(finish, whole.body["choices"][0]["finish_reason"]);
  EXPECT_EQ(usage, whole.body["usage"]);
}

TEST_F(Serve, StopStringsCutTheTextInBothModes) {
  // Find some text the model produces, then ask it to stop at a piece of it.
  json request = {{"prompt", "xyz"}, {"max_tokens", 24}, {"temperature", 0.0}};
  const Answer free_run = post(port(), "/v1/completions", request.dump());
  ASSERT_EQ(free_run.status, 200) << free_run.raw;
  const std::string text = free_run.body["choices"][0]["text"];
  // Two ASCII characters from the middle (the random model also writes multi-byte characters).
  std::string stop;
  for (std::size_t i = 2; i + 1 < text.size() && stop.empty(); ++i)
    if (static_cast<unsigned char>(text[i]) < 0x80 && static_cast<unsigned char>(text[i + 1]) < 0x80 && text[i] != 0)
      stop = text.substr(i, 2);
  ASSERT_FALSE(stop.empty()) << "no ASCII pair in the greedy continuation " << text;
  request["stop"] = {stop};
  const Answer cut = post(port(), "/v1/completions", request.dump());
  ASSERT_EQ(cut.status, 200) << cut.raw;
  EXPECT_EQ(cut.body["choices"][0]["text"], text.substr(0, text.find(stop)));
  EXPECT_EQ(cut.body["choices"][0]["finish_reason"], "stop");
  request["stream"] = true;
  const Answer streamed = post(port(), "/v1/completions", request.dump());
  std::string joined;
  for (const std::string& e : sse_events(streamed.raw))
    if (e != "[DONE]") joined += json::parse(e)["choices"][0]["text"].get<std::string>();
  EXPECT_EQ(joined, cut.body["choices"][0]["text"]);
}

TEST_F(Serve, BadRequestsGet400NamingTheField) {
  const struct {
    const char* path;
    std::string body;
    const char* param;
  } cases[] = {
      {"/v1/completions", "{not json", nullptr},
      {"/v1/completions", R"({"max_tokens": 4})", "prompt"},
      {"/v1/completions", R"({"prompt": "a", "temperature": "hot"})", "temperature"},
      {"/v1/completions", R"({"prompt": "a", "top_p": 1.5})", "top_p"},
      {"/v1/completions", R"({"prompt": "a", "max_tokens": 0})", "max_tokens"},
      {"/v1/completions", R"({"prompt": "a", "seed": 1.5})", "seed"},
      {"/v1/completions", R"({"prompt": "a", "n": 0})", "n"},
      {"/v1/completions", R"({"prompt": "a", "stop": [""]})", "stop"},
      {"/v1/completions", json{{"prompt", std::string(5000, 'a')}}.dump(), "prompt"},
      {"/v1/chat/completions", R"({"messages": []})", "messages"},
      {"/v1/chat/completions", R"({"messages": [{"role": "robot", "content": "x"}]})", "messages[0].role"},
      // What would change the answer in a way serve does not implement is refused by name, never ignored.
      {"/v1/completions", R"({"prompt": "a", "logprobs": 5})", "logprobs"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "logprobs": true})", "logprobs"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "top_logprobs": 2})", "top_logprobs"},
      {"/v1/completions", R"({"prompt": "a", "logprobs": 0})", "logprobs"},  // vLLM returns the sampled token's
      {"/v1/completions", R"({"prompt": "a", "guided_regex": "[0-9]+"})", "guided_regex"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "functions": [{"name": "f"}]})", "functions"},
      // The fixture's template is the native R1 distill one, which takes no variables.
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "chat_template_kwargs": {"enable_thinking": false}})",
       "chat_template_kwargs"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "chat_template_kwargs": "thinking"})",
       "chat_template_kwargs"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "chat_template_kwargs": {"messages": []}})",
       "chat_template_kwargs"},
      {"/v1/completions", R"({"prompt": "a", "chat_template_kwargs": {"enable_thinking": false}})", "chat_template_kwargs"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "chat_template": "{{ messages }}"})",
       "chat_template"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "add_generation_prompt": false})",
       "add_generation_prompt"},
      {"/v1/completions", R"({"prompt": "a", "include_stop_str_in_output": true})", "include_stop_str_in_output"},
      {"/v1/completions", R"({"prompt": "a", "echo": true})", "echo"},
      {"/v1/completions", R"({"prompt": "a", "presence_penalty": 0.5})", "presence_penalty"},
      {"/v1/completions", R"({"prompt": "a", "frequency_penalty": -1})", "frequency_penalty"},
      {"/v1/completions", R"({"prompt": "a", "repetition_penalty": 1.1})", "repetition_penalty"},
      {"/v1/completions", R"({"prompt": "a", "logit_bias": {"50256": -100}})", "logit_bias"},
      {"/v1/completions", R"({"prompt": "a", "best_of": 3})", "best_of"},
      {"/v1/completions", R"({"prompt": "a", "suffix": "end"})", "suffix"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}})",
       "response_format"},
      {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "function"}]})", "tools"},
      {"/v1/completions", R"({"prompt": "a", "min_p": 2})", "min_p"},
      {"/v1/completions", R"({"prompt": "a", "stop_token_ids": [-1]})", "stop_token_ids"},
  };
  for (const auto& c : cases) {
    const Answer a = post(port(), c.path, c.body);
    EXPECT_EQ(a.status, 400) << c.body << " -> " << a.raw;
    ASSERT_TRUE(a.body.is_object() && a.body.contains("error")) << a.raw;
    EXPECT_FALSE(a.body["error"]["message"].get<std::string>().empty());
    if (c.param) {
      EXPECT_EQ(a.body["error"]["param"], c.param) << a.raw;
    }
  }
  // Their neutral values, as clients send them by default, are accepted.
  const Answer neutral = post(port(), "/v1/completions",
                              R"({"prompt": "a", "max_tokens": 2, "logprobs": null, "echo": false, "presence_penalty": 0,
                                  "frequency_penalty": 0.0, "repetition_penalty": 1, "logit_bias": {}, "best_of": 1,
                                  "suffix": "", "min_p": 0.05, "stop_token_ids": [], "ignore_eos": false,
                                  "skip_special_tokens": true, "use_beam_search": false})");
  EXPECT_EQ(neutral.status, 200) << neutral.raw;
  const Answer other_model = post(port(), "/v1/completions", R"({"prompt": "a", "model": "gpt-9"})");
  EXPECT_EQ(other_model.status, 404);
  EXPECT_NE(other_model.raw.find("gpt-9"), std::string::npos);
}

// A step that fails (here: a device with no memory for even one token) fails the request with a 503 naming
// the cause in one line, stops the engine, and every later request gets the same answer at once; the serve
// command then exits 1 with that line.
TEST(ServeFailure, AFailedStepAnswers503AndStopsTheEngine) {
  const std::filesystem::path model = testing::tiny_model("serve_failure_" + std::to_string(::getpid()));
  const EngineServiceOptions options = testing::ServeFixture::small_cache();
  auto device = std::make_unique<engine::testing::TokenLimitedDevice>(
      engine::make_backend(model.string(), options.backend), 0);
  EngineService service(model, std::move(device), options);
  HttpServer server(service, {"tiny", 4, {}});
  const int port = server.start("127.0.0.1", 0);

  const Answer first = post(port, "/v1/completions", R"({"prompt": "12+3=", "max_tokens": 4, "n": 2})");
  EXPECT_EQ(first.status, 503) << first.raw;
  ASSERT_TRUE(first.body.is_object() && first.body.contains("error")) << first.raw;
  const std::string message = first.body["error"]["message"].get<std::string>();
  EXPECT_NE(message.find("engine failed: activation workspace for 1 tokens does not fit"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(service.failure(), message);

  const Answer later = post(port, "/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}]})");
  EXPECT_EQ(later.status, 503) << later.raw;
  EXPECT_EQ(later.body["error"]["message"], message);
  service.shutdown();
  server.stop();
}

}  // namespace
}  // namespace r1eval::harness::serve
