// Multiple-choice benchmarks stored as CSV with one correct and several incorrect answer columns
// (GPQA), prompted with the simple-evals template and shuffled per sample.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "tasks/task.h"

namespace r1eval::tasks {

struct ChoiceTaskDescriptor {
  std::string name;               // CLI name, e.g. "gpqa_diamond"
  std::string title;              // e.g. "GPQA Diamond"
  std::size_t expected_size = 0;  // problems in the canonical release (0 = unknown)
  int samples = 1;                // default k
  std::string id_column;          // e.g. "Record ID"
  std::string question_column;    // e.g. "Question"
  std::string correct_column;     // e.g. "Correct Answer"
  std::vector<std::string> incorrect_columns;  // exactly 3: the template has four letters
  std::vector<std::pair<std::string, std::string>> attribute_columns;  // (attribute, column)
  DataSpec data;
};

// The simple-evals QUERY_TEMPLATE_MULTICHOICE filled in: the instruction line, a blank line, the
// question, a blank line, then "A) ..." to "D) ..." on their own lines. Values are inserted as they
// are (no trimming), as simple-evals does.
std::string multichoice_prompt(std::string_view question, std::string_view a, std::string_view b,
                               std::string_view c, std::string_view d);

// Parses a whole CSV document per the descriptor. Throws DataError "<file>: missing column '<c>'"
// for a missing column and "<file>:<line>: field '<c>': ..." for an empty value or duplicate id.
std::vector<Problem> parse_choice_csv(std::string_view text, std::string_view display_name,
                                      const ChoiceTaskDescriptor& descriptor);

class ChoiceCsvTask final : public Task {
 public:
  // Throws std::invalid_argument unless the descriptor has exactly 3 incorrect columns.
  explicit ChoiceCsvTask(ChoiceTaskDescriptor descriptor);
  const TaskInfo& info() const override { return info_; }
  std::vector<Problem> load(const DataLocator& locator) const override;
  // Options [answer, distractors...] shown in the order choice_permutation(4, run_seed, id,
  // sample_index) gives (see choice_shuffle.h); gold is the letter where the answer landed.
  Prompt prompt(const Problem& problem, std::uint64_t run_seed, int sample_index) const override;
  const ChoiceTaskDescriptor& descriptor() const { return descriptor_; }

 private:
  ChoiceTaskDescriptor descriptor_;
  TaskInfo info_;
};

}  // namespace r1eval::tasks
