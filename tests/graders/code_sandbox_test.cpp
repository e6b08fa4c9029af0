#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "graders/code/calibration.h"
#include "graders/code/sandbox/isolation.h"
#include "graders/code/sandbox/sandbox.h"

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

TEST(CodeSandbox, RunsUnprivilegedWithoutNetwork) {
  RunResult r = run_sandboxed(shell("id -u"));
  ASSERT_EQ(r.status, RunStatus::Exited) << r.error;
  EXPECT_NE(r.stdout_data, "0\n");
  if (isolation().layers.network_namespace) {
    r = run_sandboxed(shell("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '"));
    EXPECT_EQ(r.stdout_data, "lo\n");
  }
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
