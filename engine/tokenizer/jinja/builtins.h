// The filters, tests and methods of the Jinja subset: what jinja2 offers (and its sandbox allows) that
// Hugging Face chat templates use, with Python's results (python_text.h). Filters and tests in filters.cpp
// (those that cut sequences in sequence_filters.cpp),
// methods of strings, dicts and lists in methods.cpp.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/tokenizer/jinja/python_text.h"

namespace r1eval::engine::jinja {

// What a template may build: a string of more bytes or a list of more items is refused (JinjaError), before
// it is built where the size is known in advance.
inline constexpr std::size_t kMaxTextBytes = 64u << 20;
inline constexpr std::size_t kMaxListItems = 1u << 20;

// `input | name(args)`. Throws JinjaError for an unknown filter or arguments it cannot take. Filters that
// call back into the template (map to another filter, select by a test) use apply_filter / apply_test.
Value apply_filter(const std::string& name, const Value& input, Arguments& args, Keywords& keywords);

// batch, slice, truncate (sequence_filters.cpp); nullopt for another name.
std::optional<Value> apply_sequence_filter(const std::string& name, const Value& input, Arguments& args, Keywords& keywords);

// `input is name(args)`. Throws JinjaError for an unknown test.
bool apply_test(const std::string& name, const Value& input, const Arguments& args);

// `object.name` for a method of a string, list or dict ("split", "items", "get", ...): a callable bound to
// `object`; nullopt when `object` has no such method.
std::optional<Value> method(const Value& object, const std::string& name);

// The items of a value as Python iterates it: list items, dict keys, string characters; nothing for undefined.
// Throws JinjaError ("<what>: 'int' object is not iterable") otherwise.
List iterate(const Value& v, const std::string& what);

}  // namespace r1eval::engine::jinja
