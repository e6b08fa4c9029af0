// Golden files of the report tests (tests/results/golden/). R1EVAL_UPDATE_GOLDEN=1 rewrites them after a
// deliberate format change (review the diff).
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "results/store.h"

namespace r1eval::results::testing {

inline std::string golden_path(const std::string& name) {
  return std::string(R1EVAL_SOURCE_DIR) + "/tests/results/golden/" + name;
}

inline std::string read_golden(const std::string& name) {
  std::ifstream in(golden_path(name), std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void expect_golden(const std::string& name, const std::string& rendered) {
  if (const char* update = std::getenv("R1EVAL_UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1")
    write_file_atomic(golden_path(name), rendered);
  EXPECT_EQ(rendered, read_golden(name));
}

}  // namespace r1eval::results::testing
