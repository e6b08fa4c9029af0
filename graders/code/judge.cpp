#include "graders/code/judge.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "graders/code/extract_code.h"
#include "graders/code/open_r1_checker.h"
#include "graders/code/output_compare.h"
#include "graders/code/sandbox/isolation.h"
#include "graders/code/sandbox/sandbox.h"
#include "graders/code/scratch_folder.h"
#include "graders/code/testlib_checker.h"
#include "graders/code/toolchain.h"

namespace r1eval::graders::code {
namespace {

using sandbox::MountSpec;
using sandbox::RunStatus;

std::string signal_text(int sig) {
  const char* name = sigabbrev_np(sig);
  return "signal " + std::to_string(sig) + (name ? std::string(" (SIG") + name + ")" : "");
}

std::string milliseconds(double seconds) { return std::to_string(static_cast<long long>(seconds * 1000)) + " ms"; }

// The outcome of a finished run before its output is looked at; AC means "ran cleanly".
// ": <the last line the program wrote to stderr>" (an interpreter's exception, "can't start new thread"),
// cut to 200 bytes on a character boundary and with control bytes dropped; "" when it wrote nothing.
std::string last_error_line(std::string_view err) {
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r' || err.back() == ' ')) err.remove_suffix(1);
  const size_t nl = err.rfind('\n');
  std::string_view line = nl == std::string_view::npos ? err : err.substr(nl + 1);
  if (line.size() > 200) {
    size_t cut = 200;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    line = line.substr(0, cut);
  }
  std::string clean;
  for (const char c : line)
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) clean += c;
  return clean.empty() ? "" : ": " + clean;
}

TestResult classify(const sandbox::RunResult& run, double cpu_limit, std::uint64_t memory_limit) {
  TestResult test;
  test.ran = true;
  test.cpu_ms = run.cpu_seconds * 1000;
  test.wall_ms = run.wall_seconds * 1000;
  test.memory_kb = run.peak_memory_bytes / 1024;
  test.exit_code = run.exit_code;
  test.signal = run.signal;
  switch (run.status) {
    case RunStatus::SetupFailed:
      test.outcome = Outcome::SE;
      test.detail = run.error;
      return test;
    case RunStatus::OutputLimit:
      test.outcome = Outcome::OLE;
      // SIGXFSZ: a file written past the file-size limit (the program's scratch /tmp or /box), not stdout.
      test.detail = run.signal == SIGXFSZ ? "output limit exceeded (a file written past the file-size limit)"
                                          : "output limit exceeded";
      return test;
    case RunStatus::MemoryLimit:
      test.outcome = Outcome::MLE;
      test.detail = "memory limit " + std::to_string(memory_limit >> 20) + " MB exceeded";
      return test;
    case RunStatus::CpuLimit:
    case RunStatus::WallLimit:
      // A program held at its memory limit may stall in reclaim instead of being OOM-killed, until a time
      // limit stops it: it went over its memory, and that is the verdict whichever limit fired first.
      if (run.memory_limit_reached || run.peak_memory_bytes >= memory_limit) {
        test.outcome = Outcome::MLE;
        test.detail = "memory limit " + std::to_string(memory_limit >> 20) + " MB reached (the run stalled there until its time limit)";
        return test;
      }
      if (run.status == RunStatus::WallLimit) {
        test.outcome = Outcome::TLE;
        test.detail = "wall time over " + milliseconds(run.wall_seconds);  // CPU of a killed program is unknown
        return test;
      }
      test.outcome = Outcome::TLE;
      test.detail = "CPU time " + milliseconds(run.cpu_seconds) + " over " + milliseconds(cpu_limit);
      return test;
    case RunStatus::Signaled:
      test.outcome = Outcome::RE;
      test.detail = signal_text(run.signal);
      return test;
    case RunStatus::Exited:
      break;
  }
  if (run.peak_memory_bytes > memory_limit) {
    test.outcome = Outcome::MLE;
    test.detail = "peak memory " + std::to_string(run.peak_memory_bytes >> 20) + " MB";
  } else if (run.exit_code != 0) {
    test.outcome = Outcome::RE;
    test.detail = "exit code " + std::to_string(run.exit_code) + last_error_line(run.stderr_data);
  } else {
    test.outcome = Outcome::AC;
  }
  return test;
}

std::string default_work_root() { return std::filesystem::temp_directory_path().string() + "/r1eval-judge"; }

// As root, programs run as an unprivileged uid that must walk down to their folder (bind mounts resolve
// paths with the sandbox's credentials): every existing ancestor needs the search bit for others.
// Refusing up front names the folder, instead of every run failing with a judge error.
void require_reachable_by_sandbox(const std::string& work_dir) {
  if (::geteuid() != 0) return;  // a user namespace maps the sandbox to the caller, who reaches it already
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::absolute(work_dir, ec);
  for (std::filesystem::path p = dir; !p.empty(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && !(st.st_mode & S_IXOTH)) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      throw std::runtime_error("judge work folder " + work_dir + ": the sandbox user cannot reach it (" + p.string() +
                               " has mode " + mode + "); use a folder whose parents are searchable by all, e.g. under " +
                               std::filesystem::temp_directory_path().string());
    }
    if (p == p.root_path()) break;
  }
}

}  // namespace

