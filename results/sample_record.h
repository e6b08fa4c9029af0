// One graded sample: the unit of the append-only store samples.jsonl.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1eval::results {

struct SampleRecord {
  std::string task;
  std::string problem_id;
  int sample_index = 0;
  std::uint64_t seed = 0;
  std::string prompt;
  std::string response;
  std::string finish_reason;         // "stop", "length", "replay", ...
  std::int64_t prompt_tokens = -1;   // -1 = unknown
  std::int64_t completion_tokens = -1;
  std::string gold;                  // what the grader compared against
  std::optional<std::string> extracted;
  bool correct = false;
  std::string reason;
  double generate_seconds = 0;       // 0 when not generated here (replay)
  double grade_micros = 0;
  std::vector<int> choice_order;     // choice tasks: the permutation shown
  std::vector<std::pair<std::string, std::string>> attributes;  // breakdown keys (subject, level, domain)
};

// Every field under its own name; `extracted` is null when absent; `attributes` is an array of
// [name, value] pairs so their order survives.
nlohmann::json to_json(const SampleRecord& record);
// Inverse of to_json. Required: task, problem_id, sample_index (>= 0), seed, response, correct; the other
// fields take the defaults above when absent or null. Unknown fields are ignored; `attributes` may also be
// a {name: value} object. Throws std::invalid_argument (one line) naming the missing or mistyped field.
SampleRecord record_from_json(const nlohmann::json& j);

}  // namespace r1eval::results
