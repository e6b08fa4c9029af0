// Python's str.format and format(value, spec) for the Jinja subset (jinja2's sandbox formats through them).
#pragma once
#include <string>

#include "engine/tokenizer/jinja/python_text.h"

namespace r1eval::engine::jinja {

// format(value, spec) with Python's format-spec mini-language: [[fill]align][sign][#][0][width][,|_][.precision][type]
// for ints (b c d o x X n, and the float types), floats (e E f F g G n %, none) and strings (s); bools format as
// ints once a spec is given; an empty spec is str(value). Throws JinjaError for a spec the value's type refuses.
std::string format_value(const Value& value, const std::string& spec);

// str.format: "{}", "{0}", "{name}", attribute and index parts ("{0.role}", "{0[name]}", "{items[1]}"; on a dict
// both read its key, as jinja2's sandboxed formatter does), a conversion (!s !r !a) and a format spec; "{{" / "}}".
// Throws JinjaError for a field it cannot fill (missing argument, nested replacement fields in a spec).
std::string brace_format(const std::string& format, const Arguments& args, const Keywords& keywords);

}  // namespace r1eval::engine::jinja
