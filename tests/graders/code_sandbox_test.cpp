#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "graders/code/calibration.h"
#include "graders/code/sandbox/file_view.h"
#include "graders/code/sandbox/isolation.h"
#include "graders/code/sandbox/sandbox.h"
#include "graders/code/sandbox/seccomp_policy.h"

namespace r1eval::graders::code::sandbox {
namespace {

RunSpec shell(const std::string& script) {
  RunSpec spec;
  spec.argv = {"/bin/sh", "-c", script};
  spec.env = {"PATH=/usr/bin:/bin", "ONLY=this"};
  spec.mounts = system_view();
  spec.mounts.push_back({MountSpec::Kind::Tmpfs, "/box", "", 1u << 20});
  spec.working_dir = "/box";
  spec.limits.cpu_seconds = 2;
  spec.limits.wall_seconds = 10;
  return spec;
}

TEST(CodeSandbox, StdinToStdoutAndExitCode) {
  RunSpec spec = shell("cat; echo err >&2; exit 7");
  spec.stdin_data = "line one\nline two\n";
  RunResult r = run_sandboxed(spec);
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.stdout_data, "line one\nline two\n");
  EXPECT_EQ(r.stderr_data, "err\n");
}

TEST(CodeSandbox, NothingOfTheJudgeEnvironmentIsInherited) {
  RunResult r = run_sandboxed(shell("env | sort"));
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_NE(r.stdout_data.find("ONLY=this\n"), std::string::npos) << r.stdout_data;
  EXPECT_EQ(r.stdout_data.find("HOME="), std::string::npos) << r.stdout_data;
}

TEST(CodeSandbox, SeesOnlyTheMountedView) {
  if (!isolation().layers.mount_namespace) GTEST_SKIP() << "no mount namespace here: " << isolation().describe();
  RunResult r = run_sandboxed(shell("ls / | tr '\\n' ' '"));
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  for (const char* hidden : {" work ", " root ", " home ", " tmp "}) {
    EXPECT_EQ((" " + r.stdout_data).find(hidden), std::string::npos) << r.stdout_data;
  }
  r = run_sandboxed(shell("ls /etc"));  // only the loader cache of /etc is shown
  EXPECT_EQ(r.stdout_data, "ld.so.cache\n");
  r = run_sandboxed(shell("touch /usr/x 2>/dev/null || echo readonly; touch /box/x && echo writable"));
  EXPECT_EQ(r.stdout_data, "readonly\nwritable\n");
}

// Each run has its own empty, small /dev/shm (shm_open, sem_open): nothing a run leaves there reaches the next.
TEST(CodeSandbox, SharedMemoryIsTheRunsOwn) {
  if (!isolation().layers.mount_namespace) GTEST_SKIP() << "no mount namespace here: " << isolation().describe();
  RunResult r = run_sandboxed(shell("ls /dev/shm | wc -l; echo left > /dev/shm/x && cat /dev/shm/x; df -k /dev/shm | tail -1"));
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_TRUE(r.stdout_data.starts_with("0\nleft\n")) << r.stdout_data;
  EXPECT_NE(r.stdout_data.find(" " + std::to_string(kDevShmBytes / 1024) + " "), std::string::npos) << r.stdout_data;
  r = run_sandboxed(shell("ls /dev/shm | wc -l"));
  EXPECT_EQ(r.stdout_data, "0\n");
}

TEST(CodeSandbox, RunsUnprivilegedWithoutNetwork) {
  RunResult r = run_sandboxed(shell("id -u"));
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_NE(r.stdout_data, "0\n");
  if (isolation().layers.network_namespace) {
    r = run_sandboxed(shell("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"));
    EXPECT_EQ(r.stdout_data, "lo\n");
  }
}

// The filter builds with this libseccomp and fits the kernel's 4096-instruction limit: a filter the kernel
// refused would leave the sandbox without seccomp (a note in the isolation summary, not an error).
TEST(CodeSandbox, TheSystemCallFilterIsInForce) {
  ASSERT_NO_THROW(seccomp_program());
  EXPECT_LT(seccomp_program().size(), 4096u);
  EXPECT_TRUE(isolation().layers.seccomp) << isolation().notes;
  RunResult r = run_sandboxed(shell("grep '^Seccomp:' /proc/self/status"));
  EXPECT_EQ(r.stdout_data, "Seccomp:\t2\n");
}

TEST(CodeSandbox, StderrIsCappedNotFatal) {
  RunSpec spec = shell("head -c 200000 /dev/zero >&2; echo done");
  spec.limits.stderr_bytes = 1000;
  RunResult r = run_sandboxed(spec);
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_EQ(r.stderr_data.size(), 1000u);
  EXPECT_EQ(r.stdout_data, "done\n");
}

TEST(CodeSandbox, CpuLimitBeatsTheWallClock) {
  RunSpec spec = shell("while :; do :; done");
  spec.limits.cpu_seconds = 0.3;
  spec.limits.wall_seconds = 30;
  RunResult r = run_sandboxed(spec);
  EXPECT_EQ(r.status, RunStatus::CpuLimit);
  EXPECT_GT(r.cpu_seconds, 0.3);
}

TEST(CodeSandbox, BrokenSetupIsTheJudgesFailure) {
  RunSpec spec = shell("true");
  spec.argv = {"/usr/bin/no-such-program"};
  RunResult r = run_sandboxed(spec);
  EXPECT_EQ(r.status, RunStatus::SetupFailed);
  EXPECT_NE(r.error.find("execve"), std::string::npos) << r.error;
  spec.argv.clear();
  EXPECT_EQ(run_sandboxed(spec).status, RunStatus::SetupFailed);
}

// The reaper is a copy of the judge and holds the judge's pages: its resident set is not the program's. A
// judge holding 256 MB (a big run's dataset and generations) still sees a tiny program as tiny.
TEST(CodeSandbox, PeakMemoryIsTheProgramsNotTheJudges) {
  std::vector<char> ballast(256u << 20);
  std::memset(ballast.data(), 1, ballast.size());
  RunSpec spec = shell("true");
  spec.limits.memory_bytes = 64u << 20;
  RunResult r = run_sandboxed(spec);
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_LT(r.peak_memory_bytes, 32u << 20);
  // A program smaller than the judge's copy is measured by the run's own memory group (v1; else unknown: 0).
  RunSpec python = shell("python3 -c 'x = b\"a\" * 40000000'");
  python.limits.memory_bytes = 1u << 30;
  r = run_sandboxed(python);
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  if (isolation().memory_cgroup && !isolation().cgroup_v2) {
    EXPECT_GT(r.peak_memory_bytes, 37u << 20);
    EXPECT_LT(r.peak_memory_bytes, 100u << 20);
  }
  // One larger than the copy is measured by its own peak resident set, in every layer.
  python.argv.back() = "python3 -c 'x = b\"a\" * 400000000'";
  r = run_sandboxed(python);
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_GT(r.peak_memory_bytes, 380u << 20);
  EXPECT_LT(r.peak_memory_bytes, 500u << 20);
  EXPECT_EQ(ballast[12345], 1);
}

// /proc/1 inside a PID namespace is the reaper, a copy of the judge: the judge's command line (endpoints,
// paths) must not be readable there.
TEST(CodeSandbox, TheJudgesCommandLineIsNotShown) {
  if (!isolation().layers.pid_namespace) GTEST_SKIP() << "no PID namespace here: " << isolation().describe();
  RunResult r = run_sandboxed(shell("tr -d '\\000' < /proc/1/cmdline; echo ."));
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_EQ(r.stdout_data, ".\n");
}

// Processes whose command line is exactly `words` (NUL-separated in /proc).
int processes_running(const std::string& words) {
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (line == words) ++found;
  }
  return found;
}

