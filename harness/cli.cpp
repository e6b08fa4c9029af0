#include "harness/cli.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

namespace r1eval::harness {

int run_cli(int argc, char** argv) {
  CLI::App app{"r1eval: evaluation harness for reasoning models (DeepSeek-R1 protocol)"};
  app.set_version_flag("--version", R1EVAL_VERSION);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace r1eval::harness
