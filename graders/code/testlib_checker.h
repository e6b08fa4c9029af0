// Custom output checkers following the testlib convention: `checker input output answer`, exit code
// 0 = accepted, 1 = wrong answer, 2 = presentation error, 3 = checker failure, 7 = partial points.
#pragma once
#include <memory>
#include <string>

#include "graders/code/judge_config.h"
#include "graders/code/output_checker.h"
#include "graders/code/toolchain.h"

namespace r1eval::graders::code {

class ScratchFolder;

class TestlibChecker : public OutputChecker {
 public:
  // Compiles `source` in the sandbox (with the configured include dirs, e.g. for testlib.h).
  // Throws std::runtime_error with the first compiler lines when it does not compile.
  TestlibChecker(const Toolchain& tools, const JudgeConfig& config, const std::string& source);
  ~TestlibChecker() override;

 protected:
  // Exit 0 -> AC, 1 / 2 / 7 -> WA; another exit code, a signal or a limit -> SE (which OutputChecker::check
  // then weighs against the reference answer).
  CheckerVerdict check_once(const std::string& input, const std::string& output,
                            const std::string& answer) const override;

 private:
  const Toolchain& tools_;
  const JudgeConfig& config_;
  std::unique_ptr<ScratchFolder> folder_;
};

}  // namespace r1eval::graders::code
