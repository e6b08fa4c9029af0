// Running an untrusted program once, isolated from the machine, under limits.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graders/code/sandbox/file_view.h"

namespace r1eval::graders::code::sandbox {

struct RunLimits {
  double cpu_seconds = 1.0;              // CPU time of the program and its children
  double wall_seconds = 3.0;             // real time from start to end
  std::uint64_t memory_bytes = 256u << 20;
  std::uint64_t stdout_bytes = 64u << 20;  // more stdout than this ends the run (OutputLimit)
  std::uint64_t stderr_bytes = 64u << 10;  // stderr beyond this is read and dropped
  std::uint64_t file_bytes = 64u << 20;    // largest file it may write
  // Processes and threads it may have at once (the sandbox's reaper among them): enough for a thread pool
  // sized by the host's cores, few enough that a fork bomb stops at once.
  int processes = 64;
  int open_files = 64;
};

struct RunSpec {
  std::vector<std::string> argv;  // argv[0]: absolute path of the executable as the program sees it
  std::vector<std::string> env;   // "NAME=value"; nothing is inherited from the judge
  std::string stdin_data;
  std::vector<MountSpec> mounts;  // applied in order; a /dev with null, zero, random, urandom is added
  std::string working_dir;        // as the program sees it
  RunLimits limits;
};

enum class RunStatus {
  Exited,        // ended by itself; see exit_code
  Signaled,      // killed by a signal it raised or caused; see signal
  CpuLimit,      // used more CPU time than allowed
  WallLimit,     // still running at the wall-clock limit
  MemoryLimit,   // the memory limit was hit (the kernel killed it or its allocations failed)
  OutputLimit,   // wrote more stdout than allowed, or a file larger than allowed
  SetupFailed,   // the sandbox could not be built: the judge's fault, never the program's
};

struct RunResult {
  RunStatus status = RunStatus::SetupFailed;
  int exit_code = 0;
  int signal = 0;
  double cpu_seconds = 0;
  double wall_seconds = 0;
  // The program's peak resident set (with its children); 0 when it stayed below what its process held as
  // a copy of the judge before execve and no cgroup v1 memory group measured it.
  std::uint64_t peak_memory_bytes = 0;
  // The run's memory group reached its limit at some point (v2 memory.events "max", v1 memory.failcnt):
  // a program that then stalled in reclaim until a time limit fired went over its memory.
  bool memory_limit_reached = false;
  std::string stdout_data;  // at most limits.stdout_bytes
  std::string stderr_data;  // at most limits.stderr_bytes
  std::string error;        // SetupFailed: what failed, one line
};

// Runs `spec` in a fresh process with every isolation layer the probe found usable (see isolation()),
// waits for it and everything it started to end (they are all killed at the end), and reports what
// happened. Never throws for anything the program does; a broken sandbox gives SetupFailed.
RunResult run_sandboxed(const RunSpec& spec);

struct Isolation;
// The same with exactly the layers of `isolation` (the probe uses it to try candidate layer sets).
RunResult run_sandboxed(const RunSpec& spec, const Isolation& isolation);

}  // namespace r1eval::graders::code::sandbox
