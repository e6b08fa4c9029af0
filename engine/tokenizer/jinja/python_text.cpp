#include "engine/tokenizer/jinja/python_text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "engine/tokenizer/jinja/builtins.h"

#include "engine/tokenizer/utf8.h"

namespace r1eval::engine::jinja {
namespace {

[[noreturn]] void fail(const std::string& what) { throw JinjaError(what); }

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

constexpr std::array<std::string_view, 13> kUnicodeSpaces = {
    "\xc2\x85", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80",
    "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83", "\xe2\x80\x84"};


// The length of the whitespace character at the start (or, with `at_end`, the end) of `s`, 0 when none.
std::size_t space_length(std::string_view s, bool at_end) {
  if (s.empty()) return 0;
  const char c = at_end ? s.back() : s.front();
  if (c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f')) return 1;
  const auto matches = [&](std::string_view w) {
    return s.size() >= w.size() && (at_end ? s.substr(s.size() - w.size()) == w : s.substr(0, w.size()) == w);
  };
  for (std::string_view w : kUnicodeSpaces)
    if (matches(w)) return w.size();
  for (const char* w : {"\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a"})
    if (matches(w)) return std::string_view(w).size();
  return 0;
}


// The length of the line break Python's str.splitlines() sees at s[i] (\n, \r\n, \r, \v, \f, \x1c-\x1e,
// U+0085, U+2028, U+2029), 0 when none.
std::size_t line_break_length(std::string_view s, std::size_t i) {
  const char c = s[i];
  if (c == '\r') return i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1;
  if (c == '\n' || c == '\v' || c == '\f' || (c >= '\x1c' && c <= '\x1e')) return 1;
  if (s.substr(i, 2) == "\xc2\x85") return 2;
  if (s.substr(i, 3) == "\xe2\x80\xa8" || s.substr(i, 3) == "\xe2\x80\xa9") return 3;
  return 0;
}

}  // namespace


std::size_t code_points(const std::string& s) { return utf8::code_points(s); }


// str.strip(chars): removes any of the characters of `chars` from the chosen ends.
std::string strip_chars(const std::string& s, const std::string& chars, bool left, bool right) {
  const std::vector<std::string> set = utf8_characters(chars);
  std::string_view v = s;
  const auto cut = [&](bool at_end) {
    for (const std::string& c : set) {
      if (v.size() >= c.size() && (at_end ? v.substr(v.size() - c.size()) == c : v.substr(0, c.size()) == c)) {
        if (at_end) v.remove_suffix(c.size());
        else v.remove_prefix(c.size());
        return true;
      }
    }
    return false;
  };
  while (left && cut(false)) {
  }
  while (right && cut(true)) {
  }
  return std::string(v);
}


std::vector<std::string> split_whitespace(const std::string& s, std::int64_t max_split, bool from_right) {
  std::vector<std::string> words;
  std::string_view rest = s;
  if (!from_right) {
    while (!rest.empty()) {
      while (std::size_t n = space_length(rest, false)) rest.remove_prefix(n);
      if (rest.empty()) break;
      if (max_split >= 0 && static_cast<std::int64_t>(words.size()) == max_split) {
        words.emplace_back(strip_whitespace(std::string(rest), false, true));
        break;
      }
      std::size_t k = 0;
      while (k < rest.size() && space_length(rest.substr(k), false) == 0) ++k;
      words.emplace_back(rest.substr(0, k));
      rest.remove_prefix(k);
    }
    return words;
  }
  while (!rest.empty()) {
    while (std::size_t n = space_length(rest, true)) rest.remove_suffix(n);
    if (rest.empty()) break;
    if (max_split >= 0 && static_cast<std::int64_t>(words.size()) == max_split) {
      words.emplace_back(strip_whitespace(std::string(rest), true, false));
      break;
    }
    std::size_t k = rest.size();
    while (k > 0 && space_length(rest.substr(0, k), true) == 0) --k;
    words.emplace_back(rest.substr(k));
    rest.remove_suffix(rest.size() - k);
  }
  std::reverse(words.begin(), words.end());
  return words;
}


std::vector<std::string> split_on(const std::string& s, const std::string& sep, std::int64_t max_split, bool from_right) {
  if (sep.empty()) fail("split: empty separator");
  std::vector<std::string> parts;
  if (!from_right) {
    std::size_t start = 0, at;
    while ((max_split < 0 || static_cast<std::int64_t>(parts.size()) < max_split) && (at = s.find(sep, start)) != std::string::npos) {
      parts.push_back(s.substr(start, at - start));
      start = at + sep.size();
    }
    parts.push_back(s.substr(start));
    return parts;
  }
  std::size_t end = s.size();
  while (max_split < 0 || static_cast<std::int64_t>(parts.size()) < max_split) {
    if (end < sep.size()) break;
    const std::size_t at = s.rfind(sep, end - sep.size());
    if (at == std::string::npos) break;
    parts.push_back(s.substr(at + sep.size(), end - at - sep.size()));
    end = at;
  }
  parts.push_back(s.substr(0, end));
  std::reverse(parts.begin(), parts.end());
  return parts;
}


// Python's str.lower() / str.upper(): full Unicode case mapping ("straße".upper() is "STRASSE").
std::string lower_case(const std::string& s) {
  std::string out;
  icu::UnicodeString::fromUTF8(s).toLower(icu::Locale::getRoot()).toUTF8String(out);
  return out;
}


std::string upper_case(const std::string& s) {
  std::string out;
  icu::UnicodeString::fromUTF8(s).toUpper(icu::Locale::getRoot()).toUTF8String(out);
  return out;
}


// Code points of UTF-8 text.
std::vector<UChar32> code_point_list(const std::string& s) {
  std::vector<UChar32> out;
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) out.push_back(u.char32At(i));
  return out;
}


std::string utf8_of(UChar32 c) {
  std::string out;
  icu::UnicodeString(c).toUTF8String(out);
  return out;
}


// Python's str.title(): a character after an uncased one is title-cased, after a cased one lower-cased
// ("it's" -> "It'S").
std::string title_case(const std::string& s) {
  std::string out;
  bool after_cased = false;
  for (const UChar32 c : code_point_list(s)) {
    out += after_cased ? lower_case(utf8_of(c)) : utf8_of(u_totitle(c));
    after_cased = u_isupper(c) || u_islower(c) || u_istitle(c);
  }
  return out;
}


// Python's str.islower() / isupper(): at least one cased character, none of the other case.
bool is_one_case(const std::string& s, bool lower) {
  bool cased = false;
  for (const UChar32 c : code_point_list(s)) {
    if (lower ? (u_isupper(c) || u_istitle(c)) : (u_islower(c) || u_istitle(c))) return false;
    cased = cased || u_isupper(c) || u_islower(c) || u_istitle(c);
  }
  return cased;
}


// Python's str.capitalize(): the first character in title case, the rest lower case.
std::string capitalize(const std::string& s) {
  const std::vector<UChar32> chars = code_point_list(s);
  if (chars.empty()) return s;
  std::string rest;
  for (std::size_t i = 1; i < chars.size(); ++i) rest += utf8_of(chars[i]);
  return utf8_of(u_totitle(chars[0])) + lower_case(rest);
}


// str.isalpha() and the like over every code point (false for the empty string).
bool all_code_points(const std::string& s, bool (*test)(UChar32)) {
  const std::vector<UChar32> chars = code_point_list(s);
  return !chars.empty() && std::all_of(chars.begin(), chars.end(), test);
}


std::string replace_all(const std::string& s, const std::string& from, const std::string& to, std::int64_t count) {
  if (from.empty()) {  // Python puts `to` before every character and at the end
    std::string out;
    std::int64_t done = 0;
    for (const std::string& c : utf8_characters(s)) {
      if (count < 0 || done < count) out += to, ++done;
      out += c;
    }
    if (count < 0 || done < count) out += to;
    return out;
  }
  std::string out;
  std::size_t start = 0, at;
  std::int64_t done = 0;
  while ((count < 0 || done < count) && (at = s.find(from, start)) != std::string::npos) {
    out.append(s, start, at - start);
    out += to;
    start = at + from.size();
    ++done;
  }
  return out + s.substr(start);
}


// Python's str.splitlines(keepends): a final break makes no empty last line.
std::vector<std::string> split_lines(std::string_view s, bool keep_ends) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (const std::size_t n = line_break_length(s, i)) {
      lines.emplace_back(s.substr(start, i - start + (keep_ends ? n : 0)));
      i += n;
      start = i;
    } else {
      ++i;
    }
  }
  if (start < s.size()) lines.emplace_back(s.substr(start));
  return lines;
}


