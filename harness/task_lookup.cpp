#include "harness/task_lookup.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace r1eval::harness {

const tasks::Task& require_task(std::string_view name) {
  if (const tasks::Task* task = tasks::find_task(name)) return *task;
  throw std::invalid_argument("unknown task '" + std::string(name) + "'; known tasks: " + tasks::known_task_names());
}

std::vector<const tasks::Task*> require_tasks(std::string_view comma_separated) {
  std::vector<const tasks::Task*> out;
  std::size_t start = 0;
  while (start <= comma_separated.size()) {
    std::size_t end = comma_separated.find(',', start);
    if (end == std::string_view::npos) end = comma_separated.size();
    const std::string_view name = comma_separated.substr(start, end - start);
    if (!name.empty()) {
      const tasks::Task* task = &require_task(name);
      if (std::find(out.begin(), out.end(), task) != out.end())
        throw std::invalid_argument("task '" + std::string(name) + "' is named twice");
      out.push_back(task);
    }
    start = end + 1;
  }
  if (out.empty()) throw std::invalid_argument("no task named; known tasks: " + tasks::known_task_names());
  return out;
}

std::vector<tasks::Problem> load_problems(const tasks::Task& task, const tasks::DataLocator& locator, std::ostream& log) {
  std::vector<tasks::Problem> problems = task.load(locator);
  const tasks::TaskInfo& info = task.info();
  if (info.expected_size != 0 && problems.size() != info.expected_size) {
    log << "r1eval: note: " << info.name << ": the data holds " << problems.size() << " problems, the benchmark "
        << info.expected_size << "; its scores are not comparable with published numbers\n";
  }
  // Control characters other than line breaks and tabs in a problem most likely come from a JSON file whose
  // backslashes were not escaped ("\frac" read as a form feed and "rac"): the prompts would be corrupt.
  for (const tasks::Problem& p : problems) {
    const auto control = std::find_if(p.question.begin(), p.question.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r';
    });
    if (control != p.question.end()) {
      char code[8];
      std::snprintf(code, sizeof code, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(*control)));
      log << "r1eval: warning: " << info.name << ": problem '" << p.id << "' holds control character " << code
          << " (a LaTeX backslash lost to JSON escaping, as \\frac read as a form feed?); check the data file\n";
      break;
    }
  }
  return problems;
}

}  // namespace r1eval::harness
