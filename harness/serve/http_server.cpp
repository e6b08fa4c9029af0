#include "harness/serve/http_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <random>
#include <stdexcept>
#include <thread>

#include "engine/tokenizer/chat_template.h"
#include "harness/serve/client_connection.h"
#include "harness/serve/openai_api.h"

namespace r1eval::harness::serve {
namespace {

// A request body past this is refused (413) before it is read whole: prompts of the R1 protocol are a few
// KiB, and a 100 MB body took seconds to tokenize and held its memory afterwards.
constexpr std::size_t kMaxRequestBytes = std::size_t{16} << 20;

using nlohmann::json;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void send_error(httplib::Response& res, int status, const std::string& message, const std::string& type,
                const std::string& param) {
  res.status = status;
  res.set_content(error_body(message, type, param).dump(), "application/json");
}

// Text deltas from the engine thread to the handler thread writing the stream.
struct StreamChannel {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::pair<std::uint32_t, std::string>> deltas;
  bool finished = false;
};

bool write_event(httplib::DataSink& sink, const std::string& data) {
  const std::string event = "data: " + data + "\n\n";
  return sink.write(event.data(), event.size());
}

}  // namespace

struct HttpServer::Impl {
  EngineService& service;
  HttpServerOptions options;
  httplib::Server server;
  std::mutex seed_mutex;
  std::mt19937_64 seed_source{std::random_device{}()};
  std::atomic<std::uint64_t> next_id{1};
  std::atomic<bool> stopping{false};

  Impl(EngineService& s, const HttpServerOptions& o) : service(s), options(o) {}

  std::uint64_t fresh_seed() {
    std::lock_guard lock(seed_mutex);
    return seed_source();
  }

