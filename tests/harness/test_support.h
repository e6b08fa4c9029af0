// Helpers for harness tests: scratch folders and running the r1eval binary.
#pragma once
#include <sys/types.h>

#include <filesystem>
#include <string>

namespace r1eval::harness::testing {

// A fresh, empty folder under the build's test-tmp folder.
std::filesystem::path scratch_dir(const std::string& name);
void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs build/r1eval with `args` (a shell-quoted string) and `stdin_text` on its standard input.
CommandResult run_r1eval(const std::string& args, const std::string& stdin_text = "");

// Starts r1eval with `args` (split on spaces) without waiting, output discarded; returns its pid (for
// tests that signal or kill it).
pid_t spawn_r1eval(const std::string& args);

// The shared data folder, for --data-dir.
std::string shared_data();

// A fresh model folder `name`: the tiny random-weight checkpoint tests/fixtures/engine/qwen2_fp32 with a
// byte-level tokenizer.json (256 byte tokens, the fixture's vocabulary size). A separate folder per test,
// since CTest runs tests in parallel processes.
std::filesystem::path tiny_model(const std::string& name);

}  // namespace r1eval::harness::testing
