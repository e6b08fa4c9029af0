#include "tasks/codeforces_task.h"

#include "tasks/codeforces_loaders.h"

namespace r1eval::tasks {
namespace {

std::string_view trim_blank_lines(std::string_view s) {
  const std::size_t first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const std::size_t last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

std::string code_prompt(std::string_view statement) {
  std::string prompt(trim_blank_lines(statement));
  prompt +=
      "\n\nWrite a complete C++17 program that solves this problem (a Python 3 program is also accepted). "
      "It must read the input from standard input and write the answer to standard output. "
      "Put the whole program in a single fenced code block: ```cpp for C++ or ```python for Python.";
  return prompt;
}

CodeforcesTask::CodeforcesTask(CodeTaskDescriptor descriptor) : descriptor_(std::move(descriptor)) {
  info_.name = descriptor_.name;
  info_.title = descriptor_.title;
  info_.expected_size = descriptor_.expected_size;
  info_.grader = GraderKind::code;
  info_.defaults.samples = descriptor_.samples;
  info_.data = descriptor_.data;
}

std::vector<Problem> CodeforcesTask::load(const DataLocator& locator) const {
  const DataLocator::Resolved problems = locator.read_for_task(info_.name, descriptor_.data);
  switch (descriptor_.layout) {
    case CodeLayout::deepcoder: {
      const DataLocator::Resolved ids = locator.read_for_task(info_.name, descriptor_.ids);
      return parse_deepcoder_codeforces(problems.content, problems.display_name, ids.content, ids.display_name);
    }
    case CodeLayout::code_contests:
      return parse_code_contests(problems.content, problems.display_name);
    case CodeLayout::open_r1_jsonl:
      return parse_open_r1_codeforces(problems.content, problems.display_name);
  }
  throw DataError(info_.name + ": unknown data layout");
}

Prompt CodeforcesTask::prompt(const Problem& problem, std::uint64_t, int) const {
  Prompt prompt;
  prompt.user = code_prompt(problem.question);
  return prompt;
}

}  // namespace r1eval::tasks