// A judge killed in the middle of a run (SIGKILL: no handler runs) takes the run with it: the program must
// not sleep on forever in its namespace.
TEST(CodeSandbox, AKilledJudgeTakesItsRunsWithIt) {
  const std::string seconds = std::to_string(4000 + getpid() % 1000) + ".5";  // names this test's program
  const std::string sleeper = std::string("sleep") + '\0' + seconds + '\0';
  pid_t judge = fork();
  ASSERT_GE(judge, 0);
  if (judge == 0) {
    RunSpec spec = shell("exec sleep " + seconds);
    spec.limits.wall_seconds = 120;
    (void)run_sandboxed(spec);
    _exit(0);
  }
  const auto started = std::chrono::steady_clock::now();
  while (processes_running(sleeper) == 0 && std::chrono::steady_clock::now() - started < std::chrono::seconds(20))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(processes_running(sleeper), 1) << "the sandboxed program did not start";
  kill(judge, SIGKILL);
  int status = 0;
  waitpid(judge, &status, 0);
  const auto killed = std::chrono::steady_clock::now();
  while (processes_running(sleeper) > 0 && std::chrono::steady_clock::now() - killed < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(processes_running(sleeper), 0) << "the program outlived its judge";
}

TEST(CodeCalibration, ReportsAPositiveSpeedFactor) {
  Calibration c = calibrate(1);
  EXPECT_GT(c.measured_seconds, 0);
  EXPECT_GT(c.reference_seconds, 0);
  EXPECT_DOUBLE_EQ(c.speed_factor, c.measured_seconds / c.reference_seconds);
}

}  // namespace
}  // namespace r1eval::graders::code::sandbox

