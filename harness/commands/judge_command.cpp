// `r1eval judge math|choice|code`: grades JSONL pairs from stdin ({"gold", "response", ...}) and echoes each object
// with "correct", "extracted", "reason" and "micros" added (graders/judge.h). This is how r1eval's graders are
// compared with other graders on the same pairs.
#include <iostream>

#include "graders/judge.h"
#include "harness/commands/commands.h"
#include "harness/commands/judge_code.h"
#include "harness/option_checks.h"

namespace r1eval::harness {

void add_judge_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("judge", "Grade JSONL pairs from stdin with one of r1eval's graders");
  cmd->require_subcommand(1);
  CLI::App* math = cmd->add_subcommand("math", "gold: a math answer; response: a model response");
  CLI::App* choice = cmd->add_subcommand("choice", "gold: a letter; response: a model response");
  CLI::App* code = cmd->add_subcommand(
      "code", "response + tests [{input, output}] (+ time_limit_ms, memory_limit_mb, language, checker, checker_language): sandboxed run");
  auto code_options = std::make_shared<JudgeCodeOptions>();
  code->add_flag("--calibrate", code_options->calibrate, "Print this machine's speed factor against the reference loop");
  code->add_option("--time-scale", code_options->time_scale, "Multiply every time limit (e.g. the calibrated factor)")
      ->check(number_between(0.01, 100));
  code->add_option("--cxx", code_options->cxx, "C++ compiler (default g++)");
  code->add_option("--python", code_options->python, "Python interpreter (default python3)");
  code->add_option("--checker-include", code_options->checker_include_dirs,
                   "Folder whose headers a C++ checker includes, e.g. the one holding testlib.h (repeatable)")
      ->check(CLI::ExistingDirectory);
  code->callback([code_options, &exit_code] { exit_code = run_judge_code(*code_options, std::cin, std::cout, std::cerr); });
  math->callback([&exit_code] {
    graders::judge_jsonl(std::cin, std::cout, graders::JudgeKind::kMath);
    exit_code = 0;
  });
  choice->callback([&exit_code] {
    graders::judge_jsonl(std::cin, std::cout, graders::JudgeKind::kChoice);
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
