// `r1eval serve`'s HTTP side: the OpenAI routes (/v1/models, /v1/completions, /v1/chat/completions, with
// SSE streaming) over an EngineService, on cpp-httplib.
#pragma once
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "harness/serve/engine_service.h"
#include "harness/serve/openai_api.h"

namespace r1eval::harness::serve {

struct HttpServerOptions {
  std::string model_name;     // the id /v1/models lists and responses carry; requests naming another get 404
  std::size_t handler_threads = 64;  // concurrent HTTP requests being served; more wait for a thread
  SamplingDefaults sampling_defaults;  // for requests that name no temperature / top_p / top_k
  // Variables of the checkpoint's own chat template for every chat request (serve --chat-template-kwargs, vLLM's
  // --default-chat-template-kwargs); a request's chat_template_kwargs set their own over these, name by name.
  nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
};

class HttpServer {
 public:
  // `service` must outlive the server.
  HttpServer(EngineService& service, const HttpServerOptions& options);
  ~HttpServer();
  // Binds host:port (port 0 = an ephemeral one), starts serving on a thread of its own and returns the
  // port once requests are accepted. Throws std::invalid_argument (one line naming host:port) when it
  // cannot bind. Once only.
  int start(const std::string& host, int port);
  // Stops serving and joins the thread; open streams end. Requests waiting on the engine return only
  // when their tickets do, so shut the EngineService down first. Idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread listener_;
};

}  // namespace r1eval::harness::serve
