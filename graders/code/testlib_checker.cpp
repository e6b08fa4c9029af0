#include "graders/code/testlib_checker.h"

#include <filesystem>
#include <stdexcept>

#include "graders/code/scratch_folder.h"

namespace r1eval::graders::code {
namespace {

std::string work_root(const JudgeConfig& config) {
  return config.work_dir.empty() ? std::filesystem::temp_directory_path().string() + "/r1eval-judge"
                                 : config.work_dir;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

}  // namespace

TestlibChecker::TestlibChecker(const Toolchain& tools, const JudgeConfig& config, const std::string& source)
    : tools_(tools), config_(config), folder_(std::make_unique<ScratchFolder>(work_root(config), "checker")) {
  folder_->write("checker.cpp", source);
  BuildResult built = compile_cpp(tools_, config_, folder_->box(), "checker.cpp", "checker", config.checker_include_dirs);
  if (built.outcome != Outcome::AC) {
    std::string why = first_line(built.detail);
    if (why.find("testlib.h") != std::string::npos) why += " (testlib.h is not shipped: `judge code --checker-include DIR`)";
    throw std::runtime_error("checker does not compile: " + why);
  }
  folder_->seal();
}

TestlibChecker::~TestlibChecker() = default;

CheckerVerdict TestlibChecker::check_once(const std::string& input, const std::string& output,
                                          const std::string& answer) const {
  ScratchFolder files(work_root(config_), "check");
  files.write("input.txt", input);
  files.write("output.txt", output);
  files.write("answer.txt", answer);
  const sandbox::RunResult run =
      run_checker(tools_, config_, folder_->box(), files.box(),
                  {"/checker/checker", "/data/input.txt", "/data/output.txt", "/data/answer.txt"}, "/tmp",
                  sandbox::RunLimits{}.stdout_bytes);
  std::string message = first_line(run.stderr_data.empty() ? run.stdout_data : run.stderr_data);
  if (run.status != sandbox::RunStatus::Exited) return checker_run_failure(run);
  switch (run.exit_code) {
    case 0:
      return {Outcome::AC, message};
    case 1:
    case 2:
    case 7:  // partial points: not a full solve
      return {Outcome::WA, message};
    case 3:  // _fail: testlib's word for a fault of the jury or the checker, never of the output
      return {Outcome::SE, "checker failed (exit code 3): " + message, false};
    default:
      return {Outcome::SE, "checker failed (exit code " + std::to_string(run.exit_code) + "): " + message};
  }
}

}  // namespace r1eval::graders::code
