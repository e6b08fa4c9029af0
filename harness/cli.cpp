#include "harness/cli.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "harness/commands/commands.h"
#include "harness/run/mpi_world.h"

namespace r1eval::harness {

int run_cli(int argc, char** argv) {
  CLI::App app{"r1eval: evaluation harness for reasoning models (DeepSeek-R1 protocol)"};
  app.set_version_flag("--version", R1EVAL_VERSION);
  app.require_subcommand(1);
  // Usage errors are one line like every other bad input (subcommands copy this when they are added).
  app.failure_message([](const CLI::App*, const CLI::Error& e) { return "r1eval: " + std::string(e.what()) + " (see --help)\n"; });
  int exit_code = 0;
  add_tasks_command(app, exit_code);
  add_prompts_command(app, exit_code);
  add_grade_command(app, exit_code);
  add_report_command(app, exit_code);
  add_judge_command(app, exit_code);
  add_generate_command(app, exit_code);
  add_tokenize_command(app, exit_code);
  add_run_command(app, exit_code);
  add_merge_command(app, exit_code);
  add_serve_command(app, exit_code);
  add_demo_command(app, exit_code);
  // CLI11 answers an unknown command word with "A subcommand is required": name the word and the choices.
  CLI::App* level = &app;
  for (int i = 1; i < argc && argv[i][0] != '-'; ++i) {
    const std::vector<CLI::App*> choices = level->get_subcommands([](CLI::App*) { return true; });
    if (choices.empty()) break;
    const auto chosen = std::find_if(choices.begin(), choices.end(),
                                     [&](const CLI::App* sub) { return sub->get_name() == argv[i]; });
    if (chosen == choices.end()) {
      std::string names;
      for (const CLI::App* sub : choices) names += (names.empty() ? "" : ", ") + sub->get_name();
      std::cerr << "r1eval: unknown command '" << argv[i] << "' (expected one of: " << names << "; see --help)\n";
      return 2;
    }
    level = *chosen;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0; usage errors exit 2 like all bad input.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::logic_error& e) {
    if (!dynamic_cast<const std::invalid_argument*>(&e)) {
      std::cerr << "r1eval: internal error: " << e.what() << '\n';
      run::abort_mpi_world_if_joined(1);
      return 1;
    }
    std::cerr << "r1eval: " << e.what() << '\n';
    run::abort_mpi_world_if_joined(2);
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "r1eval: " << e.what() << '\n';
    run::abort_mpi_world_if_joined(2);
    return 2;
  }
  return exit_code;
}

}  // namespace r1eval::harness
