#include <gtest/gtest.h>

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
