// The data options shared by the commands that load benchmarks: --data-dir (repeatable) and --offline.
#pragma once
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "tasks/data_source.h"

namespace r1eval::harness {

struct DataOptions {
  std::vector<std::string> data_dirs;
  bool offline = false;
  void add_to(CLI::App& command);
  // Folders given on the command line come before R1EVAL_DATA_DIR; then the cache and the hub.
  tasks::DataLocator locator() const;
};

}  // namespace r1eval::harness
