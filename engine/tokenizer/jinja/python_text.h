// Python's string semantics where chat templates depend on them: Unicode whitespace, str.strip / split /
// splitlines / replace, full Unicode case mapping (lower, upper, title, capitalize), "%" formatting (str.format:
// str_format.h), float(). All on UTF-8 text.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unicode/umachine.h>

#include "engine/tokenizer/jinja/value.h"

namespace r1eval::engine::jinja {

using Arguments = std::vector<Value>;
using Keywords = std::vector<std::pair<std::string, Value>>;

// Characters (code points) of UTF-8 text, as len() counts them.
std::size_t code_points(const std::string& s);
// The code points of UTF-8 text, each as its own string.
std::vector<std::string> utf8_characters(const std::string& s);
std::vector<UChar32> code_point_list(const std::string& s);
std::string utf8_of(UChar32 c);

// str.strip() / lstrip() / rstrip(): with no argument Unicode whitespace; with `chars`, any of those characters.
std::string strip_whitespace(const std::string& s, bool left, bool right);
std::string strip_chars(const std::string& s, const std::string& chars, bool left, bool right);
// str.split() / rsplit() with no separator (runs of whitespace) or with one; max_split < 0: no limit.
std::vector<std::string> split_whitespace(const std::string& s, std::int64_t max_split, bool from_right);
std::vector<std::string> split_on(const std::string& s, const std::string& sep, std::int64_t max_split, bool from_right);
// str.splitlines(keepends): the lines, without their breaks unless keep_ends (\n, \r\n, \r, \v, \f,
// \x1c-\x1e, U+0085, U+2028, U+2029).
std::vector<std::string> split_lines(std::string_view s, bool keep_ends = false);
// str.center / ljust / rjust (align '^', '<', '>'): padded with `fill` (one character) to `width` code points.
std::string pad_to_width(const std::string& s, std::size_t width, const std::string& fill, char align);
// str.expandtabs(tab_size): tabs to the next multiple of tab_size columns (a line break restarts the count).
std::string expand_tabs(const std::string& s, std::int64_t tab_size);
// str.istitle(): cased characters, uppercase ones only after uncased ones and lowercase only after cased ones.
bool is_title_cased(const std::string& s);
// str.replace(from, to, count); count < 0: every occurrence.
std::string replace_all(const std::string& s, const std::string& from, const std::string& to, std::int64_t count);

// str.lower() / upper() / title() / capitalize() / islower() (`lower`) or isupper(), with Unicode's full mappings.
std::string lower_case(const std::string& s);
std::string upper_case(const std::string& s);
std::string title_case(const std::string& s);
std::string capitalize(const std::string& s);
bool is_one_case(const std::string& s, bool lower);
// str.isalpha() and the like: `test` holds for every code point of a non-empty string.
bool all_code_points(const std::string& s, bool (*test)(UChar32));

// float(text): the number `text` spells as a whole, nullopt when it has anything else.
std::optional<double> whole_float(const std::string& text);

// `format % args` (args a tuple or one value): %s %r %d %i %f %e %g %x %o %c %% with flags, width and
// precision. Throws JinjaError for too few arguments or an unknown conversion.
std::string percent_format(const std::string& format, const Value& args);

}  // namespace r1eval::engine::jinja