// The number `text` spells as a whole (Python's float()), nullopt when it has anything else.
std::optional<double> whole_float(const std::string& text) {
  if (text.empty()) return std::nullopt;
  if (text.find_first_of("xXpP") != std::string::npos) return std::nullopt;  // strtod's hex floats; Python has none
  try {
    std::size_t used = 0;
    const double d = std::stod(text, &used);
    if (used == text.size()) return d;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}


std::string percent_format(const std::string& format, const Value& args) {
  const List values = args.is_tuple() ? args.as_list() : List{args};  // a list is one argument, as in Python
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    std::size_t k = i + 1;
    // "%(name)s": the value under that key of a mapping argument.
    const Value* named = nullptr;
    if (k < format.size() && format[k] == '(') {
      const std::size_t close = format.find(')', k);
      if (close == std::string::npos) fail("incomplete format key");
      if (!args.is_dict()) fail("format requires a mapping");
      named = args.find(format.substr(k + 1, close - k - 1));
      if (!named) fail("KeyError: '" + format.substr(k + 1, close - k - 1) + "'");
      k = close + 1;
    }
    std::string spec = "%";
    while (k < format.size() && std::string_view("-+ #0").find(format[k]) != std::string_view::npos) spec += format[k++];
    while (k < format.size() && std::isdigit(static_cast<unsigned char>(format[k]))) spec += format[k++];
    if (k < format.size() && format[k] == '.') {
      spec += format[k++];
      while (k < format.size() && std::isdigit(static_cast<unsigned char>(format[k]))) spec += format[k++];
    }
    if (k >= format.size()) fail("incomplete format");
    const char c = format[k];
    i = k;
    if (c == '%') {
      out += '%';
      continue;
    }
    if (!named && next >= values.size()) fail("not enough arguments for format string");
    const Value& v = named ? *named : values[next++];
    char buf[512];
    if (c == 's' || c == 'r') {  // padded to the width in characters, not bytes
      const std::string text = c == 's' ? v.str() : v.repr();
      const std::size_t digits_at = spec.find_first_of("123456789");
      const std::size_t width = digits_at == std::string::npos ? 0 : std::stoul(spec.substr(digits_at));
      if (width > kMaxTextBytes) fail("a padded string over " + std::to_string(kMaxTextBytes >> 20) + " MiB");
      const std::size_t n = code_points(text);
      const std::string pad = n < width ? std::string(width - n, ' ') : std::string();
      out += spec.find('-') != std::string::npos ? text + pad : pad + text;
    } else if (c == 'd' || c == 'i' || c == 'x' || c == 'X' || c == 'o') {
      if (!v.is_number()) fail(std::string("%") + c + " format: a number is required, not " + v.type_name());
      const long long n = v.is_float() ? static_cast<long long>(v.as_double()) : v.as_int();
      if (n < 0 && c != 'd' && c != 'i') {  // Python prints -5 in hex as "-5", not in two's complement
        const unsigned long long magnitude = 0ULL - static_cast<unsigned long long>(n);
        std::snprintf(buf, sizeof buf, (std::string(spec.find('#') != std::string::npos ? "%#" : "%") + "ll" + c).c_str(), magnitude);
        const std::size_t digits_at = spec.find_first_of("123456789");
        const std::size_t width = digits_at == std::string::npos ? 0 : std::stoul(spec.substr(digits_at));
        std::string text = std::string("-") + buf;
        const bool left = spec.find('-', 1) != std::string::npos;
        const bool zeros = !left && spec.size() > 1 && spec.find('0') == spec.find_first_of("0123456789");
        if (text.size() < width && width <= kMaxTextBytes) {
          const std::size_t pad = width - text.size();
          if (left) text.append(pad, ' ');
          else if (zeros) text.insert(1, pad, '0');
          else text.insert(0, pad, ' ');
        }
        out += text;
      } else {
        std::snprintf(buf, sizeof buf, (spec + "ll" + (c == 'i' ? 'd' : c)).c_str(), n);
        out += buf;
      }
    } else if (c == 'f' || c == 'F' || c == 'e' || c == 'E' || c == 'g' || c == 'G') {
      if (!v.is_number()) fail(std::string("%") + c + " format: a number is required, not " + v.type_name());
      std::snprintf(buf, sizeof buf, (spec + c).c_str(), v.as_double());
      out += buf;
    } else if (c == 'c') {
      if (!v.is_string() && (v.as_int() < 0 || v.as_int() > 0x10FFFF)) fail("%c arg not in range(0x110000)");
      out += v.is_string() ? v.as_string() : utf8_of(static_cast<UChar32>(v.as_int()));
    } else {
      fail(std::string("unsupported format character '") + c + "'");
    }
  }
  if (next < values.size() && args.is_tuple()) fail("not all arguments converted during string formatting");
  return out;
}


