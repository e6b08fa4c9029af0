// Text made safe to place inside HTML or inline SVG, as element content or as a quoted attribute value.
#pragma once
#include <string>
#include <string_view>

namespace r1eval::results {

// Replaces & < > " ' with character references and control bytes other than tab, newline and carriage
// return with spaces (they are not allowed in HTML text); every other byte passes through unchanged, so
// UTF-8 text stays UTF-8.
std::string html_escape(std::string_view text);

// Fixed-point text of `value` with `decimals` digits after the point, never "-0" (a rounded tiny negative
// prints as 0). The decimal point is '.' under the default "C" locale, which the project never changes.
std::string fixed_number(double value, int decimals);

}  // namespace r1eval::results
