// The checkers of the open-r1/codeforces dataset (its `generated_checker` field): Python scripts run as
// `python3 checker.py input.txt correct_output.txt solution_output.txt` in a folder holding those three
// files; the test passes when the script exits 0 and prints "1" (stripped stdout), and fails on "0".
//
// Sources of the convention (facts only; nothing copied):
// - huggingface/open-r1, src/open_r1/utils/competitive_programming/cf_scoring.py: the checker is sent as
//   `checker.py` beside `input.txt` and `correct_output.txt`; a test counts as passed iff the run's exit
//   code is 0 and its stdout, stripped, equals "1".
// - the argument order (input, correct output, solution output) is the one of open-r1's Piston package
//   for Codeforces (https://github.com/guipenedo/piston, cf packages, referenced by open-r1's
//   slurm/piston/README.md), as restated by other graders of this dataset.
#pragma once
#include <memory>
#include <string>

#include "graders/code/judge_config.h"
#include "graders/code/output_checker.h"
#include "graders/code/toolchain.h"

namespace r1eval::graders::code {

class ScratchFolder;

class OpenR1Checker : public OutputChecker {
 public:
  // Writes the script and syntax-checks it once in the sandbox. Throws std::runtime_error with the
  // interpreter's last lines when it is not valid Python (or no interpreter was found).
  OpenR1Checker(const Toolchain& tools, const JudgeConfig& config, const std::string& source);
  ~OpenR1Checker() override;

 protected:
  // exit 0 + "1" -> AC, exit 0 + "0" -> WA; any other exit, signal, limit or printed text -> SE (which
  // OutputChecker::check then weighs against the reference answer). Limits: JudgeConfig::
  // checker_cpu_seconds of CPU, 1 GiB.
  CheckerVerdict check_once(const std::string& input, const std::string& output,
                            const std::string& answer) const override;

 private:
  const Toolchain& tools_;
  const JudgeConfig& config_;
  std::unique_ptr<ScratchFolder> folder_;
};

}  // namespace r1eval::graders::code
