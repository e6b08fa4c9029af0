#include "tasks/jsonl.h"

#include "tasks/data_source.h"

namespace r1eval::tasks {

std::vector<JsonlRecord> parse_jsonl(std::string_view text, std::string_view display_name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<JsonlRecord> records;
  std::size_t line = 0;
  while (!text.empty()) {
    ++line;
    const std::size_t end = text.find('\n');
    std::string_view content = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    if (content.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::string where = std::string(display_name) + ":" + std::to_string(line) + ": ";
    nlohmann::json value;
    try {
      value = nlohmann::json::parse(content);
    } catch (const nlohmann::json::parse_error& e) {
      throw DataError(where + "malformed JSON near byte " + std::to_string(e.byte) + " (expected one JSON object per line)");
    } catch (const nlohmann::json::exception& e) {  // out_of_range: a number past double
      throw DataError(where + "malformed JSON (" + e.what() + ")");
    }
    if (!value.is_object()) throw DataError(where + "expected a JSON object, found " + value.type_name());
    records.push_back(JsonlRecord{std::move(value), line});
  }
  return records;
}

std::string field_error_prefix(std::string_view display_name, std::size_t line, std::string_view field) {
  return std::string(display_name) + ":" + std::to_string(line) + ": field '" + std::string(field) + "': ";
}

}  // namespace r1eval::tasks
