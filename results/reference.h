// Published numbers to compare a run with (results/reference/*.json, compiled into the binary).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r1eval::results {

struct ReferenceValue {
  std::string model;   // e.g. "DeepSeek-R1-Distill-Qwen-7B"
  std::string metric;  // "pass@1", "cons@64", "rating", "percentile"
  std::string task;    // r1eval task name, or a benchmark r1eval does not run (e.g. "livecodebench")
  double value = 0;    // percent for accuracies, Elo for ratings
  std::string source;  // where the number was published
};

struct ReferenceTable {
  std::string name;         // e.g. "r1-paper"
  std::string description;
  std::vector<ReferenceValue> values;
};

// Names of the built-in tables.
std::vector<std::string> reference_table_names();
// Throws std::invalid_argument listing the known names when `name` is unknown.
const ReferenceTable& reference_table(std::string_view name);
// Parses a table from JSON text (the format of results/reference/*.json). Throws std::invalid_argument.
ReferenceTable parse_reference_table(std::string_view json_text);

}  // namespace r1eval::results
