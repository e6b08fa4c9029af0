// Tokens of a LaTeX answer. Presentation (math delimiters, \left/\right, spacing, \displaystyle) is dropped
// here, text wrappers become words or are read as math when they hold math.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "graders/math/budget.h"

namespace r1eval::graders::math {

enum class TokenKind {
  kNumber,    // text: digits with at most one '.', thousands separators removed; repeat: \overline digits;
              // exponent: scientific "e" exponent (0 when none)
  kLetter,    // text: one ASCII letter
  kWord,      // text: a word or words (from \text{..} or a bare run of 4+ letters), trimmed
  kCommand,   // text: command name without backslash ("frac", "pi", "le"); bare function names too
  kSymbol,    // text: one character of + - * / ^ _ ( ) [ ] { } , ; = < > | ! & % ' :
  kSetOpen,   // \{
  kSetClose,  // \}
  kRowEnd,    // "\\" inside matrices
  kBegin,     // \begin{env}: text = env
  kEnd,       // \end{env}: text = env
  kEndOfInput,
};

struct Token {
  TokenKind kind = TokenKind::kEndOfInput;
  std::string text;
  std::string repeat;
  long exponent = 0;
  bool space_before = false;  // whitespace separated it from the previous token
};

// The tokens of `answer`, ending with kEndOfInput. Spends one budget unit per character read.
std::vector<Token> tokenize(std::string_view answer, WorkBudget& budget);

}  // namespace r1eval::graders::math
