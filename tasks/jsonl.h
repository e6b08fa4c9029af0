// JSON Lines: one JSON object per line.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1eval::tasks {

struct JsonlRecord {
  nlohmann::json value;  // always an object
  std::size_t line = 0;  // 1-based line in the file
};

// Parses every non-blank line (LF or CRLF endings; a leading UTF-8 BOM is ignored), or a whole-file JSON
// list of objects (its entry k reported as line k). Throws DataError "<display_name>:<line>: ..." on
// malformed JSON, a line that is not an object, or a key given twice in one object; a Parquet file is named
// as one.
std::vector<JsonlRecord> parse_jsonl(std::string_view text, std::string_view display_name);

// An integer as decimal text, also when written as a whole float ("204.0": pandas writes an integer column
// holding a missing value as floats); nullopt for anything else.
std::optional<std::string> whole_number_text(const nlohmann::json& value);

// "<display_name>:<line>: field '<field>': " — the prefix of every per-field error message.
std::string field_error_prefix(std::string_view display_name, std::size_t line, std::string_view field);

}  // namespace r1eval::tasks