struct Judge::Impl {
  JudgeConfig config;
  Toolchain tools;
  mutable tbb::task_arena arena;  // bounds the sandboxes running at once
  mutable std::mutex checkers_mutex;
  // Built checkers by convention and source text, or the reason they failed to build: each is compiled
  // (or syntax-checked) once per Judge, however many submissions and tests use it.
  using CheckerKey = std::pair<CheckerConvention, std::string>;
  mutable std::map<CheckerKey, std::shared_ptr<const OutputChecker>> checkers;
  mutable std::map<CheckerKey, std::string> checker_errors;

  explicit Impl(JudgeConfig c)
      : config(std::move(c)),
        arena(config.max_parallel_runs > 0 ? config.max_parallel_runs
                                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {
    const bool default_root = config.work_dir.empty();
    if (default_root) config.work_dir = default_work_root();
    require_reachable_by_sandbox(config.work_dir);
    // The default root has a name anyone can guess: made by another user first, that user could rename
    // the judge's folders in it and put a checker of theirs in place. Ours, others may pass through to a
    // folder whose name they know, not list them (one made by an older version may still be listable).
    struct stat st {};
    if (default_root && ::lstat(config.work_dir.c_str(), &st) == 0 &&
        (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid())) {
      throw std::runtime_error("judge work folder " + config.work_dir + ": owned by uid " + std::to_string(st.st_uid) +
                               ", not by this user (uid " + std::to_string(::geteuid()) +
                               "), who could swap the judge's files; remove it or choose another work folder");
    }
    ScratchFolder check(config.work_dir, "writable");  // fails early, naming the folder, when it cannot be used
    if (default_root) ::chmod(config.work_dir.c_str(), 0711);
    remove_stale_scratch_folders(config.work_dir);
    tools = resolve_toolchain(config);
  }

  std::shared_ptr<const OutputChecker> checker_for(CheckerConvention convention, const std::string& source,
                                                   std::string& error) const {
    const CheckerKey key{convention, source};
    std::lock_guard lock(checkers_mutex);
    if (auto it = checkers.find(key); it != checkers.end()) return it->second;
    if (auto it = checker_errors.find(key); it != checker_errors.end()) {
      error = it->second;
      return nullptr;
    }
    try {
      std::shared_ptr<const OutputChecker> checker;
      if (convention == CheckerConvention::OpenR1)
        checker = std::make_shared<const OpenR1Checker>(tools, config, source);
      else
        checker = std::make_shared<const TestlibChecker>(tools, config, source);
      checkers.emplace(key, checker);
      return checker;
    } catch (const std::exception& e) {
      error = e.what();
      checker_errors.emplace(key, error);
      return nullptr;
    }
  }

  TestResult run_test(Language language, const ScratchFolder& program, const ProblemSpec& problem,
                      const TestCase& test, const OutputChecker* checker, bool problem_has_floats) const {
    sandbox::RunSpec spec;
    if (language != Language::Python) {
      spec.argv = {"/prog/solution"};
    } else {
      spec.argv = {tools.python, "/prog/solution.py"};
    }
    spec.env = tools.run_env;
    spec.stdin_data = test.input;
    spec.mounts = tools.view;
    spec.mounts.push_back({MountSpec::Kind::ReadOnly, "/prog", program.box(), 0});
    spec.mounts.push_back({MountSpec::Kind::Tmpfs, "/box", "", 64u << 20});
    spec.mounts.push_back({MountSpec::Kind::Tmpfs, "/tmp", "", 64u << 20});
    spec.working_dir = "/box";
    const double cpu_limit = problem.time_limit_ms * config.time_scale / 1000.0;
    const std::uint64_t memory_limit = static_cast<std::uint64_t>(problem.memory_limit_mb) << 20;
    spec.limits.cpu_seconds = cpu_limit;
    spec.limits.wall_seconds = 2 * cpu_limit + 1;
    spec.limits.memory_bytes = memory_limit;
    spec.limits.stdout_bytes = config.output_limit_bytes;
    sandbox::RunResult run = sandbox::run_sandboxed(spec);
    TestResult result = classify(run, cpu_limit, memory_limit);
    if (result.outcome != Outcome::AC) return result;
    if (checker) {
      CheckerVerdict verdict = checker->check(test.input, run.stdout_data, test.output);
      result.outcome = verdict.outcome;
      result.detail = verdict.outcome == Outcome::SE ? verdict.detail
                      : verdict.outcome == Outcome::WA ? "checker: " + verdict.detail : "";
      return result;
    }
    CompareOptions options;
    options.float_tolerance = problem.float_tolerance;
    options.problem_has_floats = problem_has_floats;
    CompareResult compared = compare_output(test.output, run.stdout_data, options);
    if (!compared.accepted) {
      result.outcome = Outcome::WA;
      result.detail = compared.detail;
    }
    return result;
  }

  JudgeResult judge_source(Language language, const std::string& source, const ProblemSpec& problem) const {
    JudgeResult result;
    result.language = language;
    if (problem.tests.empty()) {
      result.detail = "problem has no tests";
      return result;
    }
    // A limit past the machine's memory is no limit: one program could take the host down with it.
    if (static_cast<std::uint64_t>(problem.memory_limit_mb) > host_memory_mb()) {
      result.detail = "memory limit of " + std::to_string(problem.memory_limit_mb) + " MB is more than this machine's " +
                      std::to_string(host_memory_mb()) + " MB";
      return result;
    }
    try {
      ScratchFolder program(config.work_dir, "submission");
      BuildResult built;
      if (language == Language::Cpp) {
        program.write("solution.cpp", source);
        built = compile_cpp(tools, config, program.box(), "solution.cpp", "solution");
      } else if (language == Language::Cpp20) {
        program.write("solution.cpp", source);
        built = compile_cpp20(tools, config, program.box(), "solution.cpp", "solution");
      } else if (language == Language::C) {
        program.write("solution.c", source);
        built = compile_c(tools, config, program.box(), "solution.c", "solution");
      } else {
        program.write("solution.py", source);
        built = check_python(tools, config, program.box(), "solution.py");
      }
      if (built.outcome != Outcome::AC) {
        result.outcome = built.outcome;
        result.detail = built.detail;
        return result;
      }
      program.seal();
      std::shared_ptr<const OutputChecker> checker;
      if (problem.checker) {
        std::string error;
        checker = checker_for(problem.checker_convention, *problem.checker, error);
        if (!checker) {
          result.detail = error;
          return result;
        }
      }
      run_all_tests(language, program, problem, checker.get(), result);
    } catch (const std::exception& e) {
      result.outcome = Outcome::SE;
      result.detail = e.what();
    }
    return result;
  }

  void run_all_tests(Language language, const ScratchFolder& program, const ProblemSpec& problem,
                     const OutputChecker* checker, JudgeResult& result) const {
    const std::size_t n = problem.tests.size();
    result.tests.assign(n, TestResult{});
    // A real-valued answer that the jury printed as "2" in one test is a real all the same when another
    // test's answer shows decimals.
    const bool problem_has_floats =
        std::any_of(problem.tests.begin(), problem.tests.end(), [](const TestCase& t) { return has_float_token(t.output); });
    std::atomic<std::size_t> first_failure{n};
    arena.execute([&] {
      tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) {
        if (config.stop_at_first_failure && i > first_failure.load()) return;
        result.tests[i] = run_test(language, program, problem, problem.tests[i], checker, problem_has_floats);
        if (result.tests[i].outcome != Outcome::AC) {
          std::size_t seen = first_failure.load();
          while (i < seen && !first_failure.compare_exchange_weak(seen, i)) {
          }
        }
      });
    });
    const std::size_t failed = first_failure.load();
    // Tests after the first failure may or may not have run depending on scheduling; dropping them keeps
    // the result a function of the submission alone.
    if (config.stop_at_first_failure) {
      for (std::size_t i = failed + 1; i < n; ++i) result.tests[i] = TestResult{};
    }
    result.tests_passed = static_cast<int>(std::count_if(result.tests.begin(), result.tests.end(),
                                                         [](const TestResult& t) { return t.outcome == Outcome::AC; }));
    if (failed == n) {
      result.outcome = Outcome::AC;
      return;
    }
    const TestResult& bad = result.tests[failed];
    result.outcome = bad.outcome;
    result.detail = "test " + std::to_string(failed + 1) + ": " + std::string(outcome_name(bad.outcome)) +
                    (bad.detail.empty() ? "" : ": " + bad.detail);
  }
};

