// How the judge compiles, runs and limits programs. The defaults suit a Debian machine with g++ and
// python3 in /usr/bin; every path and limit can be changed.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace r1eval::graders::code {

struct JudgeConfig {
  std::string cxx = "g++";            // a name looked up in PATH, or a path
  // ONLINE_JUDGE as Codeforces defines it: solutions guard their local file redirection and debug output with it.
  std::vector<std::string> cxx_flags = {"-std=c++17", "-O2", "-pipe", "-DONLINE_JUDGE"};
  // C programs (```c blocks) go through the same compiler driver as C++: GNU C17, as Codeforces' GNU C11
  // and later compile them.
  std::vector<std::string> c_flags = {"-x", "c", "-std=gnu17", "-O2", "-pipe", "-DONLINE_JUDGE"};
  bool cxx_static = true;             // link statically when the toolchain can (faster start, like Codeforces)
  std::string python = "python3";     // /usr/bin/python3 is preferred when this is the plain name
  std::string work_dir;               // host folder for sources and binaries; empty: the system temp folder
  double compile_cpu_seconds = 10;    // per compilation; the wall limit is twice this plus a second
  std::uint64_t compile_memory_mb = 1024;
  std::uint64_t output_limit_bytes = 64u << 20;  // stdout beyond this is OLE
  int max_parallel_runs = 0;          // sandboxes at once; 0: the number of cores
  double time_scale = 1.0;            // multiplies every time limit (see calibrate())
  bool stop_at_first_failure = true;  // like Codeforces: tests after the first failing one are skipped
  std::vector<std::string> checker_include_dirs;  // e.g. where testlib.h lives, for dataset checkers
  double checker_cpu_seconds = 10;    // per checker run (wall: twice this plus a second); over it is SE
  std::vector<std::string> extra_readonly_paths;  // more host paths programs may read (a toolchain prefix)
};

}  // namespace r1eval::graders::code
