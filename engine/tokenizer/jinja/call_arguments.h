// The arguments of a filter or method call as jinja2 passes them: positional, then by keyword.
#pragma once
#include <cstdint>
#include <string>

#include "engine/tokenizer/jinja/python_text.h"

namespace r1eval::engine::jinja {

inline const Value* keyword(const Keywords& keywords, const std::string& name) {
  for (const auto& [k, v] : keywords)
    if (k == name) return &v;
  return nullptr;
}

// The argument at `index`, or the keyword `name`, or nullptr.
inline const Value* argument(const Arguments& args, const Keywords& keywords, std::size_t index, const std::string& name) {
  if (index < args.size()) return &args[index];
  return keyword(keywords, name);
}

// An integer argument (`fallback` when absent or None); throws JinjaError naming `what` otherwise.
inline std::int64_t int_argument(const Value* v, std::int64_t fallback, const std::string& what) {
  if (!v || v->is_none()) return fallback;
  if (!v->is_int() && !v->is_bool()) throw JinjaError(what + ": expected an integer, got " + v->type_name());
  return v->as_int();
}

inline std::string string_argument(const Value* v, const std::string& what) {
  if (!v || !v->is_string()) throw JinjaError(what + ": expected a string argument");
  return v->as_string();
}

}  // namespace r1eval::engine::jinja