std::vector<std::string> utf8_characters(const std::string& s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t j = i + 1;
    while (j < s.size() && utf8_continuation(s[j])) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}


std::string strip_whitespace(const std::string& s, bool left, bool right) {
  std::string_view v = s;
  while (left && !v.empty())
    if (const std::size_t n = space_length(v, false)) v.remove_prefix(n);
    else break;
  while (right && !v.empty())
    if (const std::size_t n = space_length(v, true)) v.remove_suffix(n);
    else break;
  return std::string(v);
}


std::string pad_to_width(const std::string& s, std::size_t width, const std::string& fill, char align) {
  const std::size_t n = code_points(s);
  if (n >= width) return s;
  if (width > kMaxTextBytes) throw JinjaError("a padded string over " + std::to_string(kMaxTextBytes >> 20) + " MiB");
  const std::size_t pad = width - n;
  // str.center puts the odd padding character on the left when the width is odd, as CPython does.
  const std::size_t left = align == '<' ? 0 : align == '>' ? pad : pad / 2 + (pad & width & 1);
  std::string out;
  for (std::size_t k = 0; k < left; ++k) out += fill;
  out += s;
  for (std::size_t k = left; k < pad; ++k) out += fill;
  return out;
}

std::string expand_tabs(const std::string& s, std::int64_t tab_size) {
  std::string out;
  std::int64_t column = 0;
  for (const std::string& c : utf8_characters(s)) {
    if (c == "\t") {
      if (tab_size > 0) {
        const std::int64_t spaces = tab_size - column % tab_size;
        out.append(static_cast<std::size_t>(spaces), ' ');
        column += spaces;
      }
    } else if (c == "\n" || c == "\r") {
      out += c;
      column = 0;
    } else {
      out += c;
      ++column;
    }
  }
  return out;
}

bool is_title_cased(const std::string& s) {
  bool cased = false, previous_cased = false;
  for (const UChar32 c : code_point_list(s)) {
    if (u_isupper(c) || u_istitle(c)) {
      if (previous_cased) return false;
      previous_cased = cased = true;
    } else if (u_islower(c)) {
      if (!previous_cased) return false;
      previous_cased = cased = true;
    } else {
      previous_cased = false;
    }
  }
  return cased;
}

}  // namespace r1eval::engine::jinja
