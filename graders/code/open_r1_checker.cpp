#include "graders/code/open_r1_checker.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string_view>

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

// A token Python's float() reads but no Codeforces checker (testlib) accepts as a number: nan, inf,
// infinity (any case, signed), digits grouped with underscores ("1_0.5"), digits of other scripts ("１０.５",
// Arabic-Indic). The dataset's checkers compare with float() and "abs(x - y) > eps", which every comparison
// with nan passes.
bool python_only_number(std::string_view token) {
  if (std::any_of(token.begin(), token.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) return true;
  if (!token.empty() && (token[0] == '+' || token[0] == '-')) token.remove_prefix(1);
  std::string lower(token);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "nan" || lower == "inf" || lower == "infinity") return true;
  bool digit_before = false;
  for (std::size_t i = 0; i < token.size(); ++i) {
    const bool digit = std::isdigit(static_cast<unsigned char>(token[i])) != 0;
    if (token[i] == '_' && digit_before && i + 1 < token.size() && std::isdigit(static_cast<unsigned char>(token[i + 1])))
      return std::all_of(token.begin(), token.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
      });
    digit_before = digit;
  }
  return false;
}

// True when `token` is a finite number as a testlib checker reads one.
bool finite_number(const std::string& token) {
  if (token.empty() || python_only_number(token)) return false;
  char* end = nullptr;
  const double value = std::strtod(token.c_str(), &end);
  return end == token.c_str() + token.size() && std::isfinite(value);
}

// `text` with every character Python's str.split() splits at turned into a space: besides ASCII whitespace,
// \x1c-\x1f and the Unicode spaces (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F,
// U+3000), so that "nan\u00a0" is the token "nan" here as it is for the checker.
std::string with_python_whitespace_as_spaces(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x1c && c <= 0x1f) {
      out += ' ';
      ++i;
      continue;
    }
    std::size_t width = 0;
    if (c == 0xc2 && i + 1 < text.size() && (static_cast<unsigned char>(text[i + 1]) == 0x85 || static_cast<unsigned char>(text[i + 1]) == 0xa0))
      width = 2;
    if (c == 0xe1 && text.compare(i, 3, "\xe1\x9a\x80") == 0) width = 3;
    if (c == 0xe2 && i + 2 < text.size()) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]), b2 = static_cast<unsigned char>(text[i + 2]);
      if ((b1 == 0x80 && (b2 <= 0x8a || b2 == 0xa8 || b2 == 0xa9 || b2 == 0xaf)) || (b1 == 0x81 && b2 == 0x9f)) width = 3;
    }
    if (c == 0xe3 && text.compare(i, 3, "\xe3\x80\x80") == 0) width = 3;
    if (width > 0) {
      out += ' ';
      i += width;
    } else {
      out += text[i++];
    }
  }
  return out;
}

// The first token of `output` that stands where `answer` has a finite number and that only Python reads
// as one, or none. Elsewhere (a word answer, a token past the jury's) the checker decides.
std::optional<std::string> unreadable_number(const std::string& output, const std::string& answer) {
  std::istringstream out(with_python_whitespace_as_spaces(output)), expected(with_python_whitespace_as_spaces(answer));
  std::string token, jury;
  while (out >> token) {
    if (!(expected >> jury)) break;
    if (python_only_number(token) && finite_number(jury)) return token;
  }
  return std::nullopt;
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
  if (const auto token = unreadable_number(output, answer))
    return {Outcome::WA, "output holds '" + shortened(*token) + "', which a Codeforces checker does not read as a number"};
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
