#include "graders/code/output_checker.h"

#include <utility>

namespace r1eval::graders::code {

CheckerVerdict checker_run_failure(const sandbox::RunResult& run) {
  if (run.status == sandbox::RunStatus::SetupFailed) return {Outcome::SE, run.error, false};
  // A stall can be the output's doing (a checker waiting on what the output made it expect) or the machine's
  // load: the run with the reference answer tells them apart.
  if (run.status == sandbox::RunStatus::WallLimit) return {Outcome::SE, "checker ran past its wall-clock limit", true};
  return {Outcome::SE, "checker did not finish normally", true};
}

CheckerVerdict OutputChecker::check(const std::string& input, const std::string& output,
                                    const std::string& answer) const {
  CheckerVerdict verdict = check_once(input, output, answer);
  if (verdict.outcome != Outcome::SE || !verdict.output_may_be_at_fault || output == answer) return verdict;
  if (check_once(input, answer, answer).outcome != Outcome::AC) return verdict;
  return {Outcome::WA, "the checker fails on this output (" + verdict.detail + ") and accepts the reference answer"};
}

sandbox::RunResult run_checker(const Toolchain& tools, const JudgeConfig& config, const std::string& checker_box,
                               const std::string& data_box, std::vector<std::string> argv,
                               const std::string& working_dir, std::uint64_t stdout_bytes) {
  sandbox::RunSpec spec;
  spec.argv = std::move(argv);
  spec.env = tools.run_env;
  spec.mounts = tools.view;
  spec.mounts.push_back({sandbox::MountSpec::Kind::ReadOnly, "/checker", checker_box, 0});
  spec.mounts.push_back({sandbox::MountSpec::Kind::ReadOnly, "/data", data_box, 0});
  spec.mounts.push_back({sandbox::MountSpec::Kind::Tmpfs, "/tmp", "", 16u << 20});
  spec.working_dir = working_dir;
  spec.limits.cpu_seconds = config.checker_cpu_seconds;
  spec.limits.wall_seconds = 2 * config.checker_cpu_seconds + 1;
  spec.limits.memory_bytes = 1024u << 20;
  spec.limits.stdout_bytes = stdout_bytes;
  return sandbox::run_sandboxed(spec);
}

}  // namespace r1eval::graders::code
