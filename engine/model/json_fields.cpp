#include "engine/model/json_fields.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace r1eval::engine {
namespace {

[[noreturn]] void wrong_type(const std::string& label, const char* field, const char* expected) {
  throw std::runtime_error(label + ": field '" + field + "': expected " + expected);
}

}  // namespace

std::string read_config_text(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw std::runtime_error(path + ": expected a regular file, not " +
                             (std::filesystem::is_directory(status) ? "a directory" : "a special file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json parse_config_object(const std::string& text, const std::string& label) {
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    throw std::runtime_error(label + ": not valid JSON: " + what);
  }
  if (!value.is_object()) throw std::runtime_error(label + ": not a JSON object");
  return value;
}

std::optional<std::int64_t> json_int(const nlohmann::json& obj, const char* field, const std::string& label) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) wrong_type(label, field, "an integer");
  return it->get<std::int64_t>();
}

std::optional<double> json_number(const nlohmann::json& obj, const char* field, const std::string& label) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number()) wrong_type(label, field, "a number");
  return it->get<double>();
}

std::optional<bool> json_bool(const nlohmann::json& obj, const char* field, const std::string& label) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) wrong_type(label, field, "true or false");
  return it->get<bool>();
}

std::optional<std::string> json_string(const nlohmann::json& obj, const char* field, const std::string& label) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) wrong_type(label, field, "a string");
  return it->get<std::string>();
}

std::vector<std::int64_t> json_int_or_list(const nlohmann::json& obj, const char* field, const std::string& label) {
  const auto it = obj.find(field);
  if (it == obj.end() || it->is_null()) return {};
  if (it->is_number_integer()) return {it->get<std::int64_t>()};
  if (!it->is_array()) wrong_type(label, field, "an integer or a list of integers");
  std::vector<std::int64_t> values;
  for (const auto& v : *it) {
    if (!v.is_number_integer()) wrong_type(label, field, "an integer or a list of integers");
    values.push_back(v.get<std::int64_t>());
  }
  return values;
}

}  // namespace r1eval::engine
