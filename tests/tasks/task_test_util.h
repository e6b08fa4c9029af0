// Helpers shared by the tasks tests: scratch folders and small files under the build tree.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tasks/data_source.h"

namespace r1eval::tasks::testing {

// A fresh, empty folder named after the running test, under R1EVAL_TEST_TMP/tasks.
inline std::filesystem::path scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tasks" /
                                    (std::string(info->test_suite_name()) + "." + info->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline void write_file(const std::filesystem::path& path, std::string_view content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Options that search only `dirs`: no cache, no download.
inline LocatorOptions offline_options(std::vector<std::filesystem::path> dirs) {
  LocatorOptions options;
  options.data_dirs = std::move(dirs);
  options.allow_download = false;
  return options;
}

inline std::filesystem::path shared_data() { return std::filesystem::path(R1EVAL_SHARED_DATA); }

// The message of the exception `f` throws as E, or a marker when it throws nothing.
template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace r1eval::tasks::testing
