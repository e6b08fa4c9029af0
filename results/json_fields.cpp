#include "results/json_fields.h"

#include <limits>
#include <stdexcept>

namespace r1eval::results::detail {
namespace {

[[noreturn]] void fail_type(const nlohmann::json& v, std::string_view field, std::string_view context,
                            std::string_view expected) {
  throw std::invalid_argument(std::string(context) + ": field '" + std::string(field) + "' must be " +
                              std::string(expected) + ", got " + v.type_name());
}

}  // namespace

void require_object(const nlohmann::json& j, std::string_view what) {
  if (!j.is_object()) {
    throw std::invalid_argument(std::string(what) + ": expected a JSON object, got " + j.type_name());
  }
}

const nlohmann::json* find_field(const nlohmann::json& obj, std::string_view field) {
  const auto it = obj.find(std::string(field));
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

const nlohmann::json& require_field(const nlohmann::json& obj, std::string_view field, std::string_view context) {
  const nlohmann::json* v = find_field(obj, field);
  if (v == nullptr) {
    throw std::invalid_argument(std::string(context) + ": missing field '" + std::string(field) + "'");
  }
  return *v;
}

std::string as_string(const nlohmann::json& v, std::string_view field, std::string_view context) {
  if (!v.is_string()) fail_type(v, field, context, "a string");
  return v.get<std::string>();
}

bool as_bool(const nlohmann::json& v, std::string_view field, std::string_view context) {
  if (!v.is_boolean()) fail_type(v, field, context, "a boolean");
  return v.get<bool>();
}

double as_number(const nlohmann::json& v, std::string_view field, std::string_view context) {
  if (!v.is_number()) fail_type(v, field, context, "a number");
  return v.get<double>();
}

std::int64_t as_int64(const nlohmann::json& v, std::string_view field, std::string_view context) {
  if (v.is_number_unsigned()) {
    if (v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail_type(v, field, context, "an integer that fits in 64 signed bits");
    }
    return static_cast<std::int64_t>(v.get<std::uint64_t>());
  }
  if (!v.is_number_integer()) fail_type(v, field, context, "an integer");
  return v.get<std::int64_t>();
}

int as_int(const nlohmann::json& v, std::string_view field, std::string_view context) {
  const std::int64_t x = as_int64(v, field, context);
  if (x < std::numeric_limits<int>::min() || x > std::numeric_limits<int>::max()) {
    fail_type(v, field, context, "an integer that fits in 32 bits");
  }
  return static_cast<int>(x);
}

std::uint64_t as_uint64(const nlohmann::json& v, std::string_view field, std::string_view context) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  // Values built in code (rather than parsed) hold small non-negative numbers as signed.
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  fail_type(v, field, context, "a non-negative integer");
}

std::string dump_line(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string string_field(const nlohmann::json& obj, std::string_view field, std::string_view context) {
  return as_string(require_field(obj, field, context), field, context);
}

bool bool_field(const nlohmann::json& obj, std::string_view field, std::string_view context) {
  return as_bool(require_field(obj, field, context), field, context);
}

double number_field(const nlohmann::json& obj, std::string_view field, std::string_view context) {
  return as_number(require_field(obj, field, context), field, context);
}

int int_field(const nlohmann::json& obj, std::string_view field, std::string_view context) {
  return as_int(require_field(obj, field, context), field, context);
}

std::uint64_t uint64_field(const nlohmann::json& obj, std::string_view field, std::string_view context) {
  return as_uint64(require_field(obj, field, context), field, context);
}

}  // namespace r1eval::results::detail
