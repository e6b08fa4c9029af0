// String-level clean-up of a LaTeX answer before it is parsed or compared as text.
#pragma once
#include <string>
#include <string_view>

namespace r1eval::graders {

// The answer without presentation: math delimiters ($, \( \), \[ \]), \displaystyle, \left/\right, spacing
// commands and whitespace, text wrappers (\text{..}, \textbf{..}, \mathrm{..}, \mbox{..}) reduced to their
// content, \dfrac/\tfrac spelled \frac, trailing sentence punctuation removed, and a leading "x=" (one
// variable name, only equals sign) dropped; the name dropped is stored in `variable` when given ("" when
// none was). Idempotent.
std::string normalize_answer(std::string_view answer, std::string* variable = nullptr);

// True when `s` ends with a decimal cut off by "..." ("0.333...", "3.14159..."): the dots are part of the
// number, not sentence punctuation.
bool ends_with_cut_decimal(std::string_view s);

// Lower-cases ASCII letters (text answers compare case-insensitively).
std::string ascii_lower(std::string_view s);

}  // namespace r1eval::graders
