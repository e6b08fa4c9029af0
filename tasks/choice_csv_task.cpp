#include "tasks/choice_csv_task.h"

#include <stdexcept>
#include <unordered_map>

#include "tasks/choice_shuffle.h"
#include "tasks/csv.h"

namespace r1eval::tasks {
namespace {

constexpr std::string_view kInstruction =
    "Answer the following multiple choice question. The last line of your response should be of the "
    "following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step "
    "before answering.";
constexpr int kOptions = 4;

std::string field_at(std::string_view file, std::size_t line, std::string_view column) {
  return std::string(file) + ":" + std::to_string(line) + ": field '" + std::string(column) + "': ";
}

}  // namespace

std::string multichoice_prompt(std::string_view question, std::string_view a, std::string_view b,
                               std::string_view c, std::string_view d) {
  std::string prompt(kInstruction);
  prompt += "\n\n";
  prompt += question;
  prompt += "\n\nA) ";
  prompt += a;
  prompt += "\nB) ";
  prompt += b;
  prompt += "\nC) ";
  prompt += c;
  prompt += "\nD) ";
  prompt += d;
  return prompt;
}

std::vector<Problem> parse_choice_csv(std::string_view text, std::string_view display_name,
                                      const ChoiceTaskDescriptor& descriptor) {
  const CsvTable table = parse_csv(text, display_name);
  auto column = [&](const std::string& name) {
    const int index = table.column(name);
    if (index < 0) throw DataError(std::string(display_name) + ": missing column '" + name + "' in the CSV header");
    return static_cast<std::size_t>(index);
  };
  const std::size_t id = column(descriptor.id_column);
  const std::size_t question = column(descriptor.question_column);
  const std::size_t correct = column(descriptor.correct_column);
  std::vector<std::size_t> incorrect;
  for (const auto& name : descriptor.incorrect_columns) incorrect.push_back(column(name));
  std::vector<std::size_t> attributes;
  for (const auto& [attribute, name] : descriptor.attribute_columns) attributes.push_back(column(name));

  if (table.rows.empty()) throw DataError(std::string(display_name) + ": no problems in the file (expected rows after the header)");
  std::vector<Problem> problems;
  problems.reserve(table.rows.size());
  std::unordered_map<std::string, std::size_t> first_line_of_id;
  for (const CsvRecord& row : table.rows) {
    auto required = [&](std::size_t index, const std::string& name) -> const std::string& {
      const std::string& value = row.fields[index];
      if (value.find_first_not_of(" \t\r\n") == std::string::npos)
        throw DataError(field_at(display_name, row.line, name) + "expected a non-empty value");
      return value;
    };
    Problem problem;
    problem.id = required(id, descriptor.id_column);
    const auto [it, inserted] = first_line_of_id.emplace(problem.id, row.line);
    if (!inserted) {
      throw DataError(field_at(display_name, row.line, descriptor.id_column) + "duplicate id '" + problem.id +
                      "' (first seen on line " + std::to_string(it->second) + ")");
    }
    problem.question = required(question, descriptor.question_column);
    problem.answer = required(correct, descriptor.correct_column);
    for (std::size_t i = 0; i < incorrect.size(); ++i) {
      problem.distractors.push_back(required(incorrect[i], descriptor.incorrect_columns[i]));
    }
    for (std::size_t i = 0; i < attributes.size(); ++i) {
      problem.attributes.emplace_back(descriptor.attribute_columns[i].first, row.fields[attributes[i]]);
    }
    problems.push_back(std::move(problem));
  }
  return problems;
}

ChoiceCsvTask::ChoiceCsvTask(ChoiceTaskDescriptor descriptor) : descriptor_(std::move(descriptor)) {
  if (descriptor_.incorrect_columns.size() != kOptions - 1) {
    throw std::invalid_argument(descriptor_.name + ": the multiple-choice template needs exactly 3 incorrect answer columns");
  }
  info_.name = descriptor_.name;
  info_.title = descriptor_.title;
  info_.expected_size = descriptor_.expected_size;
  info_.grader = GraderKind::choice;
  info_.defaults.samples = descriptor_.samples;
  info_.data = descriptor_.data;
}

std::vector<Problem> ChoiceCsvTask::load(const DataLocator& locator) const {
  const DataLocator::Resolved resolved = locator.read_for_task(info_.name, info_.data);
  return parse_choice_csv(resolved.content, resolved.display_name, descriptor_);
}

Prompt ChoiceCsvTask::prompt(const Problem& problem, std::uint64_t run_seed, int sample_index) const {
  if (problem.distractors.size() != kOptions - 1) {
    throw DataError(info_.name + ": problem '" + problem.id + "': expected 3 incorrect options, found " +
                    std::to_string(problem.distractors.size()));
  }
  auto option = [&](int index) -> const std::string& {
    return index == 0 ? problem.answer : problem.distractors[static_cast<std::size_t>(index - 1)];
  };
  Prompt prompt;
  prompt.choice_order = choice_permutation(kOptions, run_seed, problem.id, sample_index);
  const auto& order = prompt.choice_order;
  prompt.user = multichoice_prompt(problem.question, option(order[0]), option(order[1]), option(order[2]), option(order[3]));
  for (int letter = 0; letter < kOptions; ++letter) {
    if (order[static_cast<std::size_t>(letter)] == 0) prompt.gold = std::string(1, static_cast<char>('A' + letter));
  }
  return prompt;
}

}  // namespace r1eval::tasks
