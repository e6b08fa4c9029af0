// Typed access to members of JSON objects read from files, for the parsers of this module.
// Every failure is a std::invalid_argument whose one-line message names `context` and the field.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace r1eval::results::detail {

// Throws unless `j` is an object; `what` names it ("sample record", "reference table ...").
void require_object(const nlohmann::json& j, std::string_view what);

// The member `field` of `obj`, or nullptr when absent. A JSON null counts as absent.
const nlohmann::json* find_field(const nlohmann::json& obj, std::string_view field);
// The member `field` of `obj`; throws naming context and field when it is absent or null.
const nlohmann::json& require_field(const nlohmann::json& obj, std::string_view field, std::string_view context);

// Converters: throw naming context and field when `v` has another type or does not fit.
std::string as_string(const nlohmann::json& v, std::string_view field, std::string_view context);
bool as_bool(const nlohmann::json& v, std::string_view field, std::string_view context);
double as_number(const nlohmann::json& v, std::string_view field, std::string_view context);
std::int64_t as_int64(const nlohmann::json& v, std::string_view field, std::string_view context);
int as_int(const nlohmann::json& v, std::string_view field, std::string_view context);
std::uint64_t as_uint64(const nlohmann::json& v, std::string_view field, std::string_view context);

// Required members read and converted in one call: require_field then the converter of the same name.
std::string string_field(const nlohmann::json& obj, std::string_view field, std::string_view context);
bool bool_field(const nlohmann::json& obj, std::string_view field, std::string_view context);
double number_field(const nlohmann::json& obj, std::string_view field, std::string_view context);
int int_field(const nlohmann::json& obj, std::string_view field, std::string_view context);
std::uint64_t uint64_field(const nlohmann::json& obj, std::string_view field, std::string_view context);

// `j` as text on one line; bytes that are not UTF-8 (a model can stop mid-character) become U+FFFD
// instead of failing the whole record.
std::string dump_line(const nlohmann::json& j);

}  // namespace r1eval::results::detail
