#include "graders/code/open_r1_checker.h"

#include <filesystem>
#include <stdexcept>

#include "graders/code/scratch_folder.h"

namespace r1eval::graders::code {
namespace {

std::string work_root(const JudgeConfig& config) {
  return config.work_dir.empty() ? std::filesystem::temp_directory_path().string() + "/r1eval-judge"
                                 : config.work_dir;
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string shortened(const std::string& text) {
  std::string line = trimmed(text);
  line = line.substr(0, line.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

// A Python traceback ends with the exception; that line says the most.
std::string last_line(const std::string& text) {
  const std::string t = trimmed(text);
  const auto newline = t.rfind('\n');
  return shortened(newline == std::string::npos ? t : t.substr(newline + 1));
}

}  // namespace

OpenR1Checker::OpenR1Checker(const Toolchain& tools, const JudgeConfig& config, const std::string& source)
    : tools_(tools), config_(config), folder_(std::make_unique<ScratchFolder>(work_root(config), "checker")) {
  folder_->write("checker.py", source);
  BuildResult checked = check_python(tools_, config_, folder_->box(), "checker.py");
  if (checked.outcome != Outcome::AC) {
    throw std::runtime_error("checker is not valid Python: " + last_line(checked.detail));
  }
  folder_->seal();
}

OpenR1Checker::~OpenR1Checker() = default;

CheckerVerdict OpenR1Checker::check_once(const std::string& input, const std::string& output,
                                         const std::string& answer) const {
  ScratchFolder files(work_root(config_), "check");
  files.write("input.txt", input);
  files.write("correct_output.txt", answer);
  files.write("solution_output.txt", output);
  // Relative file names in a working folder that holds them, as the dataset's checkers expect.
  const sandbox::RunResult run =
      run_checker(tools_, config_, folder_->box(), files.box(),
                  {tools_.python, "/checker/checker.py", "input.txt", "correct_output.txt", "solution_output.txt"},
                  "/data", 1u << 20);
  if (run.status != sandbox::RunStatus::Exited) return checker_run_failure(run);
  if (run.exit_code != 0) {
    return {Outcome::SE, "checker failed (exit code " + std::to_string(run.exit_code) + "): " + last_line(run.stderr_data)};
  }
  const std::string printed = trimmed(run.stdout_data);
  if (printed == "1") return {Outcome::AC, ""};
  if (printed == "0") return {Outcome::WA, "rejected"};
  return {Outcome::SE, "checker printed '" + shortened(printed) + "', expected 1 or 0"};
}

}  // namespace r1eval::graders::code
