// Parsing the pieces of a Jinja template (lexer.h) into statements (ast.h): if / elif / else, for (with
// a filter condition, else, recursive), set (names, namespace attributes, blocks with filters), macro, call
// blocks, filter blocks, with, break / continue, {% generation %}, and the expression grammar of Jinja
// with its operator precedence.
#pragma once
#include <string_view>

#include "engine/tokenizer/jinja/ast.h"

namespace r1eval::engine::jinja {

// Throws JinjaError ("line N: ...") for what the subset does not have (include, extends, import, block,
// parenthesised targets, ...) or a malformed tag.
Body parse_template(std::string_view source);

}  // namespace r1eval::engine::jinja
