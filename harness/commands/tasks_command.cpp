// `r1eval tasks`: the registry as a table.
#include <iostream>

#include "harness/commands/commands.h"
#include "tasks/task.h"

namespace r1eval::harness {

void add_tasks_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("tasks", "List the benchmark tasks with their size, default k, grader and data source");
  cmd->callback([&exit_code] {
    std::cout << "| task | benchmark | problems | default k | grader | temperature | top-p | max tokens | data |\n"
              << "|---|---|---:|---:|---|---:|---:|---:|---|\n";
    for (const auto& task : tasks::all_tasks()) {
      const tasks::TaskInfo& info = task->info();
      std::cout << "| " << info.name << " | " << info.title << " | " << info.expected_size << " | "
                << info.defaults.samples << " | " << tasks::to_string(info.grader) << " | "
                << info.defaults.temperature << " | " << info.defaults.top_p << " | " << info.defaults.max_new_tokens
                << " | " << info.data.source_note << " |\n";
    }
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