Judge::Judge(JudgeConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Judge::~Judge() = default;

JudgeResult Judge::judge_response(std::string_view response, const ProblemSpec& problem,
                                  std::optional<Language> language) const {
  std::vector<std::string> skipped_tags;
  std::optional<ExtractedCode> code = extract_code(response, &skipped_tags);
  if (!code) {
    JudgeResult result;
    result.outcome = Outcome::CE;
    result.detail = "no code block found in the response";
    if (!skipped_tags.empty()) {
      std::string tag;
      for (const char c : skipped_tags.back().substr(0, 40))
        if (c > 0x20 && c < 0x7f) tag += c;  // the model's text: printable ASCII only in a reason
      result.detail = "no C++ or Python code block in the response (a block tagged '" + tag +
                      "' is not a language the judge runs)";
    }
    return result;
  }
  return impl_->judge_source(language.value_or(code->language), code->source, problem);
}

std::uint64_t host_memory_mb() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return UINT64_MAX;  // unknown: no bound
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page) >> 20;
}

JudgeResult Judge::judge_source(Language language, const std::string& source, const ProblemSpec& problem) const {
  return impl_->judge_source(language, source, problem);
}

std::vector<JudgeResult> Judge::judge_all(const std::vector<JudgeRequest>& requests) const {
  std::vector<JudgeResult> results(requests.size());
  impl_->arena.execute([&] {
    tbb::parallel_for(std::size_t{0}, requests.size(), [&](std::size_t i) {
      const JudgeRequest& request = requests[i];
      if (!request.problem) {
        results[i].detail = "request " + std::to_string(i) + ": no problem given";
        return;
      }
      results[i] = judge_response(request.response, *request.problem, request.language);
    });
  });
  return results;
}

std::string Judge::isolation_summary() const { return sandbox::isolation().describe(); }

Verdict to_verdict(const JudgeResult& result) {
  Verdict verdict;
  verdict.correct = result.outcome == Outcome::AC;
  if (result.language) verdict.extracted = std::string(language_name(*result.language));
  std::string first_line = result.detail.substr(0, result.detail.find('\n'));
  verdict.reason = std::string(outcome_name(result.outcome)) + (first_line.empty() ? "" : ": " + first_line);
  return verdict;
}

}  // namespace r1eval::graders::code