  std::string fresh_id(bool chat) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(next_id++));
    return std::string(chat ? "chatcmpl-" : "cmpl-") + buf;
  }

  void routes() {
    server.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
      const json model = {{"id", options.model_name}, {"object", "model"}, {"created", unix_now()},
                          {"owned_by", "r1eval"}, {"max_model_len", service.max_sample_tokens()}};
      res.set_content(json{{"object", "list"}, {"data", json::array({model})}}.dump(), "application/json");
    });
    server.Post("/v1/completions", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res, false); });
    server.Post("/v1/chat/completions",
                [this](const httplib::Request& req, httplib::Response& res) { handle(req, res, true); });
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (res.status == 404 && res.body.empty())
        send_error(res, 404, "no route " + req.method + " " + req.path + " (serving /v1/models, /v1/completions, "
                   "/v1/chat/completions)", "NotFoundError", "");
    });
  }

  void handle(const httplib::Request& req, httplib::Response& res, bool chat) {
    ParsedRequest parsed;
    Job job;
    try {
      parsed = chat ? parse_chat_request(req.body, options.sampling_defaults)
                    : parse_completion_request(req.body, options.sampling_defaults);
      if (!parsed.model.empty() && parsed.model != options.model_name)
        return send_error(res, 404, "model '" + parsed.model + "' is not served here (this server serves '" +
                                        options.model_name + "')", "NotFoundError", "model");
      job.prompt = prompt_ids(parsed, chat);
    } catch (const BadRequest& e) {
      return send_error(res, 400, e.what(), "BadRequestError", e.param());
    } catch (const std::invalid_argument& e) {
      return send_error(res, 400, e.what(), "BadRequestError", chat ? "messages" : "prompt");
    }
    job.params = parsed.params;
    const auto prompt_len = static_cast<std::int64_t>(job.prompt.size());
    // A chat request without a limit may use the rest of what a sample can hold.
    job.params.max_tokens = parsed.max_tokens.value_or(
        static_cast<std::int32_t>(std::max<std::int64_t>(1, service.max_sample_tokens() - prompt_len)));
    job.params.seed = parsed.seed ? *parsed.seed : fresh_seed();
    job.samples = parsed.n;
    if (const std::string problem = service.validate(job); !problem.empty()) {
      const std::string param = problem.substr(0, problem.find(':'));
      return send_error(res, 400, problem, "BadRequestError", param);
    }
    const std::string id = fresh_id(chat);
    const std::int64_t created = unix_now();
    if (parsed.stream) return stream(res, std::move(job), chat, id, created, parsed.include_usage);

    try {
      const auto ticket = service.submit(std::move(job));
      // A client that goes away before its answer takes its samples out of the engine, as a stream's does.
      const int socket = find_request_socket(req.remote_addr, req.remote_port, req.local_port);
      while (!ticket->ready_within(std::chrono::milliseconds(200))) {
        if (socket >= 0 && peer_gone(socket)) {
          service.cancel(ticket);
          return send_error(res, 503, "the client went away", "ServiceUnavailableError", "");
        }
      }
      const std::vector<SampleResult> results = ticket->wait();
      std::vector<ChoiceResult> choices;
      Usage usage{prompt_len, 0};
      for (const SampleResult& r : results) {
        choices.push_back({r.text, r.finish_reason});
        usage.completion_tokens += r.completion_tokens;
      }
      res.set_content(response_body(chat, id, created, options.model_name, choices, usage).dump(), "application/json");
    } catch (const std::invalid_argument& e) {
      send_error(res, 400, e.what(), "BadRequestError", "");
    } catch (const std::exception& e) {
      send_error(res, 503, e.what(), "ServiceUnavailableError", "");
    }
  }

  // Chat: the template `r1eval run` uses for this checkpoint (engine::automatic_chat_template): the R1
  // distill template with the assistant turn opened by "<think>\n", or the checkpoint's own. Completions: the text as given; the BOS token is added unless the text already starts with it
  // (a prompt rendered by a chat template holds it), so a rendered prompt encodes as the run encodes it.
  std::vector<std::int32_t> prompt_ids(const ParsedRequest& parsed, bool chat) const {
    const engine::Tokenizer& tokenizer = service.tokenizer();
    std::vector<std::uint32_t> ids;
    if (chat) {
      engine::ChatTemplateOptions template_options;
      template_options.force_think = true;
      template_options.template_kwargs = options.template_kwargs;
      for (const auto& [name, value] : parsed.template_kwargs.items()) template_options.template_kwargs[name] = value;
      const engine::ChatTemplateKind kind = engine::automatic_chat_template(tokenizer);
      if (!parsed.template_kwargs.empty() && kind != engine::ChatTemplateKind::kCheckpoint)
        throw BadRequest("chat_template_kwargs", "chat_template_kwargs: this server renders chats with the native " +
                                                     engine::chat_template_description(kind, {}) +
                                                     " template, which takes no variables");
      ids = engine::encode_chat(tokenizer, kind, parsed.messages, template_options);
    } else {
      const auto& bos = tokenizer.bos_token();
      const bool has_bos = bos && !bos->empty() && parsed.prompt.starts_with(*bos);
      ids = tokenizer.encode(parsed.prompt, !has_bos);
    }
    return {ids.begin(), ids.end()};
  }

  void stream(httplib::Response& res, Job job, bool chat, const std::string& id, std::int64_t created,
              bool include_usage) {
    auto channel = std::make_shared<StreamChannel>();
    job.on_delta = [channel](std::uint32_t sample, const std::string& delta) {
      {
        std::lock_guard lock(channel->mutex);
        channel->deltas.emplace_back(sample, delta);
      }
      channel->cv.notify_all();
    };
    const std::uint32_t samples = job.samples;
    const auto prompt_len = static_cast<std::int64_t>(job.prompt.size());
    const auto ticket = service.submit(std::move(job), [channel] {
      {
        std::lock_guard lock(channel->mutex);
        channel->finished = true;
      }
      channel->cv.notify_all();
    });
    auto started = std::make_shared<std::vector<bool>>(samples, false);
    const std::string model = options.model_name;
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, channel, ticket, started, chat, id, created, model, include_usage, prompt_len](
            std::size_t, httplib::DataSink& sink) {
          std::deque<std::pair<std::uint32_t, std::string>> deltas;
          bool finished = false;
          {
            std::unique_lock lock(channel->mutex);
            // Wakes now and then to notice a server stop while a long sample is still thinking.
            channel->cv.wait_for(lock, std::chrono::milliseconds(200),
                                 [&] { return !channel->deltas.empty() || channel->finished; });
            deltas.swap(channel->deltas);
            finished = channel->finished;
          }
          if (stopping.load() && !finished) return false;
          if (!finished && sink.is_writable && !sink.is_writable()) return false;  // the client went away
          for (auto& [sample, text] : deltas) {
            const bool first = !(*started)[sample];
            (*started)[sample] = true;
            if (!write_event(sink, chunk_body(chat, id, created, model, sample, text, first, std::nullopt).dump()))
              return false;
          }
          if (!finished) return true;
          try {
            const std::vector<SampleResult> results = ticket->wait();
            Usage usage{prompt_len, 0};
            for (std::uint32_t s = 0; s < results.size(); ++s) {
              usage.completion_tokens += results[s].completion_tokens;
              const bool first = !(*started)[s];
              const std::optional<std::string> nothing = chat ? std::nullopt : std::optional<std::string>("");
              write_event(sink, chunk_body(chat, id, created, model, s, nothing, first, results[s].finish_reason).dump());
            }
            if (include_usage) write_event(sink, usage_chunk_body(chat, id, created, model, usage).dump());
          } catch (const std::exception& e) {
            write_event(sink, error_body(e.what(), "ServiceUnavailableError", "").dump());
          }
          write_event(sink, "[DONE]");
          sink.done();
          return true;
        },
        // A stream that ended before its last event (the client went away, a write failed): its samples
        // would hold batch slots and cache blocks for nobody, so they leave the engine.
        [this, ticket](bool success) {
          if (!success) service.cancel(ticket);
        });
  }
};

HttpServer::HttpServer(EngineService& service, const HttpServerOptions& options)
    : impl_(std::make_unique<Impl>(service, options)) {
  const std::size_t threads = std::max<std::size_t>(4, options.handler_threads);
  impl_->server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl_->server.set_payload_max_length(kMaxRequestBytes);
  // cpp-httplib's default also sets SO_REUSEPORT, with which a second server on a busy port starts and the
  // two share its traffic (two models answering under one port). SO_REUSEADDR alone lets a restart rebind.
  impl_->server.set_socket_options([](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  impl_->server.set_read_timeout(5, 0);
  impl_->server.set_keep_alive_timeout(2);
  impl_->routes();
}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start(const std::string& host, int port) {
  const int bound = port == 0 ? impl_->server.bind_to_any_port(host)
                              : (impl_->server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0)
    throw std::invalid_argument("serve: cannot listen on " + host + ":" + std::to_string(port) +
                                " (in use, or not an address of this machine)");
  listener_ = std::thread([this] { impl_->server.listen_after_bind(); });
  // stop() before the accept loop runs would be lost, and callers may connect as soon as this returns.
  while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return bound;
}

void HttpServer::stop() {
  impl_->stopping = true;
  impl_->server.stop();
  if (listener_.joinable()) listener_.join();
}

}  // namespace r1eval::harness::serve
