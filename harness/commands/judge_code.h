// `r1eval judge code`: one JSON object per line on stdin with "response", "tests" [{input, output}] and optional
// "time_limit_ms", "memory_limit_mb", "language" ("cpp" | "cpp20" | "c" | "python"), "checker" (its source) and
// "checker_language" ("cpp": testlib convention, the default; "python": open-r1's generated_checker convention);
// each object is echoed with "verdict" (AC, WA, TLE, MLE, RE, CE, OLE, SE), "correct", "detail", "language",
// "tests_passed" and "test_results" added. Responses are judged in parallel in the sandbox.
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

namespace r1eval::harness {

struct JudgeCodeOptions {
  bool calibrate = false;   // print this machine's speed factor (JSON) instead of judging
  double time_scale = 1.0;  // multiplies every time limit (use the calibrated speed factor on slow machines)
  std::string cxx;          // compiler ("" = g++)
  std::string python;       // interpreter ("" = python3)
  // Folders a C++ checker's #include finds (testlib.h is not shipped: give the folder that holds yours).
  std::vector<std::string> checker_include_dirs;
};

// Throws std::invalid_argument naming stdin:line and the field on malformed input, before anything runs.
int run_judge_code(const JudgeCodeOptions& options, std::istream& in, std::ostream& out, std::ostream& log);

}  // namespace r1eval::harness
