// `r1eval serve`: the built-in engine behind an OpenAI-compatible HTTP API (see harness/serve/).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <thread>

#include "engine/model/generation_config.h"
#include "engine/tokenizer/chat_template.h"
#include "harness/backend_flags.h"
#include "harness/commands/commands.h"
#include "harness/option_checks.h"
#include "harness/run/stop_signal.h"
#include "harness/serve/engine_service.h"
#include "harness/serve/http_server.h"

namespace r1eval::harness {

void add_serve_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model, host = "127.0.0.1", name, template_kwargs;
    int port = 8000;
    std::size_t max_batch = 256, threads = 0;
    BackendFlags backend;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the built-in engine over an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions)");
  cmd->add_option("--model", o->model, "Hugging Face model folder (config.json, safetensors, tokenizer.json)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--port", o->port, "TCP port (0 = any free port, printed on stderr)")->check(number_between(0, 65535));
  cmd->add_option("--host", o->host, "Address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)");
  cmd->add_option("--served-model-name", o->name, "Model id the API reports and accepts (default: the folder's name)");
  cmd->add_option("--max-batch", o->max_batch, "Samples in the engine at once")->check(positive_number());
  cmd->add_option("--threads", o->threads, "HTTP handler threads, i.e. requests served at once (default: --max-batch + 64, at least 256: a "
                  "client's 64 requests in flight leave room for the rest)")
      ->check(number_between(1, 65536));
  cmd->add_option("--chat-template-kwargs", o->template_kwargs,
                  "Variables of the checkpoint's own chat template for every chat request, as a JSON object: gpt-oss's "
                  "'{\"reasoning_effort\": \"high\"}', Qwen3's '{\"enable_thinking\": false}'");
  o->backend.add_to(*cmd);
  cmd->callback([o, &exit_code] {
    serve::EngineServiceOptions engine_options;
    engine_options.backend = o->backend.options();
    engine_options.max_in_flight = o->max_batch;
    std::filesystem::path dir(o->model);
    if (!std::filesystem::is_directory(dir))
      throw std::invalid_argument("--model " + o->model + ": expected a model folder (config.json, *.safetensors, tokenizer.json)");
    serve::HttpServerOptions http_options;
    http_options.model_name = !o->name.empty() ? o->name : std::filesystem::absolute(dir).lexically_normal().filename().string();
    if (http_options.model_name.empty()) http_options.model_name = std::filesystem::absolute(dir).parent_path().filename().string();
    // Idle or slow connections hold a thread each until their read times out: at least 64 by default, so
    // that a few of them cannot stall every client of a small batch.
    http_options.handler_threads = o->threads > 0 ? o->threads : std::max<std::size_t>(256, o->max_batch + 64);
    // As vLLM does by default: a request that names no sampling setting gets the checkpoint's recommended one.
    const engine::GenerationConfig recommended = engine::load_generation_config(dir.string());
    if (recommended.temperature && *recommended.temperature >= 0 && *recommended.temperature <= 100)
      http_options.sampling_defaults.temperature = *recommended.temperature;
    if (recommended.top_p && *recommended.top_p > 0 && *recommended.top_p <= 1)
      http_options.sampling_defaults.top_p = *recommended.top_p;
    if (recommended.top_k && *recommended.top_k > 0 && *recommended.top_k <= std::numeric_limits<std::int32_t>::max())
      http_options.sampling_defaults.top_k = static_cast<std::int32_t>(*recommended.top_k);

    if (!o->template_kwargs.empty()) {
      // Checked before the weights load: the variables parse, the template is the checkpoint's own and renders.
      engine::ChatTemplateOptions template_options;
      template_options.template_kwargs = engine::parse_template_kwargs(o->template_kwargs, "--chat-template-kwargs");
      const engine::Tokenizer tokenizer = engine::Tokenizer::from_folder(o->model);
      engine::encode_chat(tokenizer, engine::automatic_chat_template(tokenizer), {{"user", "1 + 1 = ?"}}, template_options);
      http_options.template_kwargs = template_options.template_kwargs;
    }

    run::StopOnSignal signals;
    serve::EngineService service(dir, engine_options);
    serve::HttpServer server(service, http_options);
    const int port = server.start(o->host, o->port);
    std::cerr << "r1eval: serving " << http_options.model_name << " on http://" << o->host << ":" << port
              << "/v1 (Ctrl-C to stop)" << std::endl;
    while (!signals.stop_requested() && service.failure().empty())
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // Tickets fail first so that handler threads waiting on them return and the HTTP pool can join.
    service.shutdown();
    server.stop();
    const serve::EngineService::Counters c = service.counters();
    if (const std::string failure = service.failure(); !failure.empty()) {
      std::cerr << "r1eval: serve: " << failure << " (after " << c.jobs_done << " requests)" << std::endl;
      exit_code = 1;
      return;
    }
    std::cerr << "r1eval: serve stopped after " << c.jobs_done << " requests, " << c.generated_tokens
              << " generated tokens" << std::endl;
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
