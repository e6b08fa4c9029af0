// `r1eval judge math|choice`: grades JSONL pairs from stdin ({"gold", "response", ...}) and echoes each object
// with "correct", "extracted", "reason" and "micros" added. This is how r1eval's graders are compared with
// other graders on the same pairs.
#include <chrono>
#include <iostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "harness/commands/commands.h"
#include "harness/grading.h"

namespace r1eval::harness {
namespace {

int judge_stream(tasks::GraderKind kind, std::istream& in, std::ostream& out) {
  std::string text;
  std::size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json pair;
    try {
      pair = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error&) {
      throw std::invalid_argument("stdin:" + std::to_string(line) + ": not valid JSON");
    }
    for (const char* field : {"gold", "response"}) {
      if (!pair.is_object() || !pair.contains(field) || !pair[field].is_string())
        throw std::invalid_argument("stdin:" + std::to_string(line) + ": field '" + field + "': expected a string");
    }
    const auto start = std::chrono::steady_clock::now();
    const graders::Verdict verdict =
        grade_response(kind, pair["response"].get<std::string>(), pair["gold"].get<std::string>());
    const double micros = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    pair["correct"] = verdict.correct;
    pair["extracted"] = verdict.extracted ? nlohmann::json(*verdict.extracted) : nlohmann::json(nullptr);
    pair["reason"] = verdict.reason;
    pair["micros"] = micros;
    out << pair.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  return 0;
}

}  // namespace

void add_judge_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("judge", "Grade JSONL pairs from stdin with one of r1eval's graders");
  cmd->require_subcommand(1);
  CLI::App* math = cmd->add_subcommand("math", "gold: a math answer; response: a model response");
  CLI::App* choice = cmd->add_subcommand("choice", "gold: a letter; response: a model response");
  math->callback([&exit_code] { exit_code = judge_stream(tasks::GraderKind::math, std::cin, std::cout); });
  choice->callback([&exit_code] { exit_code = judge_stream(tasks::GraderKind::choice, std::cin, std::cout); });
}

}  // namespace r1eval::harness
