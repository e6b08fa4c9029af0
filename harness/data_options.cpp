#include "harness/data_options.h"

namespace r1eval::harness {

void DataOptions::add_to(CLI::App& command) {
  command.add_option("--data-dir", data_dirs,
                     "Folder with local benchmark files (repeatable; a missing folder is skipped). "
                     "Also R1EVAL_DATA_DIR.");
  command.add_flag("--offline", offline, "Never download; use only local folders and the cache");
}

tasks::DataLocator DataOptions::locator() const {
  tasks::LocatorOptions options = tasks::DataLocator::options_from_environment();
  std::vector<std::filesystem::path> dirs(data_dirs.begin(), data_dirs.end());
  dirs.insert(dirs.end(), options.data_dirs.begin(), options.data_dirs.end());
  options.data_dirs = std::move(dirs);
  if (offline) options.allow_download = false;
  return tasks::DataLocator(std::move(options));
}

}  // namespace r1eval::harness
