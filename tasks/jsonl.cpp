#include "tasks/jsonl.h"

#include <cmath>

#include "tasks/data_source.h"
#include "tasks/strict_json.h"

namespace r1eval::tasks {

namespace {

// A JSON list of objects ("[{...}, {...}]", as pandas' to_json(orient="records") writes): entry k is "line" k.
std::vector<JsonlRecord> parse_json_list(std::string_view text, std::string_view display_name) {
  nlohmann::json list;
  try {
    list = parse_strict_json(text);
  } catch (const StrictJsonError& e) {
    throw DataError(std::string(display_name) + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    throw DataError(std::string(display_name) + ": malformed JSON list (" + what.substr(0, what.find('\n')) + ")");
  }
  if (!list.is_array()) throw DataError(std::string(display_name) + ": expected a JSON list of objects or JSON lines");
  std::vector<JsonlRecord> records;
  for (std::size_t k = 0; k < list.size(); ++k) {
    if (!list[k].is_object())
      throw DataError(std::string(display_name) + ": entry " + std::to_string(k + 1) + ": expected a JSON object, found " +
                      list[k].type_name());
    records.push_back(JsonlRecord{std::move(list[k]), k + 1});
  }
  return records;
}

}  // namespace

std::vector<JsonlRecord> parse_jsonl(std::string_view text, std::string_view display_name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (text.substr(0, 4) == "PAR1")
    throw DataError(std::string(display_name) + ": a Parquet file; r1eval reads JSON lines (convert it, e.g. with "
                    "pandas: pd.read_parquet(f).to_json(out, orient='records', lines=True, force_ascii=False))");
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '[') return parse_json_list(text, display_name);
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
      value = parse_strict_json(content);
    } catch (const StrictJsonError& e) {
      throw DataError(where + e.what());
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

std::optional<std::string> whole_number_text(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.dump();
  if (!value.is_number_float()) return std::nullopt;
  const double x = value.get<double>();
  if (!std::isfinite(x) || x != std::floor(x) || std::fabs(x) >= 1e15) return std::nullopt;
  return std::to_string(static_cast<long long>(x));
}

std::string field_error_prefix(std::string_view display_name, std::size_t line, std::string_view field) {
  return std::string(display_name) + ":" + std::to_string(line) + ": field '" + std::string(field) + "': ";
}

}  // namespace r1eval::tasks
