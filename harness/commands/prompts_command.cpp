// `r1eval prompts`: the exact per-sample prompts of a task as JSONL, for generating with another tool and
// grading the result with `r1eval grade` (same --seed, so GPQA's choice order matches).
#include <iostream>

#include <nlohmann/json.hpp>

#include "harness/commands/commands.h"
#include "harness/data_options.h"
#include "harness/grading.h"
#include "harness/option_checks.h"
#include "harness/seeds.h"
#include "harness/task_lookup.h"

namespace r1eval::harness {

void add_prompts_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string task;
    int samples = 0;
    std::uint64_t seed = 0;
    DataOptions data;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("prompts", "Print the prompts of a task, one JSON line per sample");
  cmd->add_option("--task", options->task, "Task name (see `r1eval tasks`)")->required();
  cmd->add_option("--samples,-k", options->samples, "Samples per problem (default: the task's k)")
      ->check(positive_number());
  cmd->add_option("--seed", options->seed, "Run seed (per-sample seeds and GPQA choice order derive from it)")
      ->check(seed_number());
  options->data.add_to(*cmd);
  cmd->callback([options, &exit_code] {
    const tasks::Task& task = require_task(options->task);
    std::vector<std::string> excluded;
    const auto problems = gradable_problems(load_problems(task, options->data.locator(), std::cerr), excluded);
    if (!excluded.empty())
      std::cerr << "r1eval: " << excluded.size() << " problems excluded (first: " << excluded.front() << ")\n";
    const int k = options->samples > 0 ? options->samples : task.info().defaults.samples;
    for (const tasks::Problem& problem : problems) {
      for (int i = 0; i < k; ++i) {
        const tasks::Prompt prompt = task.prompt(problem, options->seed, i);
        nlohmann::json line = {{"task", task.info().name},
                               {"problem_id", problem.id},
                               {"sample_index", i},
                               {"seed", sample_seed(options->seed, task.info().name, problem.id, i)},
                               {"prompt", prompt.user},
                               {"gold", prompt.gold}};
        if (!prompt.choice_order.empty()) line["choice_order"] = prompt.choice_order;
        for (const auto& [key, value] : problem.attributes) line["attributes"][key] = value;
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
      }
    }
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
