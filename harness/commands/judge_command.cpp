// `r1eval judge math|choice`: grades JSONL pairs from stdin ({"gold", "response", ...}) and echoes each object
// with "correct", "extracted", "reason" and "micros" added (graders/judge.h). This is how r1eval's graders are
// compared with other graders on the same pairs.
#include <iostream>

#include "graders/judge.h"
#include "harness/commands/commands.h"

namespace r1eval::harness {

void add_judge_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("judge", "Grade JSONL pairs from stdin with one of r1eval's graders");
  cmd->require_subcommand(1);
  CLI::App* math = cmd->add_subcommand("math", "gold: a math answer; response: a model response");
  CLI::App* choice = cmd->add_subcommand("choice", "gold: a letter; response: a model response");
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
