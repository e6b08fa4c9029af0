// Math benchmarks stored as JSON Lines (AIME, MATH-500, ...): one generic task configured by a
// descriptor, so a new benchmark of a known shape is a descriptor, not a class.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tasks/task.h"

namespace r1eval::tasks {

enum class AnswerNormalization {
  none,          // the answer string as stored
  aime_integer,  // an integer 0..999, stored as a string ("025") or a JSON integer; gold is "25"
};

// A breakdown key (e.g. "level") read from the first present of `fields`.
struct AttributeField {
  std::string name;
  std::vector<std::string> fields;
};

struct MathTaskDescriptor {
  std::string name;               // CLI name, e.g. "aime24"
  std::string title;              // e.g. "AIME 2024"
  std::size_t expected_size = 0;  // problems in the canonical release (0 = unknown)
  int samples = 1;                // default k
  // Field aliases, first present wins; they cover every accepted layout (local and hub).
  std::vector<std::string> id_fields;  // a string or an integer; none present: the 0-based row index
  std::vector<std::string> problem_fields;
  std::vector<std::string> answer_fields;
  AnswerNormalization answer_normalization = AnswerNormalization::none;
  std::vector<AttributeField> attributes;  // required: a row without one is an error
  DataSpec data;
};

// The protocol's math prompt: the problem, a newline, then the step-by-step/\boxed{} instruction.
std::string math_prompt(std::string_view problem);
// The prompt of a math problem under that protocol, its answer as the gold (every math task's prompt()).
Prompt math_problem_prompt(const Problem& problem);

// The canonical form of an AIME answer ("025" -> "25", "000" -> "0"); an empty string when
// `text` is not an integer from 0 to 999 (surrounding whitespace allowed).
std::string normalize_aime_answer(std::string_view text);

// Parses a whole JSONL document per the descriptor. Throws DataError "<file>:<line>: field '<f>':
// ..." for a missing or mistyped field, an invalid answer or a duplicate id, and "<file>: ..." when
// the document holds no problem.
std::vector<Problem> parse_math_jsonl(std::string_view text, std::string_view display_name,
                                      const MathTaskDescriptor& descriptor);

class MathJsonlTask final : public Task {
 public:
  explicit MathJsonlTask(MathTaskDescriptor descriptor);
  const TaskInfo& info() const override { return info_; }
  // Locates the data (see DataLocator::read) and parses it; errors name the task and file.
  std::vector<Problem> load(const DataLocator& locator) const override;
  // Math prompts do not depend on the seed or sample: every sample sees the same user turn.
  Prompt prompt(const Problem& problem, std::uint64_t run_seed, int sample_index) const override;
  const MathTaskDescriptor& descriptor() const { return descriptor_; }

 private:
  MathTaskDescriptor descriptor_;
  TaskInfo info_;
};

}  // namespace r1eval::tasks
