// Parsers of the three Codeforces data layouts r1eval reads. Each returns problems whose `code`
// holds the tests and limits; `answer` stays empty (the judge uses the CodeSpec).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "tasks/task.h"

namespace r1eval::tasks {

// Limits used when the data states none (the most common Codeforces limits).
inline constexpr int kDefaultTimeLimitMs = 2000;
inline constexpr int kDefaultMemoryLimitMb = 256;

// The DeepCoder test set: `problems_json` is a JSON list of {"problem": statement, "tests": list
// or a JSON string holding a list of {"input", "output", optional "testtype"}}; `ids_json` is a
// JSON list of Codeforces ids ("1971A", ...) in the same order. Limits, tags and interactivity
// come from the statement text (testtype "interactive" also marks a problem interactive).
// Throws DataError "<file>: problem <i>: field '<f>': ..." on malformed entries, a length mismatch
// or a duplicate id.
std::vector<Problem> parse_deepcoder_codeforces(std::string_view problems_json, std::string_view problems_name,
                                                std::string_view ids_json, std::string_view ids_name);

// The CodeContests set: a JSON list of {"problem": statement, "tests": {"inputs": [...],
// "outputs": [...]}}; ids are "cc-<0-based index>". Limits and interactivity from the statement.
// Throws DataError as above.
std::vector<Problem> parse_code_contests(std::string_view json_text, std::string_view display_name);

// A JSONL export of the open-r1/codeforces hub dataset (fields listed in tasks/README.md). The
// question is assembled from the statement fields; tests are official_tests, else examples.
// Throws DataError "<file>:<line>: field '<f>': ..." on a missing or mistyped field.
std::vector<Problem> parse_open_r1_codeforces(std::string_view jsonl_text, std::string_view display_name);

// The question text built from open-r1 statement fields (the layout is documented in tasks/README.md).
struct OpenR1Statement {
  std::string title, description, input_format, output_format, interaction_format, note;
  std::vector<CodeTest> examples;
  int time_limit_ms = kDefaultTimeLimitMs;
  int memory_limit_mb = kDefaultMemoryLimitMb;
};
std::string open_r1_question(const OpenR1Statement& statement);

}  // namespace r1eval::tasks
