// `r1eval run`: the evaluation end to end with the built-in engine, resumable.
#include <cmath>
#include <ctime>
#include <iostream>
#include <optional>

#include "harness/commands/commands.h"
#include "harness/grading.h"
#include "harness/data_options.h"
#include "harness/report_output.h"
#include "harness/run/engine_generator.h"
#include "harness/run/provenance.h"
#include "harness/run/run_loop.h"
#include "harness/run/stop_signal.h"
#include "harness/task_lookup.h"

namespace r1eval::harness {
namespace {

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json git_hash() {
#ifdef R1EVAL_GIT_HASH
  return R1EVAL_GIT_HASH;
#else
  return nullptr;  // not known at build time
#endif
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model, task_list, out, backend = "auto";
    int samples = 0, tp = 1, threads = 0;
    std::size_t max_batch = 256;
    std::optional<double> temperature, top_p;
    std::optional<int> max_tokens;
    std::uint64_t seed = 0;
    std::size_t limit = 0;
    double kv_cache_gb = 1.0, progress_seconds = 10;
    bool resume = false;
    DataOptions data;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("run", "Generate, grade and score tasks with the built-in engine into a run folder (resumable)");
  cmd->add_option("--model", o->model, "Hugging Face model folder (config.json, safetensors, tokenizer.json)")->required();
  cmd->add_option("--tasks", o->task_list, "Comma-separated task names, e.g. aime24,math500")->required();
  cmd->add_option("--out", o->out, "Run folder (run.json, samples.jsonl, scores.json, report.md)")->required();
  cmd->add_option("--samples", o->samples, "Samples per problem (default: each task's k)")->check(CLI::PositiveNumber);
  cmd->add_option("--temperature", o->temperature, "Sampling temperature (default: the task's, 0.6)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--top-p", o->top_p, "Nucleus mass (default: the task's, 0.95)")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-tokens", o->max_tokens, "Generated tokens per sample, at most (default: the task's)")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o->seed, "Run seed: every sample's seed derives from it and the sample's identity");
  cmd->add_option("--limit", o->limit, "Only the first N problems of each task (smoke runs)")->check(CLI::PositiveNumber);
  cmd->add_option("--kv-cache-gb", o->kv_cache_gb, "KV cache size in GiB (never exceeded; does not change the samples)")->check(CLI::PositiveNumber);
  cmd->add_option("--max-batch", o->max_batch, "Samples in the engine at once (does not change the samples)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--tp", o->tp, "Tensor-parallel ranks (threads)")->check(CLI::PositiveNumber);
  cmd->add_option("--backend", o->backend, "cpu, cuda, or auto (cuda when built with CUDA and a GPU is visible)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  cmd->add_option("--threads", o->threads, "Grading threads (default: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--progress-seconds", o->progress_seconds, "Seconds between progress lines on stderr")->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", o->resume, "Continue the run in --out; its extent (tasks, samples, limit) may change");
  o->data.add_to(*cmd);
  cmd->callback([o, &exit_code] {
    const auto selected = require_tasks(o->task_list);
    run::RunInputs inputs;
    inputs.config.model = run::model_fingerprint(o->model);
    nlohmann::json model_files = inputs.config.model;
    for (auto& w : inputs.config.model["weights"]) w.erase("mtime");  // a copied folder is the same model
    inputs.config.seed = o->seed;
    inputs.config.limit = o->limit;
    nlohmann::json datasets = nlohmann::json::object();
    const tasks::DataLocator locator = o->data.locator();
    for (const tasks::Task* task : selected) {
      const tasks::TaskInfo& info = task->info();
      std::vector<std::string> excluded;
      run::TaskInput input{task, gradable_problems(task->load(locator), excluded), excluded};
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
    inputs.provenance = {{"r1eval_version", R1EVAL_VERSION}, {"git_hash", git_hash()},
                         {"model_folder", std::filesystem::absolute(o->model).string()},
                         {"model_files", model_files}, {"datasets", datasets},
                         {"machine", run::machine_description()}, {"started_at", utc_now()}};

    run::EngineGeneratorOptions engine_options;
    engine_options.tensor_parallel = o->tp;
    engine_options.backend = engine::parse_backend_kind(o->backend);
    engine_options.max_in_flight = o->max_batch;
    engine_options.kv_cache_bytes = static_cast<std::uint64_t>(std::llround(o->kv_cache_gb * (1ull << 30)));
    const std::string model_dir = o->model;
    const auto make_generator = [model_dir, engine_options]() -> std::unique_ptr<run::Generator> {
      return std::make_unique<run::EngineGenerator>(model_dir, engine_options);
    };
    run::StopOnSignal signals;
    const run::RunOutcome outcome = run::execute_run(inputs, make_generator, o->out,
                                                     {o->resume, o->threads, o->progress_seconds},
                                                     signals.flag(), std::cerr);
    print_scores(std::cout, outcome.scores, nullptr, "md");
    std::cerr << "r1eval: " << (outcome.interrupted ? "interrupted; " : "") << outcome.generated
              << " samples generated, " << (outcome.already_done + outcome.generated) << "/" << outcome.planned
              << " done; run written to " << o->out << "\n";
    exit_code = outcome.interrupted ? 128 + signals.signal_number() : 0;
  });
}

}  // namespace r1eval::harness
