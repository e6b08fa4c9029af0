#include "code_test_support.h"

namespace r1eval::graders::code::testing {

const Judge& shared_judge() {
  static const Judge judge([] {
    JudgeConfig config;
    // The default work folder (under the system temp folder): the build folder may sit below a private one.
    return config;
  }());
  return judge;
}

ProblemSpec problem(std::vector<TestCase> tests, int time_limit_ms, int memory_limit_mb) {
  ProblemSpec spec;
  spec.tests = std::move(tests);
  spec.time_limit_ms = time_limit_ms;
  spec.memory_limit_mb = memory_limit_mb;
  return spec;
}

std::string response_with(const std::string& tag, const std::string& source) {
  return "<think>\nLet me think.\n</think>\nHere is the solution.\n```" + tag + "\n" + source + "```\n";
}

}  // namespace r1eval::graders::code::testing
