#include "results/reference.h"

#include <map>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

#include "results/json_fields.h"

namespace r1eval::results {

// Defined by the source that cmake/EmbedFiles.cmake generates from results/reference/*.json.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_reference_files();

namespace {

const std::map<std::string, ReferenceTable, std::less<>>& builtin_tables() {
  static const auto tables = [] {
    std::map<std::string, ReferenceTable, std::less<>> out;
    for (const auto& [stem, text] : embedded_reference_files()) {
      try {
        out.emplace(std::string(stem), parse_reference_table(text));
      } catch (const std::exception& e) {
        throw std::invalid_argument("results/reference/" + std::string(stem) + ".json: " + e.what());
      }
    }
    return out;
  }();
  return tables;
}

}  // namespace

std::vector<std::string> reference_table_names() {
  std::vector<std::string> names;
  for (const auto& [name, table] : builtin_tables()) names.push_back(name);
  return names;
}

const ReferenceTable& reference_table(std::string_view name) {
  const auto& tables = builtin_tables();
  const auto it = tables.find(name);
  if (it == tables.end()) {
    std::string known;
    for (const auto& [n, t] : tables) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown reference table '" + std::string(name) + "' (known: " + known + ")");
  }
  return it->second;
}

ReferenceTable parse_reference_table(std::string_view json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {  // also out_of_range: a number past double
    throw std::invalid_argument(std::string("reference table: ") + e.what());
  }
  detail::require_object(j, "reference table");
  ReferenceTable table;
  table.name = detail::string_field(j, "name", "reference table");
  const std::string context = "reference table '" + table.name + "'";
  table.description =
      detail::string_field(j, "description", context);
  const nlohmann::json& values = detail::require_field(j, "values", context);
  if (!values.is_array()) {
    throw std::invalid_argument(context + ": field 'values' must be an array, got " + values.type_name());
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string where = context + " values[" + std::to_string(i) + "]";
    const nlohmann::json& v = values[i];
    detail::require_object(v, where);
    ReferenceValue r;
    r.model = detail::string_field(v, "model", where);
    r.task = detail::string_field(v, "task", where);
    r.metric = detail::string_field(v, "metric", where);
    r.value = detail::number_field(v, "value", where);
    r.source = detail::string_field(v, "source", where);
    table.values.push_back(std::move(r));
  }
  return table;
}

}  // namespace r1eval::results
