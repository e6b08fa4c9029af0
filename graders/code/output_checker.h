// A problem's own output checker: decides whether a program's output for one test is accepted, for
// problems with many correct answers. Implementations differ in language and exit/output convention.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graders/code/judge_config.h"
#include "graders/code/outcome.h"
#include "graders/code/sandbox/sandbox.h"
#include "graders/code/toolchain.h"

namespace r1eval::graders::code {

struct CheckerVerdict {
  Outcome outcome = Outcome::SE;  // AC, WA, or SE when the checker itself failed
  std::string detail;             // the checker's message (first line of its stderr/stdout)
  // SE only: whether the program's output can have caused the failure. Not for a sandbox that could not
  // start or testlib's exit 3 (the jury's fault by convention). A wall-clock limit can be either the output's
  // doing or the machine's load; the second run with the reference answer decides.
  bool output_may_be_at_fault = true;
};

// The conventions the judge can run (ProblemSpec::checker_convention).
enum class CheckerConvention {
  Testlib,  // C++ source, `checker input output answer`, exit 0 AC / 1, 2, 7 WA / else SE
  OpenR1,   // Python source, `checker.py input.txt correct_output.txt solution_output.txt`, prints 1 or 0
};

class OutputChecker {
 public:
  virtual ~OutputChecker() = default;
  // Runs the checker on one test in the sandbox: `output` is the program's, `answer` the jury's.
  // Thread-safe. A checker that crashes, hangs or answers out of convention (SE) is run again with the
  // jury's answer as the output: when it accepts that, the program's output is what broke it (a checker
  // indexing with the printed number, calling int() on a word) and the test is WA, as open-r1 counts a
  // failing checker; otherwise SE, which says nothing about the program. Failures the output cannot have
  // caused (CheckerVerdict::output_may_be_at_fault) stay SE without a second run. Throws std::runtime_error only
  // when the judge cannot write the test's files on the host.
  CheckerVerdict check(const std::string& input, const std::string& output, const std::string& answer) const;

 protected:
  // One run of the checker in its convention.
  virtual CheckerVerdict check_once(const std::string& input, const std::string& output,
                                    const std::string& answer) const = 0;
};

// The verdict of a checker run that did not exit by itself (sandbox setup, a limit, a signal): SE, and
// whether the output can be at fault (not for a setup failure or a wall-clock limit).
CheckerVerdict checker_run_failure(const sandbox::RunResult& run);

// Runs a checker for one test in the sandbox, as every convention does: the checker's folder read-only at
// /checker, the test's files (`data_box`) read-only at /data, a private writable /tmp, `working_dir` one of
// those; CPU limit JudgeConfig::checker_cpu_seconds, wall 2x that + 1 s, 1 GiB, `stdout_bytes` of output.
sandbox::RunResult run_checker(const Toolchain& tools, const JudgeConfig& config, const std::string& checker_box,
                               const std::string& data_box, std::vector<std::string> argv,
                               const std::string& working_dir, std::uint64_t stdout_bytes);

}  // namespace r1eval::graders::code
