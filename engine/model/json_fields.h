// Typed reads of optional JSON fields with one-line errors naming the file and field (config parsing).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace r1eval::engine {

// Reads a file whole; throws std::runtime_error "<path>: cannot read" when it cannot.
std::string read_config_text(const std::string& path);
// Parses JSON text that must be an object; throws "<label>: not a JSON object ..." otherwise.
nlohmann::json parse_config_object(const std::string& text, const std::string& label);

// Each returns nullopt when the field is absent or null, the value when it has the expected type,
// and throws "<label>: field '<field>': expected ..." otherwise.
std::optional<std::int64_t> json_int(const nlohmann::json& obj, const char* field, const std::string& label);
std::optional<double> json_number(const nlohmann::json& obj, const char* field, const std::string& label);
std::optional<bool> json_bool(const nlohmann::json& obj, const char* field, const std::string& label);
std::optional<std::string> json_string(const nlohmann::json& obj, const char* field, const std::string& label);
// An integer or a list of integers (eos_token_id takes both forms); empty when absent.
std::vector<std::int64_t> json_int_or_list(const nlohmann::json& obj, const char* field, const std::string& label);

}  // namespace r1eval::engine
