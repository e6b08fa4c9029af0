// `r1eval run`: the evaluation end to end with the built-in engine or an OpenAI-compatible endpoint, resumable.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <optional>
#include <sstream>

#include "engine/backend/cpu/cpu_backend.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "harness/backend_flags.h"
#include "harness/commands/commands.h"
#include "harness/grading.h"
#include "harness/data_options.h"
#include "harness/option_checks.h"
#include "harness/report_output.h"
#include "harness/run/data_parallel_generator.h"
#include "harness/run/endpoint_generator.h"
#include "harness/run/engine_generator.h"
#include "harness/run/merge.h"
#include "harness/run/mpi_world.h"
#include "harness/run/progress_view.h"
#include "harness/run/provenance.h"
#include "harness/run/run_loop.h"
#include "harness/rating_histogram.h"
#include "harness/rating_options.h"
#include "harness/run/shard_placement.h"
#include "harness/run/stop_signal.h"
#include "harness/task_lookup.h"

namespace r1eval::harness {

void add_run_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model, task_list, out;
    int samples = 0, threads = 0;
    std::size_t max_batch = 256;
    std::optional<double> temperature, top_p;
    std::optional<int> max_tokens;
    std::uint64_t seed = 0;
    std::size_t limit = 0;
    double progress_seconds = 10;
    BackendFlags backend;
    bool resume = false;
    std::string shard;
    int dp = 1;
    DataOptions data;
    RatingOptions ratings;
    std::string endpoint, endpoint_model, api = "chat", chat_template = "auto", template_kwargs;
    std::size_t concurrency = 64;
    double request_timeout = 3600;
    int max_retries = 6;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Generate, grade and score tasks with the built-in engine or an OpenAI-compatible endpoint into a run folder (resumable)");
  CLI::Option* model_option =
      cmd->add_option("--model", o->model, "Hugging Face model folder (config.json, safetensors, tokenizer.json)")
          ->check(CLI::ExistingDirectory);
  CLI::Option* endpoint_option = cmd->add_option(
      "--endpoint", o->endpoint, "OpenAI-compatible server instead of --model, e.g. http://127.0.0.1:8000/v1 "
                                 "(API key from OPENAI_API_KEY)");
  model_option->excludes(endpoint_option);
  cmd->add_option("--endpoint-model", o->endpoint_model, "Model name sent to the endpoint (default: the first of GET /models)");
  cmd->add_option("--api", o->api, "Endpoint API: chat (the server applies its template) or completions (r1eval "
                                   "renders the R1 distill template with <think> forced)")
      ->check(CLI::IsMember({"chat", "completions"}));
  CLI::Option* template_option =
      cmd->add_option("--chat-template", o->chat_template,
                      "With --model: auto (the checkpoint's own; the R1 distill template with <think> forced when it is "
                      "that one), model (the checkpoint's own, as transformers renders it), r1 or plain")
          ->check(CLI::IsMember({"auto", "model", "r1", "plain"}));
  template_option->excludes(endpoint_option);
  cmd->add_option("--chat-template-kwargs", o->template_kwargs,
                  "Variables of the checkpoint's own template as a JSON object, as transformers' apply_chat_template "
                  "and vLLM take them: gpt-oss's '{\"reasoning_effort\": \"high\"}', Qwen3's "
                  "'{\"enable_thinking\": false}' (recorded in run.json); with --endpoint --api chat, sent with "
                  "every request as chat_template_kwargs");
  cmd->add_option("--concurrency", o->concurrency, "Endpoint requests in flight at once")->check(positive_number());
  cmd->add_option("--request-timeout", o->request_timeout, "Seconds one endpoint request may take")
      ->check(number_between(0.001, 1e6));
  cmd->add_option("--max-retries", o->max_retries, "Retries of an endpoint request on 429, 5xx, timeouts and connection errors")
      ->check(non_negative_number());
  cmd->add_option("--tasks", o->task_list, "Comma-separated task names, e.g. aime24,math500")->required();
  cmd->add_option("--out", o->out, "Run folder (run.json, samples.jsonl, scores.json, report.md)")->required();
  cmd->add_option("--samples", o->samples, "Samples per problem (default: each task's k)")->check(number_between(1, 65536));
  cmd->add_option("--temperature", o->temperature, "Sampling temperature (default: the task's, 0.6)")->check(non_negative_number());
  cmd->add_option("--top-p", o->top_p, "Nucleus mass (default: the task's, 0.95)")->check(nucleus_mass());
  cmd->add_option("--max-tokens", o->max_tokens, "Generated tokens per sample, at most (default: the task's)")->check(positive_number());
  cmd->add_option("--seed", o->seed, "Run seed: every sample's seed derives from it and the sample's identity")
      ->check(seed_number());
  cmd->add_option("--limit", o->limit, "Only the first N problems of each task (smoke runs)")->check(positive_number());
  cmd->add_option("--max-batch", o->max_batch, "Samples in the engine at once (does not change the samples)")
      ->check(positive_number());
  o->backend.add_to(*cmd);
  cmd->add_option("--threads", o->threads, "Grading threads (default: all cores)")->check(number_between(0, 4096));
  cmd->add_option("--progress-seconds", o->progress_seconds, "Seconds between progress lines on stderr")
      ->check(number_between(0.01, 86400));
  cmd->add_flag("--resume", o->resume, "Continue the run in --out; its extent (tasks, samples, limit) may change");
  cmd->add_option("--shard", o->shard, "Run only shard i of N (0-based, i/N; split by problem); join shards with r1eval merge");
  cmd->add_option("--dp", o->dp, "Engine replicas sharing the requests (data parallel), each with --tp ranks; on GPUs replica i starts at GPU cuda-device + i*tp")
      ->check(number_between(1, 1024));
  o->data.add_to(*cmd);
  o->ratings.add_to(*cmd, false);
  cmd->callback([o, &exit_code] {
    // Under mpirun (joined before any thread starts) rank r runs shard r/size and rank 0 merges.
    run::MpiWorld* const mpi = run::join_mpi_world_if_launched();
    if (o->model.empty() == o->endpoint.empty())
      throw std::invalid_argument("run: expected --model DIR (the built-in engine) or --endpoint URL (a server)");
    if (!o->endpoint.empty() && o->dp > 1)
      throw std::invalid_argument("--dp " + std::to_string(o->dp) + ": engine replicas need --model; with --endpoint use --concurrency");
    const auto selected = require_tasks(o->task_list);
    o->ratings.load();
    run::RunInputs inputs;
    // The endpoint is asked for its model name now: run.json records it before anything is generated.
    std::shared_ptr<run::EndpointGenerator> endpoint;
    nlohmann::json model_files;
    std::optional<engine::ChatTemplateKind> chat_template;
    nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
    if (!o->endpoint.empty()) {
      run::EndpointOptions endpoint_options;
      endpoint_options.base_url = o->endpoint;
      endpoint_options.model = o->endpoint_model;
      endpoint_options.api = run::endpoint_api_from_name(o->api);
      endpoint_options.concurrency = o->concurrency;
      endpoint_options.request_timeout_s = o->request_timeout;
      endpoint_options.retry.max_retries = o->max_retries;
      if (const char* key = std::getenv("OPENAI_API_KEY")) endpoint_options.api_key = key;
      if (!o->template_kwargs.empty())
        endpoint_options.template_kwargs = engine::parse_template_kwargs(o->template_kwargs, "--chat-template-kwargs");
      const nlohmann::ordered_json sent_kwargs = endpoint_options.template_kwargs;
      endpoint = std::make_shared<run::EndpointGenerator>(std::move(endpoint_options));
      inputs.config.generator = "endpoint";
      inputs.config.model = endpoint->identity();
      // The variables are part of the template's name, as with --model: a resumed run must send the same ones.
      if (o->api == "chat")
        inputs.config.chat_template =
            sent_kwargs.empty() ? "the server's (chat API)" : "the server's (chat API), " + sent_kwargs.dump();
    } else {
      // The template is settled now, so run.json records it and a resumed run is checked against it.
      const engine::Tokenizer tokenizer = engine::Tokenizer::from_folder(o->model);
      const engine::ChatTemplateKind kind = engine::chat_template_for(o->chat_template, tokenizer);
      engine::ChatTemplateOptions forced;
      forced.force_think = true;
      if (!o->template_kwargs.empty())
        forced.template_kwargs = engine::parse_template_kwargs(o->template_kwargs, "--chat-template-kwargs");
      // A template that cannot render a prompt fails here, before the run folder is touched.
      if (kind == engine::ChatTemplateKind::kCheckpoint)
        engine::render_checkpoint_chat(tokenizer, {{"user", "1 + 1 = ?"}}, true, forced.template_kwargs);
      chat_template = kind;
      template_kwargs = forced.template_kwargs;
      // The variables are part of the template's name: a resumed run must give the same ones.
      inputs.config.chat_template = engine::chat_template_description(kind, forced);
      inputs.config.model = run::model_fingerprint(o->model);
      model_files = inputs.config.model;
      for (auto& w : inputs.config.model["weights"]) w.erase("mtime");  // a copied folder is the same model
    }
    inputs.config.seed = o->seed;
    inputs.config.limit = o->limit;
    nlohmann::json datasets = nlohmann::json::object();
    const tasks::DataLocator locator = o->data.locator();
    for (const tasks::Task* task : selected) {
      const tasks::TaskInfo& info = task->info();
      std::vector<std::string> excluded;
      run::TaskInput input{task, gradable_problems(load_problems(*task, locator, std::cerr), excluded), excluded};
      if (!excluded.empty())
        std::cerr << "r1eval: " << info.name << ": " << excluded.size() << " problems excluded (first: "
                  << excluded.front() << ")\n";
      run::TaskPlan plan;
      plan.name = info.name;
      plan.samples = o->samples > 0 ? o->samples : info.defaults.samples;
      plan.settings.temperature = o->temperature.value_or(info.defaults.temperature);
      plan.settings.top_p = o->top_p.value_or(info.defaults.top_p);
      plan.settings.max_tokens = o->max_tokens.value_or(info.defaults.max_new_tokens);
      plan.dataset_hash = run::dataset_hash(input.problems);
      datasets[info.name] = {{"problems", input.problems.size()}, {"hash", plan.dataset_hash}};
      if (o->limit > 0 && input.problems.size() > o->limit) input.problems.resize(o->limit);
      inputs.config.tasks.push_back(plan);
      inputs.tasks.push_back(std::move(input));
    }
    inputs.provenance = run::build_description();
    inputs.provenance["datasets"] = datasets;
    inputs.provenance["machine"] = run::machine_description();
    inputs.provenance["started_at"] = run::utc_timestamp();
    if (endpoint) {
      inputs.provenance["endpoint"] = endpoint->identity();
    } else {
      inputs.provenance["model_folder"] = std::filesystem::absolute(o->model).string();
      inputs.provenance["model_files"] = model_files;
    }
    const run::ShardPlacement placement =
        run::place_shard(o->shard, mpi ? mpi->rank() : 0, mpi ? mpi->size() : 1, o->out, run::process_env);
    if (placement.shard) run::restrict_to_shard(inputs, *placement.shard);

    run::EngineGeneratorOptions engine_options;
    engine_options.backend = o->backend.options();
    engine_options.max_in_flight = o->max_batch;
    engine_options.chat_template = chat_template;
    engine_options.template_kwargs = template_kwargs;
    const std::string model_dir = o->model;
    const int replicas = o->dp;
    // CPU replicas each hold their own KV cache in this machine's memory: refused up front when they cannot fit,
    // rather than found out by the kernel's OOM killer halfway through loading them.
    if (replicas > 1 && !endpoint &&
        engine::resolve_backend_kind(model_dir, engine_options.backend) == engine::BackendKind::kCpu) {
      const double gib = 1024.0 * 1024.0 * 1024.0;
      const double per_replica =
          engine_options.backend.kv_cache_bytes > 0 ? static_cast<double>(engine_options.backend.kv_cache_bytes) : gib;
      const auto physical = static_cast<double>(engine::host_memory_bytes());
      if (per_replica * replicas > physical) {
        std::ostringstream line;
        line << "--dp " << replicas << ": " << replicas << " CPU replicas of " << per_replica / gib
             << " GiB of KV cache each (--kv-cache-gb) are more than this machine's " << physical / gib << " GiB of memory";
        throw std::invalid_argument(line.str());
      }
    }
    const auto make_generator = [model_dir, engine_options, endpoint, replicas]() -> std::unique_ptr<run::Generator> {
      // The endpoint generator was made before the run (to learn the model name); the loop gets a forwarder.
      if (endpoint) return std::make_unique<run::ForwardingGenerator>(endpoint);
      if (replicas == 1) return std::make_unique<run::EngineGenerator>(model_dir, engine_options);
      // One replica per group of --tp GPUs: replica i on GPUs i * tp ... (auto falls back to the CPU for a
      // replica whose GPUs are not there).
      return std::make_unique<run::DataParallelGenerator>(replicas, [model_dir, engine_options](std::size_t i) {
        run::EngineGeneratorOptions replica = engine_options;
        replica.backend.cuda_device =
            engine_options.backend.cuda_device + static_cast<int>(i) * engine_options.backend.tensor_parallel;
        return std::make_unique<run::EngineGenerator>(model_dir, replica);
      });
    };
    const bool any_code = std::any_of(selected.begin(), selected.end(), [](const tasks::Task* t) {
      return t->info().grader == tasks::GraderKind::code;
    });
    const auto histogram = any_code ? load_rating_histogram(locator) : std::nullopt;
    run::StopOnSignal signals;
    const bool live = !mpi && run::stderr_is_live_terminal();
    run::RunLoopOptions loop;
    loop.resume = o->resume;
    loop.grade_threads = o->threads;
    loop.progress_seconds = o->progress_seconds;
    loop.ratings = o->ratings.inputs(histogram ? &*histogram : nullptr);
    loop.live_progress = live;
    const run::RunOutcome outcome = run::execute_run(inputs, make_generator, placement.out, loop, signals.flag(), std::cerr);
    if (!mpi) print_scores(std::cout, outcome.scores, nullptr, "md");
    const std::string shard_note =
        placement.shard ? "shard " + run::shard_text(*placement.shard) + " (" + placement.source + "): " : "";
    std::cerr << "r1eval: " << shard_note << (outcome.interrupted ? "interrupted; " : "") << outcome.generated
              << " samples generated, " << (outcome.already_done + outcome.generated) << "/" << outcome.planned
              << " done; run written to " << placement.out.string() << "\n";
    exit_code = outcome.interrupted ? 128 + signals.signal_number() : 0;
    // Every rank waits here; rank 0 merges once all finished their shard (an interrupted one leaves the
    // shards to be continued by running the same command again).
    if (mpi && mpi->all_ranks(!outcome.interrupted) && mpi->rank() == 0) {
      std::vector<std::filesystem::path> shard_dirs;
      for (int r = 0; r < mpi->size(); ++r)
        shard_dirs.push_back(std::filesystem::path(o->out) / run::shard_folder_name({r, mpi->size()}));
      const run::MergeOutcome merged = run::merge_shards(shard_dirs, o->out, {false, loop.ratings}, run::merge_provenance());
      print_scores(std::cout, merged.scores, nullptr, "md");
      std::cerr << "r1eval: merged " << mpi->size() << " ranks' shards, " << merged.samples << " samples; run written to "
                << o->out << "\n";
    }
  });
}

}  // namespace r1eval::harness
