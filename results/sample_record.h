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

nlohmann::json to_json(const SampleRecord& record);
// Throws std::invalid_argument naming the missing or mistyped field.
SampleRecord record_from_json(const nlohmann::json& j);

}  // namespace r1eval::results
