// Compiling C++ and syntax-checking Python inside the sandbox.
#pragma once
#include <string>
#include <vector>

#include "graders/code/judge_config.h"
#include "graders/code/outcome.h"
#include "graders/code/sandbox/sandbox.h"

namespace r1eval::graders::code {

// The resolved tools and the read-only view programs get.
struct Toolchain {
  std::string cxx;                       // absolute path; empty when not found
  std::vector<std::string> cxx_flags;    // with -static when the toolchain links statically
  std::vector<std::string> c_flags;      // the same for C sources
  std::string python;                    // absolute path; empty when not found
  std::vector<sandbox::MountSpec> view;  // system view plus the tools' prefixes and configured paths
  std::vector<std::string> run_env;      // environment of every sandboxed process
};

// Resolves the compiler and interpreter named in `config` (PATH lookup, symlinks followed), and checks
// once with a real compilation whether static linking works. Never throws; missing tools stay empty.
Toolchain resolve_toolchain(const JudgeConfig& config);

struct BuildResult {
  Outcome outcome = Outcome::SE;  // AC: built; CE: the source's fault; SE: the judge's
  std::string detail;             // CE: the first compiler lines (C++) or the last lines (Python)
};

// Compiles box/`source_name` into box/`binary_name` with the C++ compiler, in the sandbox with the
// compile limits of `config`; `include_dirs` are made visible read-only and passed with -I.
BuildResult compile_cpp(const Toolchain& tools, const JudgeConfig& config, const std::string& box,
                        const std::string& source_name, const std::string& binary_name,
                        const std::vector<std::string>& include_dirs = {});
// The same with -std=c++20 in place of the configured C++ standard (a block tagged C++20).
BuildResult compile_cpp20(const Toolchain& tools, const JudgeConfig& config, const std::string& box,
                          const std::string& source_name, const std::string& binary_name);
// The same for a C source (JudgeConfig::c_flags).
BuildResult compile_c(const Toolchain& tools, const JudgeConfig& config, const std::string& box,
                      const std::string& source_name, const std::string& binary_name);

// Checks that box/`source_name` is valid Python (compiles to bytecode) in the sandbox.
BuildResult check_python(const Toolchain& tools, const JudgeConfig& config, const std::string& box,
                         const std::string& source_name);

}  // namespace r1eval::graders::code
