// The filters, tests and methods of the Jinja subset: what jinja2 offers (and its sandbox allows) that
// Hugging Face chat templates use, with Python's results (str.split, str.strip, ...).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "engine/tokenizer/jinja/value.h"

namespace r1eval::engine::jinja {

using Arguments = std::vector<Value>;
using Keywords = std::vector<std::pair<std::string, Value>>;

// `input | name(args)`. Throws JinjaError for an unknown filter or arguments it cannot take. Filters that
// call back into the template (map to another filter, select by a test) use apply_filter / apply_test.
Value apply_filter(const std::string& name, const Value& input, Arguments& args, Keywords& keywords);

// `input is name(args)`. Throws JinjaError for an unknown test.
bool apply_test(const std::string& name, const Value& input, const Arguments& args);

// `object.name` for a method of a string, list or dict ("split", "items", "get", ...): a callable bound to
// `object`; nullopt when `object` has no such method.
std::optional<Value> method(const Value& object, const std::string& name);

// Python's `format % args` (args a tuple or one value): %s %r %d %i %f %e %g %x %o %c %% with flags, width
// and precision. Throws JinjaError for too few arguments or an unknown conversion.
std::string percent_format(const std::string& format, const Value& args);

// Python's str.format with "{}", "{0}", "{name}" fields (no format specs) and "{{" / "}}".
std::string brace_format(const std::string& format, const Arguments& args, const Keywords& keywords);

// The items of a value as Python iterates it: list items, dict keys, string characters; nothing for undefined.
// Throws JinjaError ("<what>: 'int' object is not iterable") otherwise.
List iterate(const Value& v, const std::string& what);

// The code points of UTF-8 text, each as its own string.
std::vector<std::string> utf8_characters(const std::string& s);

// Python's str.strip() / lstrip() / rstrip() with no argument: Unicode whitespace.
std::string strip_whitespace(const std::string& s, bool left, bool right);

}  // namespace r1eval::engine::jinja