namespace r1eval::graders::code::sandbox {
namespace {

// The fallbacks the probe may pick on other machines, forced here so that each keeps working.
class CodeSandboxFallback : public ::testing::TestWithParam<std::string> {
 protected:
  static Isolation variant(const std::string& name) {
    Isolation iso = isolation();
    Layers& l = iso.layers;
    if (name == "user-namespace-at-clone") {
      l.shared_network = false;
    } else if (name == "no-user-namespace") {
      l.user_namespace = false;
      l.shared_network = false;
      l.unprivileged_uid = geteuid() == 0;
    } else if (name == "no-namespaces") {
      l = Layers{};
      l.seccomp = isolation().layers.seccomp;
      l.unprivileged_uid = geteuid() == 0;
    } else if (name == "no-cgroups") {
      iso.memory_cgroup.reset();
      iso.pids_cgroup.reset();
      iso.cpuacct_cgroup.reset();
    }
    return iso;
  }
};

TEST_P(CodeSandboxFallback, RunsAProgramWithItsViewAndLimits) {
  if (!isolation().layers.mount_namespace) GTEST_SKIP() << "this machine already runs without namespaces";
  // Relative paths: without a mount namespace only argv paths and the working folder are translated.
  RunSpec spec = shell("cat > copy && cat copy && id -u");
  spec.stdin_data = "42\n";
  RunResult r = run_sandboxed(spec, variant(GetParam()));
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_EQ(r.exit_code, 0) << r.stderr_data;
  EXPECT_TRUE(r.stdout_data.starts_with("42\n")) << r.stdout_data;
  if (geteuid() == 0) {
    EXPECT_NE(r.stdout_data, "42\n0\n");  // never root, whatever the layers
  }
  RunSpec loop = shell("while :; do :; done");
  loop.limits.cpu_seconds = 0.2;
  EXPECT_EQ(run_sandboxed(loop, variant(GetParam())).status, RunStatus::CpuLimit);
}

INSTANTIATE_TEST_SUITE_P(Layers, CodeSandboxFallback,
                         ::testing::Values("user-namespace-at-clone", "no-user-namespace", "no-namespaces",
                                           "no-cgroups"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

}  // namespace
}  // namespace r1eval::graders::code::sandbox

namespace r1eval::graders::code::sandbox {
namespace {

// As root, the sandbox tests again in a copy of this binary running as an ordinary user (65534): the
// path without cgroups where the user namespace maps the caller's own uid.
TEST(CodeSandboxUnprivileged, SandboxTestsPassAsAnOrdinaryUser) {
  if (std::getenv("R1EVAL_UNPRIVILEGED_RERUN")) GTEST_SKIP() << "this is the rerun";
  if (geteuid() != 0) GTEST_SKIP() << "already unprivileged: the other tests cover it";
  // The build folder may sit below a folder only root can enter: run a copy from a world-readable place.
  std::string folder = std::filesystem::temp_directory_path().string() + "/r1eval-unprivileged-XXXXXX";
  ASSERT_NE(mkdtemp(folder.data()), nullptr);
  std::filesystem::permissions(folder, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                           std::filesystem::perms::others_exec);
  std::string self = folder + "/graders_tests";
  std::filesystem::copy_file("/proc/self/exe", self);
  std::filesystem::permissions(self, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                         std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                         std::filesystem::perms::others_exec);
  std::string filter = "--gtest_filter=CodeSandbox.*";
  std::string marker = "R1EVAL_UNPRIVILEGED_RERUN=1";
  std::string path = "PATH=/usr/bin:/bin";
  char* argv[] = {self.data(), filter.data(), nullptr};
  char* envp[] = {marker.data(), path.data(), nullptr};
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    if (syscall(SYS_setgroups, 0, nullptr) != 0 || syscall(SYS_setresgid, kNobodyId, kNobodyId, kNobodyId) != 0 ||
        syscall(SYS_setresuid, kNobodyId, kNobodyId, kNobodyId) != 0) {
      _exit(90);
    }
    execve(argv[0], argv, envp);
    _exit(91);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "rerun as uid 65534 failed; run " << self << " " << filter << " as that user";
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace r1eval::graders::code::sandbox
