// `r1eval demo`: the whole pipeline offline on the model the project trains itself
// (tests/fixtures/demo_model, made by tools/train_demo_model.py) and the generated task demo_arith:
// the built-in engine samples at the protocol's temperature, the math grader grades, the table has CIs.
#include <cblas.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>

#include <tbb/global_control.h>

#include "harness/commands/commands.h"
#include "harness/grading.h"
#include "harness/option_checks.h"
#include "harness/report_output.h"
#include "harness/run/engine_generator.h"
#include "harness/run/provenance.h"
#include "harness/run/run_loop.h"
#include "harness/run/stop_signal.h"
#include "harness/task_lookup.h"

namespace r1eval::harness {
namespace {

constexpr const char* kDemoTask = "demo_arith";

std::string default_model_dir() {
#ifdef R1EVAL_DEMO_MODEL_DIR
  return R1EVAL_DEMO_MODEL_DIR;
#else
  return "tests/fixtures/demo_model";
#endif
}

// A model folder the engine can load: checked up front so that a wrong --model is one line naming it,
// before anything is written into the run folder.
void require_model_folder(const std::filesystem::path& dir) {
  for (const char* file : {"config.json", "tokenizer.json", "model.safetensors"}) {
    if (!std::filesystem::is_regular_file(dir / file))
      throw std::invalid_argument("--model " + dir.string() + ": expected a model folder holding " + file +
                                  " (the demo model is tests/fixtures/demo_model in the source tree)");
  }
}

// Forwards to the engine and leaves its token count behind when the run loop is done with it.
class TokenCountingGenerator final : public run::ForwardingGenerator {
 public:
  TokenCountingGenerator(std::unique_ptr<run::Generator> inner, std::shared_ptr<std::int64_t> tokens)
      : ForwardingGenerator(std::move(inner)), tokens_(std::move(tokens)) {}
  ~TokenCountingGenerator() override { *tokens_ = tokens_generated(); }

 private:
  std::shared_ptr<std::int64_t> tokens_;
};

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string model = default_model_dir();
    std::string out = "runs/demo";
    int samples = 4;
    std::size_t limit = 0;
    int threads = 0;
    std::size_t max_batch = 256;
    double progress_seconds = 10;
    std::optional<double> temperature;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Offline end-to-end demo: the project's own tiny model on the generated arithmetic task demo_arith");
  cmd->add_option("--out", o->out, "Run folder; running again continues it (default runs/demo)");
  cmd->add_option("--samples", o->samples, "Samples per problem (default 4)")->check(number_between(1, 65536));
  cmd->add_option("--limit", o->limit, "Only the first N of the 100 problems")->check(positive_number());
  cmd->add_option("--threads", o->threads, "CPU threads for the engine and the graders (default: all cores)")
      ->check(number_between(1, 4096));
  cmd->add_option("--max-batch", o->max_batch, "Samples in the engine at once (does not change the samples)")
      ->check(positive_number());
  cmd->add_option("--temperature", o->temperature,
                 "Sampling temperature (default 0.6, the protocol's; higher makes the samples of a problem differ)")
      ->check(non_negative_number());
  cmd->add_option("--model", o->model, "Model folder (default: the committed demo model)");
  cmd->add_option("--progress-seconds", o->progress_seconds, "Seconds between progress lines on stderr")
      ->check(number_between(0.01, 86400));
  cmd->callback([o, &exit_code] {
    require_model_folder(o->model);
    // Thread counts never change the samples (each sample's tokens are a function of its seed); this
    // only bounds what the demo takes of the machine.
    std::optional<tbb::global_control> parallelism;
    if (o->threads > 0) {
      parallelism.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(o->threads));
      openblas_set_num_threads(o->threads);
    }

    const tasks::Task* task = require_tasks(kDemoTask).front();
    const tasks::TaskInfo& info = task->info();
    std::vector<std::string> excluded;
    const tasks::DataLocator no_data(tasks::LocatorOptions{});  // the problems are generated
    run::TaskInput input{task, gradable_problems(task->load(no_data), excluded), excluded};
    run::TaskPlan plan;
    plan.name = info.name;
    plan.samples = o->samples;
    plan.settings.temperature = o->temperature.value_or(info.defaults.temperature);
    plan.settings.top_p = info.defaults.top_p;
    plan.settings.max_tokens = info.defaults.max_new_tokens;
    plan.dataset_hash = run::dataset_hash(input.problems);
    const std::size_t problem_count = input.problems.size();
    if (o->limit > 0 && input.problems.size() > o->limit) input.problems.resize(o->limit);

    run::RunInputs inputs;
    inputs.config.model = run::model_fingerprint(o->model);
    const nlohmann::json model_files = inputs.config.model;
    for (auto& w : inputs.config.model["weights"]) w.erase("mtime");
    inputs.config.limit = o->limit;
    inputs.config.tasks.push_back(plan);
    inputs.tasks.push_back(std::move(input));
    inputs.provenance = run::build_description();
    inputs.provenance.update({{"command", "demo"},
                         {"model_folder", std::filesystem::absolute(o->model).string()},
                         {"model_files", model_files},
                         {"datasets", {{info.name, {{"problems", problem_count}, {"hash", plan.dataset_hash}}}}},
                         {"machine", run::machine_description()},
                         {"started_at", run::utc_timestamp()}});

    run::EngineGeneratorOptions engine_options;
    engine_options.max_in_flight = o->max_batch;
    engine_options.backend.kv_cache_bytes = 256ull << 20;  // ample for 256 samples of this model
    const std::string model_dir = o->model;
    auto tokens = std::make_shared<std::int64_t>(0);
    const auto make_generator = [model_dir, engine_options, tokens]() -> std::unique_ptr<run::Generator> {
      return std::make_unique<TokenCountingGenerator>(
          std::make_unique<run::EngineGenerator>(model_dir, engine_options), tokens);
    };
    const bool continuing = std::filesystem::exists(std::filesystem::path(o->out) / "run.json");
    run::StopOnSignal signals;
    const auto start = std::chrono::steady_clock::now();
    run::RunLoopOptions loop_options;
    loop_options.resume = continuing;  // the demo's folder may grow (more samples or problems)
    loop_options.grade_threads = o->threads;
    loop_options.progress_seconds = o->progress_seconds;
    const run::RunOutcome outcome =
        run::execute_run(inputs, make_generator, o->out, loop_options, signals.flag(), std::cerr);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    print_scores(std::cout, outcome.scores, nullptr, "md");
    std::cerr << "r1eval demo: " << (outcome.interrupted ? "interrupted; " : "") << outcome.generated
              << " samples generated (" << *tokens << " tokens) in " << std::fixed << std::setprecision(1)
              << seconds << " s";
    if (*tokens > 0 && seconds > 0) std::cerr << ", " << std::setprecision(0) << *tokens / seconds << " tokens/s";
    std::cerr << "; " << (outcome.already_done + outcome.generated) << "/" << outcome.planned
              << " samples in " << o->out << "\n";
    exit_code = outcome.interrupted ? 128 + signals.signal_number() : 0;
  });
}

}  // namespace r1eval::harness
