#include "tasks/math_jsonl_task.h"

#include <unordered_map>

#include "tasks/jsonl.h"

namespace r1eval::tasks {
namespace {

using nlohmann::json;

// The first of `names` present in `object` (its name and value), or nullptr.
const json* find_field(const json& object, const std::vector<std::string>& names, std::string* found_name) {
  for (const auto& name : names) {
    const auto it = object.find(name);
    if (it != object.end()) {
      *found_name = name;
      return &*it;
    }
  }
  return nullptr;
}

std::string alias_list(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += i ? (i + 1 == names.size() ? " or '" : ", '") : "'";
    out += names[i] + "'";
  }
  return out;
}

std::string missing_field(std::string_view file, std::size_t line, const std::vector<std::string>& names) {
  return std::string(file) + ":" + std::to_string(line) + ": missing field " + alias_list(names);
}

// A string or an integer, as text; anything else is an error naming the field.
std::string string_or_integer(const json& value, std::string_view file, std::size_t line, std::string_view field) {
  if (value.is_string()) return value.get<std::string>();
  if (auto number = whole_number_text(value)) return *number;
  if (value.is_number_float())
    throw DataError(field_error_prefix(file, line, field) + "expected a string or an integer, found the number " + value.dump());
  throw DataError(field_error_prefix(file, line, field) + "expected a string or an integer, found " + value.type_name());
}

std::string read_answer(const json& value, std::string_view file, std::size_t line, std::string_view field,
                        AnswerNormalization normalization) {
  switch (normalization) {
    case AnswerNormalization::none:
      if (!value.is_string()) {
        throw DataError(field_error_prefix(file, line, field) + "expected a string, found " + value.type_name());
      }
      if (value.get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos)
        throw DataError(field_error_prefix(file, line, field) + "expected a non-empty answer");
      return value.get<std::string>();
    case AnswerNormalization::aime_integer: {
      const std::string raw = string_or_integer(value, file, line, field);
      std::string normalized = normalize_aime_answer(raw);
      if (normalized.empty()) {
        throw DataError(field_error_prefix(file, line, field) + "expected an AIME answer (an integer from 0 to 999), found '" + raw + "'");
      }
      return normalized;
    }
  }
  throw DataError(field_error_prefix(file, line, field) + "unknown answer normalisation");
}

}  // namespace

std::string math_prompt(std::string_view problem) {
  std::string prompt(problem);
  prompt += "\nPlease reason step by step, and put your final answer within \\boxed{}.";
  return prompt;
}

Prompt math_problem_prompt(const Problem& problem) {
  Prompt prompt;
  prompt.user = math_prompt(problem.question);
  prompt.gold = problem.answer;
  return prompt;
}

std::string normalize_aime_answer(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  std::string_view digits = text.substr(first, last - first + 1);
  if (digits.empty()) return {};
  for (char c : digits) {
    if (c < '0' || c > '9') return {};
  }
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (digits.size() > 3) return {};
  return std::string(digits);
}

std::vector<Problem> parse_math_jsonl(std::string_view text, std::string_view display_name,
                                      const MathTaskDescriptor& descriptor) {
  const std::vector<JsonlRecord> records = parse_jsonl(text, display_name);
  if (records.empty()) {
    throw DataError(std::string(display_name) + ": no problems in the file (expected " +
                    (descriptor.expected_size ? std::to_string(descriptor.expected_size) : std::string("at least one")) +
                    " JSON lines)");
  }
  std::vector<Problem> problems;
  problems.reserve(records.size());
  std::unordered_map<std::string, std::size_t> first_line_of_id;
  for (std::size_t row = 0; row < records.size(); ++row) {
    const JsonlRecord& record = records[row];
    Problem problem;
    std::string field;

    if (const json* id = find_field(record.value, descriptor.id_fields, &field)) {
      problem.id = string_or_integer(*id, display_name, record.line, field);
      if (problem.id.empty()) throw DataError(field_error_prefix(display_name, record.line, field) + "expected a non-empty id");
    } else {
      // Hub layouts without ids (e.g. some AIME exports) are identified by their row.
      field = descriptor.id_fields.empty() ? "id" : descriptor.id_fields.front();
      problem.id = std::to_string(row);
    }
    const auto [it, inserted] = first_line_of_id.emplace(problem.id, record.line);
    if (!inserted) {
      throw DataError(field_error_prefix(display_name, record.line, field) + "duplicate id '" + problem.id +
                      "' (first seen on line " + std::to_string(it->second) + ")");
    }

    const json* statement = find_field(record.value, descriptor.problem_fields, &field);
    if (!statement) throw DataError(missing_field(display_name, record.line, descriptor.problem_fields));
    if (!statement->is_string()) {
      throw DataError(field_error_prefix(display_name, record.line, field) + "expected a string, found " + statement->type_name());
    }
    problem.question = statement->get<std::string>();
    if (problem.question.empty()) throw DataError(field_error_prefix(display_name, record.line, field) + "expected a non-empty problem");

    const json* answer = find_field(record.value, descriptor.answer_fields, &field);
    if (!answer) throw DataError(missing_field(display_name, record.line, descriptor.answer_fields));
    problem.answer = read_answer(*answer, display_name, record.line, field, descriptor.answer_normalization);

    for (const auto& attribute : descriptor.attributes) {
      const json* value = find_field(record.value, attribute.fields, &field);
      if (!value) throw DataError(missing_field(display_name, record.line, attribute.fields));
      problem.attributes.emplace_back(attribute.name, string_or_integer(*value, display_name, record.line, field));
    }
    problems.push_back(std::move(problem));
  }
  return problems;
}

MathJsonlTask::MathJsonlTask(MathTaskDescriptor descriptor) : descriptor_(std::move(descriptor)) {
  info_.name = descriptor_.name;
  info_.title = descriptor_.title;
  info_.expected_size = descriptor_.expected_size;
  info_.grader = GraderKind::math;
  info_.defaults.samples = descriptor_.samples;
  info_.data = descriptor_.data;
}

std::vector<Problem> MathJsonlTask::load(const DataLocator& locator) const {
  const DataLocator::Resolved resolved = locator.read_for_task(info_.name, info_.data);
  return parse_math_jsonl(resolved.content, resolved.display_name, descriptor_);
}

Prompt MathJsonlTask::prompt(const Problem& problem, std::uint64_t, int) const { return math_problem_prompt(problem); }

}  // namespace r1eval::tasks
