#include "test_support.h"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace r1eval::harness::testing {

std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "harness" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult run_r1eval(const std::string& args, const std::string& stdin_text) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "harness" / "cmd";
  std::filesystem::create_directories(dir);
  // Separate files per call so parallel test processes do not collide.
  const std::string tag = std::to_string(::getpid());
  const auto in = dir / ("stdin." + tag), out = dir / ("stdout." + tag), err = dir / ("stderr." + tag);
  write_text(in, stdin_text);
  const std::string command = std::string(R1EVAL_BINARY_DIR) + "/r1eval " + args + " < '" + in.string() +
                              "' > '" + out.string() + "' 2> '" + err.string() + "'";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(out);
  result.err = read_text(err);
  return result;
}

std::string shared_data() { return R1EVAL_SHARED_DATA; }

}  // namespace r1eval::harness::testing
