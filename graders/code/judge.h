// The code judge: a model's response (or a program) against a problem's tests, in the sandbox.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graders/code/judge_config.h"
#include "graders/code/language.h"
#include "graders/code/outcome.h"
#include "graders/code/output_checker.h"
#include "graders/verdict.h"

namespace r1eval::graders::code {

struct TestCase {
  std::string input;
  std::string output;  // the expected answer (for a checker: the jury's answer)
};

// This machine's physical memory in MiB; a problem whose memory limit exceeds it is judged SE, not run.
std::uint64_t host_memory_mb();

struct ProblemSpec {
  std::vector<TestCase> tests;
  int time_limit_ms = 1000;    // CPU time per test, before JudgeConfig::time_scale
  int memory_limit_mb = 256;
  std::optional<std::string> checker;  // source of the problem's checker, in checker_convention
  CheckerConvention checker_convention = CheckerConvention::Testlib;  // C++ testlib, or open-r1's Python
  bool float_tolerance = false;        // force 1e-6 float comparison (it is also detected from the answers)
};

struct TestResult {
  Outcome outcome = Outcome::SE;
  bool ran = false;          // false: skipped after an earlier failure (the other fields mean nothing then)
  double cpu_ms = 0;
  double wall_ms = 0;
  std::uint64_t memory_kb = 0;  // peak resident memory
  int exit_code = 0;
  int signal = 0;
  std::string detail;        // why it is not AC: the first difference, the signal, the limit...
};

struct JudgeResult {
  Outcome outcome = Outcome::SE;  // AC when every test passed, else the first failing test's outcome
  std::string detail;             // e.g. "test 3: WA: token 2: expected '5', got '6'", CE's first lines
  std::optional<Language> language;  // nullopt when no program was found
  std::vector<TestResult> tests;  // one per test of the problem, in order (empty on CE/SE before running)
  int tests_passed = 0;
};

struct JudgeRequest {
  std::string response;                 // the model's full response
  std::optional<Language> language;     // overrides the fence's language when set
  std::shared_ptr<const ProblemSpec> problem;
};

class Judge {
 public:
  // Creates the work folder; throws std::runtime_error naming the folder when it cannot.
  explicit Judge(JudgeConfig config = {});
  ~Judge();
  Judge(const Judge&) = delete;
  Judge& operator=(const Judge&) = delete;

  // Extracts the program (see extract_code) and judges it. No program found is CE ("no code block").
  // Thread-safe; never throws for anything the program does (judge failures are SE).
  JudgeResult judge_response(std::string_view response, const ProblemSpec& problem,
                             std::optional<Language> language = std::nullopt) const;

  // Compiles (or syntax-checks) `source` and runs it on every test, tests in parallel.
  JudgeResult judge_source(Language language, const std::string& source, const ProblemSpec& problem) const;

  // Judges many responses at once on a pool bounded by max_parallel_runs; results in request order.
  std::vector<JudgeResult> judge_all(const std::vector<JudgeRequest>& requests) const;

  // One line naming the sandbox layers in force (namespaces, uid, seccomp, cgroups, rlimits).
  std::string isolation_summary() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The judge's result as the harness's generic Verdict: correct iff AC; extracted is the language;
// reason is the outcome name and detail on one line.
Verdict to_verdict(const JudgeResult& result);

}  // namespace r1eval::graders::code
