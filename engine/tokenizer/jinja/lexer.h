// Splitting a Jinja template into text, {{ output }} and {% statement %} pieces, with the whitespace
// rules transformers renders chat templates with (trim_blocks, lstrip_blocks, and the "-" / "+" markers);
// comments are dropped and {% raw %} blocks become text. Tags are split into expression tokens.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace r1eval::engine::jinja {

enum class TokenKind { kName, kString, kInteger, kFloat, kOperator };

struct Token {
  TokenKind kind;
  std::string text;  // a string literal's value with its escapes resolved
};

struct Piece {
  enum class Kind { kText, kOutput, kStatement };
  Kind kind;
  std::string text;           // kText
  std::vector<Token> tokens;  // kOutput, kStatement
  int line = 1;               // where the piece starts in the template
};

// Throws JinjaError ("line N: ...") for an unclosed tag, comment or string, or a character no token starts with.
std::vector<Piece> split_template(std::string_view source);

}  // namespace r1eval::engine::jinja
