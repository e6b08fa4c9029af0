// Runs per second of a trivial accepted program (read two numbers, print their sum) through the full
// sandbox (namespaces, seccomp, cgroups, rlimits, the judge's mounts) versus a bare fork/exec of the
// same binary with the same pipes, in the same process. Target: sandbox overhead <= 5 ms per run.
// Figures: bench/RESULTS.md.
#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "graders/code/judge_config.h"
#include "graders/code/sandbox/isolation.h"
#include "graders/code/sandbox/sandbox.h"
#include "graders/code/scratch_folder.h"
#include "graders/code/toolchain.h"

namespace {

namespace code = r1eval::graders::code;
namespace sandbox = r1eval::graders::code::sandbox;

struct Program {
  code::JudgeConfig config;
  code::Toolchain tools;
  std::unique_ptr<code::ScratchFolder> folder;
};

const Program& program() {
  static const Program p = [] {
    Program made;
    made.config.work_dir = std::filesystem::temp_directory_path().string() + "/r1eval-judge-bench";
    made.tools = code::resolve_toolchain(made.config);
    made.folder = std::make_unique<code::ScratchFolder>(made.config.work_dir, "bench");
    made.folder->write("solution.cpp",
                       "#include <cstdio>\nint main(){long long a,b;if(std::scanf(\"%lld %lld\",&a,&b)==2)"
                       "std::printf(\"%lld\\n\",a+b);}\n");
    code::BuildResult built = code::compile_cpp(made.tools, made.config, made.folder->box(), "solution.cpp", "solution");
    if (built.outcome != code::Outcome::AC) throw std::runtime_error("bench program: " + built.detail);
    return made;
  }();
  return p;
}

// fork + execve with stdin from a memory file and stdout through a pipe read to the end: the least a
// judge must do per run. Returns the program's output.
std::string bare_run(const std::string& binary) {
  int input = memfd_create("stdin", MFD_CLOEXEC);
  if (input < 0 || write(input, "1 2\n", 4) != 4) throw std::runtime_error("memfd");
  lseek(input, 0, SEEK_SET);
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid == 0) {
    dup2(input, 0);
    dup2(out[1], 1);
    char* argv[] = {const_cast<char*>(binary.c_str()), nullptr};
    char* envp[] = {nullptr};
    execve(argv[0], argv, envp);
    _exit(127);
  }
  close(out[1]);
  close(input);
  char buffer[64];
  std::string text;
  for (ssize_t n; (n = read(out[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return text;
}

// The spec the judge uses for a test of this binary: every isolation layer the probe found, 256 MB, 1 s.
sandbox::RunSpec sandbox_spec() {
  const Program& p = program();
  sandbox::RunSpec spec;
  spec.argv = {"/prog/solution"};
  spec.env = p.tools.run_env;
  spec.stdin_data = "1 2\n";
  spec.mounts = p.tools.view;
  spec.mounts.push_back({sandbox::MountSpec::Kind::ReadOnly, "/prog", p.folder->box(), 0});
  spec.mounts.push_back({sandbox::MountSpec::Kind::Tmpfs, "/box", "", 64u << 20});
  spec.mounts.push_back({sandbox::MountSpec::Kind::Tmpfs, "/tmp", "", 64u << 20});
  spec.working_dir = "/box";
  spec.limits.cpu_seconds = 1;
  spec.limits.wall_seconds = 3;
  return spec;
}

void BM_BareForkExec(benchmark::State& state) {
  const std::string binary = program().folder->box() + "/solution";
  for (auto _ : state) {
    if (bare_run(binary) != "3\n") state.SkipWithError("bare run gave a wrong answer");
  }
  state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_SandboxRun(benchmark::State& state) {
  const sandbox::RunSpec spec = sandbox_spec();
  for (auto _ : state) {
    sandbox::RunResult r = sandbox::run_sandboxed(spec);
    if (r.status != sandbox::RunStatus::Exited || r.stdout_data != "3\n") state.SkipWithError(r.error.c_str());
  }
  state.counters["runs_per_s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.SetLabel(sandbox::isolation().describe());
}

// Bare and sandboxed runs alternated, so that both see the same machine load (this VM is shared);
// reports the medians of each and of the per-pair difference.
void BM_PairedOverhead(benchmark::State& state) {
  using Clock = std::chrono::steady_clock;
  const std::string binary = program().folder->box() + "/solution";
  const sandbox::RunSpec spec = sandbox_spec();
  std::vector<double> bare, boxed, overhead;
  for (auto _ : state) {
    auto t0 = Clock::now();
    bare_run(binary);
    auto t1 = Clock::now();
    sandbox::run_sandboxed(spec);
    auto t2 = Clock::now();
    bare.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    boxed.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    overhead.push_back(boxed.back() - bare.back());
  }
  auto median = [](std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
  };
  state.counters["bare_ms"] = median(bare);
  state.counters["sandbox_ms"] = median(boxed);
  state.counters["overhead_ms"] = median(overhead);
}

BENCHMARK(BM_BareForkExec)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_SandboxRun)->Unit(benchmark::kMillisecond)->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_PairedOverhead)->Unit(benchmark::kMillisecond)->Iterations(500)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
