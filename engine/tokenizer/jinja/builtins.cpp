#include "engine/tokenizer/jinja/builtins.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

namespace r1eval::engine::jinja {
namespace {

[[noreturn]] void fail(const std::string& what) { throw JinjaError(what); }

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += utf8_continuation(c) ? 0 : 1;
  return n;
}


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


const Value* keyword(const Keywords& keywords, const std::string& name) {
  for (const auto& [k, v] : keywords)
    if (k == name) return &v;
  return nullptr;
}

// The argument at `index`, or the keyword `name`, or nullptr.
const Value* argument(const Arguments& args, const Keywords& keywords, std::size_t index, const std::string& name) {
  if (index < args.size()) return &args[index];
  return keyword(keywords, name);
}

std::int64_t int_argument(const Value* v, std::int64_t fallback, const std::string& what) {
  if (!v || v->is_none()) return fallback;
  if (!v->is_int() && !v->is_bool()) fail(what + ": expected an integer, got " + v->type_name());
  return v->as_int();
}

std::string string_argument(const Value* v, const std::string& what) {
  if (!v || !v->is_string()) fail(what + ": expected a string argument");
  return v->as_string();
}

// obj.attribute ("a.b" walks nested dicts); undefined when absent.
Value attribute_of(const Value& v, const std::string& path) {
  Value cur = v;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const Value* found = cur.find(part);
    if (!found && cur.is_list()) {
      try {
        const std::size_t i = std::stoul(part);
        if (i < cur.as_list().size()) found = &cur.as_list()[i];
      } catch (const std::exception&) {
      }
    }
    if (!found) return Value::undefined(part);
    Value next = *found;
    cur = next;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

Value sum_of(const List& items) {
  Value total(static_cast<std::int64_t>(0));
  for (const Value& v : items) {
    if (!v.is_number()) fail("sum: unsupported operand type '" + v.type_name() + "'");
    total = total.is_float() || v.is_float() ? Value(total.as_double() + v.as_double()) : Value(total.as_int() + v.as_int());
  }
  return total;
}

// select / reject / selectattr / rejectattr: items passing (or failing) a test, or truthy when none is named.
Value filter_items(const Value& input, Arguments& args, bool by_attribute, bool keep_passing, const std::string& what) {
  if (!input.truthy()) return Value(List{});  // jinja2: "if value:" before iterating (tools is None)
  std::size_t next = 0;
  std::string attribute;
  if (by_attribute) attribute = string_argument(next < args.size() ? &args[next++] : nullptr, what);
  std::string test;
  if (next < args.size()) test = string_argument(&args[next++], what);
  const Arguments test_args(args.begin() + static_cast<std::ptrdiff_t>(next), args.end());
  List out;
  for (const Value& item : iterate(input, what)) {
    const Value subject = by_attribute ? attribute_of(item, attribute) : item;
    const bool passes = test.empty() ? subject.truthy() : apply_test(test, subject, test_args);
    if (passes == keep_passing) out.push_back(item);
  }
  return Value(std::move(out));
}

bool number_test(const Value& v) { return v.is_number() && !v.is_bool(); }

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

// Python's str.splitlines(): the lines without their breaks; a final break makes no empty last line.
std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (const std::size_t n = line_break_length(s, i)) {
      lines.emplace_back(s.substr(start, i - start));
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
  try {
    std::size_t used = 0;
    const double d = std::stod(text, &used);
    if (used == text.size()) return d;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// What sort / unique / min / max compare: strings lower-cased unless case-sensitive (jinja2's default).
Value comparison_key(const Value& v, bool case_sensitive) {
  if (case_sensitive || !v.is_string()) return v;
  return Value(lower_case(v.as_string()));
}

// jinja2's title filter: each piece between runs of spaces, "-", "(", "{", "[" and "<" gets an upper-case
// first character and the rest lower case ("it's" -> "It's"; Python's str.title gives "It'S").
std::string title_words(const std::string& s) {
  std::string out;
  bool piece_start = true;
  for (const UChar32 c : code_point_list(s)) {
    const bool separator = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || u_isUWhiteSpace(c);
    if (separator) {
      out += utf8_of(c);
      piece_start = true;
      continue;
    }
    out += piece_start ? upper_case(utf8_of(c)) : lower_case(utf8_of(c));
    piece_start = false;
  }
  return out;
}

// JSON text with every non-ASCII character written as \uXXXX (surrogate pairs past U+FFFF): ensure_ascii.
std::string ascii_json(const std::string& json) {
  std::string out;
  for (std::size_t i = 0; i < json.size();) {
    const auto b = static_cast<unsigned char>(json[i]);
    if (b < 0x80) {
      out += json[i++];
      continue;
    }
    std::size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (i + n > json.size()) n = json.size() - i;
    std::uint32_t cp = n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(json[i + k]) & 0x3F);
    i += n;
    char buf[16];
    if (cp >= 0x10000) {
      cp -= 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
    } else {
      std::snprintf(buf, sizeof buf, "\\u%04x", cp);
    }
    out += buf;
  }
  return out;
}

}  // namespace

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
    if (next >= values.size()) fail("not enough arguments for format string");
    const Value& v = values[next++];
    char buf[512];
    if (c == 's' || c == 'r') {  // padded to the width in characters, not bytes
      const std::string text = c == 's' ? v.str() : v.repr();
      const std::size_t digits_at = spec.find_first_of("123456789");
      const std::size_t width = digits_at == std::string::npos ? 0 : std::stoul(spec.substr(digits_at));
      const std::size_t n = code_points(text);
      const std::string pad = n < width ? std::string(width - n, ' ') : std::string();
      out += spec.find('-') != std::string::npos ? text + pad : pad + text;
    } else if (c == 'd' || c == 'i' || c == 'x' || c == 'X' || c == 'o') {
      if (!v.is_number()) fail(std::string("%") + c + " format: a number is required, not " + v.type_name());
      const long long n = v.is_float() ? static_cast<long long>(v.as_double()) : v.as_int();
      std::snprintf(buf, sizeof buf, (spec + "ll" + (c == 'i' ? 'd' : c)).c_str(), n);
      out += buf;
    } else if (c == 'f' || c == 'F' || c == 'e' || c == 'E' || c == 'g' || c == 'G') {
      if (!v.is_number()) fail(std::string("%") + c + " format: a number is required, not " + v.type_name());
      std::snprintf(buf, sizeof buf, (spec + c).c_str(), v.as_double());
      out += buf;
    } else if (c == 'c') {
      out += v.is_string() ? v.as_string() : std::string(1, static_cast<char>(v.as_int()));
    } else {
      fail(std::string("unsupported format character '") + c + "'");
    }
  }
  if (next < values.size() && args.is_tuple()) fail("not all arguments converted during string formatting");
  return out;
}

std::string brace_format(const std::string& format, const Arguments& args, const Keywords& keywords) {
  std::string out;
  std::size_t next = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if ((c == '{' || c == '}') && i + 1 < format.size() && format[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    const std::size_t close = format.find('}', i);
    if (close == std::string::npos) fail("str.format: single '{' encountered");
    const std::string field = format.substr(i + 1, close - i - 1);
    if (field.find_first_of(".[:!") != std::string::npos) fail("str.format: field '" + field + "' is not supported");
    if (field.empty()) {
      if (next >= args.size()) fail("str.format: not enough arguments");
      out += args[next++].str();
    } else if (std::all_of(field.begin(), field.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); })) {
      const std::size_t at = std::stoul(field);
      if (at >= args.size()) fail("str.format: index " + field + " out of range");
      out += args[at].str();
    } else {
      const Value* v = keyword(keywords, field);
      if (!v) fail("str.format: no argument named '" + field + "'");
      out += v->str();
    }
    i = close;
  }
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

List iterate(const Value& v, const std::string& what) {
  if (v.is_list()) return v.as_list();
  if (v.is_dict()) {
    List keys;
    for (const auto& [k, x] : v.as_dict()) keys.emplace_back(k);
    return keys;
  }
  if (v.is_string()) {
    List chars;
    for (std::string& c : utf8_characters(v.as_string())) chars.emplace_back(std::move(c));
    return chars;
  }
  if (v.is_undefined()) return {};
  fail(what + ": '" + v.type_name() + "' object is not iterable");
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

Value apply_filter(const std::string& name, const Value& input, Arguments& args, Keywords& keywords) {
  const std::string what = "filter '" + name + "'";
  if (name == "trim" || name == "strip") {
    if (!input.is_string() && !input.is_undefined()) return Value(strip_whitespace(input.str(), true, true));
    const Value* chars = argument(args, keywords, 0, "chars");
    if (chars && chars->is_string()) return Value(strip_chars(input.str(), chars->as_string(), true, true));
    return Value(strip_whitespace(input.str(), true, true));
  }
  if (name == "length" || name == "count") {
    if (input.is_string()) return Value(static_cast<std::int64_t>(code_points(input.as_string())));
    if (input.is_list()) return Value(static_cast<std::int64_t>(input.as_list().size()));
    if (input.is_dict()) return Value(static_cast<std::int64_t>(input.as_dict().size()));
    if (input.is_undefined()) return Value(static_cast<std::int64_t>(0));
    fail(what + ": object of type '" + input.type_name() + "' has no len()");
  }
  if (name == "tojson") {
    // transformers' tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
    const Value* ensure_ascii = argument(args, keywords, 0, "ensure_ascii");
    const Value* indent = argument(args, keywords, 1, "indent");
    const Value* sort_keys = argument(args, keywords, 3, "sort_keys");
    std::optional<int> width;
    if (indent && !indent->is_none()) width = static_cast<int>(int_argument(indent, 0, what));
    const Value* separators = argument(args, keywords, 2, "separators");
    std::optional<std::pair<std::string, std::string>> pair;
    if (separators && separators->is_list() && separators->as_list().size() == 2)
      pair = {separators->as_list()[0].str(), separators->as_list()[1].str()};
    std::string json = input.to_json(width, sort_keys && sort_keys->truthy(), pair);
    return Value(ensure_ascii && ensure_ascii->truthy() ? ascii_json(json) : json);
  }
  if (name == "string") return Value(input.str());
  if (name == "lower") return Value(lower_case(input.str()));
  if (name == "upper") return Value(upper_case(input.str()));
  if (name == "title") return Value(title_words(input.str()));
  if (name == "capitalize") return Value(capitalize(input.str()));
  if (name == "safe") return input;
  if (name == "first" || name == "last") {
    List items = iterate(input, what);
    if (items.empty()) return Value::undefined("first");
    return name == "first" ? items.front() : items.back();
  }
  if (name == "join") {
    const Value* sep = argument(args, keywords, 0, "d");
    const Value* attribute = argument(args, keywords, 1, "attribute");
    std::string out;
    bool first = true;
    for (const Value& item : iterate(input, what)) {
      if (!first) out += sep ? sep->str() : "";
      first = false;
      out += (attribute ? attribute_of(item, attribute->str()) : item).str();
    }
    return Value(std::move(out));
  }
  if (name == "default" || name == "d") {
    const Value* fallback = argument(args, keywords, 0, "default_value");
    const Value* boolean = argument(args, keywords, 1, "boolean");
    const bool use_fallback = input.is_undefined() || (boolean && boolean->truthy() && !input.truthy());
    return use_fallback ? (fallback ? *fallback : Value(std::string())) : input;
  }
  if (name == "items") {
    if (input.is_undefined()) return Value(List{});
    if (!input.is_dict()) fail(what + ": expected a mapping, got " + input.type_name());
    List pairs;
    for (const auto& [k, v] : input.as_dict()) pairs.push_back(Value::tuple(List{Value(k), v}));
    return Value(std::move(pairs));
  }
  if (name == "list") return Value(iterate(input, what));
  if (name == "reverse") {
    if (input.is_string()) {
      std::vector<std::string> chars = utf8_characters(input.as_string());
      std::string out;
      for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
      return Value(std::move(out));
    }
    List items = iterate(input, what);
    std::reverse(items.begin(), items.end());
    return Value(std::move(items));
  }
  if (name == "replace") {
    const std::string from = string_argument(argument(args, keywords, 0, "old"), what);
    const std::string to = string_argument(argument(args, keywords, 1, "new"), what);
    return Value(replace_all(input.str(), from, to, int_argument(argument(args, keywords, 2, "count"), -1, what)));
  }
  if (name == "int") {
    if (input.is_int() || input.is_bool()) return Value(input.as_int());
    if (input.is_float()) return Value(static_cast<std::int64_t>(input.as_double()));
    const Value* fallback = argument(args, keywords, 0, "default");
    const std::int64_t base = int_argument(argument(args, keywords, 1, "base"), 10, what);
    std::string text = strip_whitespace(input.str(), true, true);
    std::erase(text, '_');  // Python's int() reads "1_000"
    try {
      std::size_t used = 0;
      const std::int64_t n = std::stoll(text, &used, static_cast<int>(base));
      if (used == text.size()) return Value(n);
    } catch (const std::exception&) {
    }
    if (base == 10) {  // "3.7" -> 3, as jinja2 (through float)
      if (const std::optional<double> d = whole_float(text); d && std::fabs(*d) < 9.2e18) return Value(static_cast<std::int64_t>(*d));
    }
    return fallback ? *fallback : Value(static_cast<std::int64_t>(0));
  }
  if (name == "format") {
    List values(args.begin(), args.end());
    return Value(percent_format(input.str(), values.size() == 1 ? values[0] : Value::tuple(values)));
  }
  if (name == "e" || name == "escape") {
    std::string out;
    for (const char c : input.str()) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&#34;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
      }
    }
    return Value(std::move(out));
  }
  if (name == "center") {
    const std::size_t width = static_cast<std::size_t>(int_argument(argument(args, keywords, 0, "width"), 80, what));
    const std::string text = input.str();
    const std::size_t n = code_points(text);
    if (n >= width) return Value(text);
    const std::size_t left = (width - n) / 2 + ((width - n) % 2 == 1 && width % 2 == 1 ? 1 : 0);
    return Value(std::string(left, ' ') + text + std::string(width - n - left, ' '));
  }
  if (name == "float") {
    if (input.is_number()) return Value(input.as_double());
    if (const std::optional<double> d = whole_float(strip_whitespace(input.str(), true, true))) return Value(*d);
    const Value* fallback = argument(args, keywords, 0, "default");
    return fallback ? *fallback : Value(0.0);
  }
  if (name == "abs") {
    if (input.is_float()) return Value(std::fabs(input.as_double()));
    if (input.is_number()) return Value(input.as_int() < 0 ? -input.as_int() : input.as_int());
    fail(what + ": bad operand type '" + input.type_name() + "'");
  }
  if (name == "round") {
    if (!input.is_number()) fail(what + ": expected a number");
    const std::int64_t precision = int_argument(argument(args, keywords, 0, "precision"), 0, what);
    const Value* method_arg = argument(args, keywords, 1, "method");
    const std::string method_name = method_arg ? method_arg->str() : "common";
    if (method_name == "common" && !input.is_float()) return Value(input.as_int());  // Python's round(7, 0) is 7
    if (method_name == "common" && precision >= 0 && precision < 300) {
      // Python's round(): the exact binary value rounded half to even, as printf does it (2.675 -> 2.67).
      char buf[400];
      std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(precision), input.as_double());
      return Value(std::stod(buf));
    }
    const double scale = std::pow(10.0, static_cast<double>(precision));
    const double x = input.as_double() * scale;
    const double r = method_name == "floor" ? std::floor(x) : method_name == "ceil" ? std::ceil(x) : std::nearbyint(x);
    return Value(r / scale);
  }
  if (name == "map") {
    if (!input.truthy()) return Value(List{});
    const Value* attribute = keyword(keywords, "attribute");
    List out;
    if (attribute) {
      const Value* fallback = keyword(keywords, "default");
      for (const Value& item : iterate(input, what)) {
        Value v = attribute_of(item, attribute->str());
        out.push_back(v.is_undefined() && fallback ? *fallback : v);
      }
      return Value(std::move(out));
    }
    if (args.empty()) fail(what + ": needs a filter name or attribute=");
    const std::string inner = string_argument(&args[0], what);
    Arguments rest(args.begin() + 1, args.end());
    for (const Value& item : iterate(input, what)) {
      Arguments a = rest;
      Keywords k = keywords;
      out.push_back(apply_filter(inner, item, a, k));
    }
    return Value(std::move(out));
  }
  if (name == "select") return filter_items(input, args, false, true, what);
  if (name == "reject") return filter_items(input, args, false, false, what);
  if (name == "selectattr") return filter_items(input, args, true, true, what);
  if (name == "rejectattr") return filter_items(input, args, true, false, what);
  if (name == "unique") {
    const Value* case_sensitive = argument(args, keywords, 0, "case_sensitive");
    const Value* attribute = argument(args, keywords, 1, "attribute");
    const bool cs = case_sensitive && case_sensitive->truthy();
    List out, keys;
    for (const Value& item : iterate(input, what)) {
      const Value key = comparison_key(attribute ? attribute_of(item, attribute->str()) : item, cs);
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      keys.push_back(key);
      out.push_back(item);
    }
    return Value(std::move(out));
  }
  if (name == "sort") {
    List items = iterate(input, what);
    const Value* reverse = argument(args, keywords, 0, "reverse");
    const Value* case_sensitive = argument(args, keywords, 1, "case_sensitive");
    const Value* attribute = argument(args, keywords, 2, "attribute");
    const bool cs = case_sensitive && case_sensitive->truthy();
    const auto key = [&](const Value& v) { return comparison_key(attribute ? attribute_of(v, attribute->str()) : v, cs); };
    const bool descending = reverse && reverse->truthy();
    std::stable_sort(items.begin(), items.end(),
                     [&](const Value& a, const Value& b) { return descending ? less(key(b), key(a)) : less(key(a), key(b)); });
    return Value(std::move(items));
  }
  if (name == "sum") {
    const Value* attribute = argument(args, keywords, 0, "attribute");
    List items = iterate(input, what);
    if (attribute)
      for (Value& v : items) v = attribute_of(v, attribute->str());
    return sum_of(items);
  }
  if (name == "min" || name == "max") {
    List items = iterate(input, what);
    if (items.empty()) return Value::undefined(name);
    const Value* case_sensitive = argument(args, keywords, 0, "case_sensitive");
    const Value* attribute = argument(args, keywords, 1, "attribute");
    const bool cs = case_sensitive && case_sensitive->truthy();
    const auto key = [&](const Value& v) { return comparison_key(attribute ? attribute_of(v, attribute->str()) : v, cs); };
    Value best = items[0];
    for (const Value& v : items)
      if (name == "min" ? less(key(v), key(best)) : less(key(best), key(v))) best = v;
    return best;
  }
  if (name == "dictsort") {
    if (!input.is_dict()) fail(what + ": expected a mapping");
    const Value* case_sensitive = argument(args, keywords, 0, "case_sensitive");
    const Value* by = argument(args, keywords, 1, "by");
    const Value* reverse = argument(args, keywords, 2, "reverse");
    const bool cs = case_sensitive && case_sensitive->truthy();
    const bool by_value = by && by->is_string() && by->as_string() == "value";
    Dict d = input.as_dict();
    const auto key = [&](const std::pair<std::string, Value>& p) { return comparison_key(by_value ? p.second : Value(p.first), cs); };
    std::stable_sort(d.begin(), d.end(), [&](const auto& a, const auto& b) { return less(key(a), key(b)); });
    if (reverse && reverse->truthy()) std::reverse(d.begin(), d.end());
    List pairs;
    for (const auto& [k, v] : d) pairs.push_back(Value::tuple(List{Value(k), v}));
    return Value(std::move(pairs));
  }
  if (name == "indent") {
    const Value* width_arg = argument(args, keywords, 0, "width");
    const std::string pad = width_arg && width_arg->is_string() ? width_arg->as_string()
                                                               : std::string(static_cast<std::size_t>(int_argument(width_arg, 4, what)), ' ');
    const Value* first = argument(args, keywords, 1, "first");
    const Value* blank = argument(args, keywords, 2, "blank");
    // jinja2's steps: a newline appended, the lines split; lines after the first indented (blank ones only
    // with blank=true), the first with first=true.
    const std::vector<std::string> lines = split_lines(input.str() + "\n");
    std::string out = lines.empty() ? std::string() : lines[0];
    for (std::size_t i = 1; i < lines.size(); ++i)
      out += "\n" + ((!lines[i].empty() || (blank && blank->truthy())) ? pad : std::string()) + lines[i];
    if (first && first->truthy()) out = pad + out;
    return Value(std::move(out));
  }
  if (name == "wordcount") return Value(static_cast<std::int64_t>(split_whitespace(input.str(), -1, false).size()));
  if (name == "attr") return attribute_of(input, string_argument(argument(args, keywords, 0, "name"), what));
  fail("no filter named '" + name + "'");
}

bool apply_test(const std::string& name, const Value& v, const Arguments& args) {
  const auto arg = [&](std::size_t i) -> const Value& {
    if (i >= args.size()) fail("test '" + name + "' needs an argument");
    return args[i];
  };
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "none") return v.is_none();
  if (name == "boolean") return v.is_bool();
  if (name == "true") return v.is_bool() && v.as_bool();
  if (name == "false") return v.is_bool() && !v.as_bool();
  if (name == "integer") return v.is_int();
  if (name == "float") return v.is_float();
  if (name == "number") return number_test(v) || v.is_bool();
  if (name == "string") return v.is_string();
  if (name == "mapping") return v.is_dict();
  if (name == "iterable") return v.is_list() || v.is_dict() || v.is_string() || v.is_undefined();
  if (name == "sequence") return v.is_list() || v.is_dict() || v.is_string();
  if (name == "callable") return v.is_callable();
  if (name == "odd" || name == "even") {
    if (!v.is_int()) fail("test '" + name + "' needs an integer");
    return (((v.as_int() % 2) + 2) % 2 == 1) == (name == "odd");
  }
  if (name == "divisibleby") return arg(0).as_int() != 0 && v.as_int() % arg(0).as_int() == 0;
  if (name == "eq" || name == "equalto" || name == "==") return v == arg(0);
  if (name == "ne" || name == "!=") return !(v == arg(0));
  if (name == "lt" || name == "lessthan" || name == "<") return less(v, arg(0));
  if (name == "gt" || name == "greaterthan" || name == ">") return less(arg(0), v);
  if (name == "le" || name == "<=") return !less(arg(0), v);
  if (name == "ge" || name == ">=") return !less(v, arg(0));
  if (name == "in") {
    const Value& c = arg(0);
    if (c.is_string()) return v.is_string() && c.as_string().find(v.as_string()) != std::string::npos;
    if (c.is_dict()) return v.is_string() && c.find(v.as_string()) != nullptr;
    for (const Value& x : iterate(c, "test 'in'"))
      if (x == v) return true;
    return false;
  }
  if (name == "sameas") return v == arg(0) && v.type_name() == arg(0).type_name();
  if (name == "lower") return is_one_case(v.str(), true);  // jinja2 tests str(value)
  if (name == "upper") return is_one_case(v.str(), false);
  fail("no test named '" + name + "'");
}

std::optional<Value> method(const Value& object, const std::string& name) {
  const auto bind = [&](auto body) {
    return Value::function([object, body](Arguments& args, Keywords& keywords) -> Value { return body(object, args, keywords); });
  };
  if (object.is_string()) {
    const std::string what = "str." + name;
    if (name == "strip" || name == "lstrip" || name == "rstrip") {
      const bool left = name != "rstrip", right = name != "lstrip";
      return bind([left, right](const Value& s, Arguments& args, Keywords&) {
        if (!args.empty() && args[0].is_string()) return Value(strip_chars(s.as_string(), args[0].as_string(), left, right));
        return Value(strip_whitespace(s.as_string(), left, right));
      });
    }
    if (name == "split" || name == "rsplit") {
      const bool from_right = name == "rsplit";
      return bind([from_right, what](const Value& s, Arguments& args, Keywords& keywords) {
        const Value* sep = argument(args, keywords, 0, "sep");
        const std::int64_t max_split = int_argument(argument(args, keywords, 1, "maxsplit"), -1, what);
        const std::vector<std::string> parts = sep && !sep->is_none()
                                                   ? split_on(s.as_string(), string_argument(sep, what), max_split, from_right)
                                                   : split_whitespace(s.as_string(), max_split, from_right);
        List out(parts.begin(), parts.end());
        return Value(std::move(out));
      });
    }
    if (name == "splitlines")
      return bind([](const Value& s, Arguments&, Keywords&) {
        const std::vector<std::string> lines = split_lines(s.as_string());
        return Value(List(lines.begin(), lines.end()));
      });
    if (name == "startswith" || name == "endswith") {
      const bool start = name == "startswith";
      return bind([start, what](const Value& s, Arguments& args, Keywords&) {
        if (args.empty()) fail(what + ": needs an argument");
        const List options = args[0].is_list() ? args[0].as_list() : List{args[0]};
        for (const Value& o : options) {
          const std::string p = string_argument(&o, what);
          const std::string& t = s.as_string();
          if (t.size() >= p.size() && (start ? t.compare(0, p.size(), p) == 0 : t.compare(t.size() - p.size(), p.size(), p) == 0))
            return Value(true);
        }
        return Value(false);
      });
    }
    if (name == "replace")
      return bind([what](const Value& s, Arguments& args, Keywords& keywords) {
        return Value(replace_all(s.as_string(), string_argument(argument(args, keywords, 0, "old"), what),
                                 string_argument(argument(args, keywords, 1, "new"), what),
                                 int_argument(argument(args, keywords, 2, "count"), -1, what)));
      });
    if (name == "title") return bind([](const Value& s, Arguments&, Keywords&) { return Value(title_case(s.as_string())); });
    if (name == "upper" || name == "lower" || name == "capitalize")
      return bind([name](const Value& s, Arguments& args, Keywords& keywords) { return apply_filter(name, s, args, keywords); });
    if (name == "find" || name == "rfind" || name == "count")
      return bind([name, what](const Value& s, Arguments& args, Keywords&) {
        const std::string sub = string_argument(args.empty() ? nullptr : &args[0], what);
        const std::string& t = s.as_string();
        if (name == "count") {
          if (sub.empty()) return Value(static_cast<std::int64_t>(code_points(t) + 1));
          std::int64_t n = 0;
          for (std::size_t at = t.find(sub); at != std::string::npos; at = t.find(sub, at + sub.size())) ++n;
          return Value(n);
        }
        const std::size_t at = name == "find" ? t.find(sub) : t.rfind(sub);
        return Value(at == std::string::npos ? static_cast<std::int64_t>(-1) : static_cast<std::int64_t>(code_points(t.substr(0, at))));
      });
    if (name == "join")
      return bind([what](const Value& s, Arguments& args, Keywords&) {
        std::string out;
        bool first = true;
        for (const Value& item : iterate(args.empty() ? Value() : args[0], what)) {
          if (!item.is_string()) fail(what + ": expected str items, got " + item.type_name());
          if (!first) out += s.as_string();
          first = false;
          out += item.as_string();
        }
        return Value(std::move(out));
      });
    if (name == "removeprefix" || name == "removesuffix")
      return bind([name, what](const Value& s, Arguments& args, Keywords&) {
        const std::string affix = string_argument(args.empty() ? nullptr : &args[0], what);
        const std::string& t = s.as_string();
        if (name == "removeprefix") return Value(t.compare(0, affix.size(), affix) == 0 ? t.substr(affix.size()) : t);
        const bool ends = t.size() >= affix.size() && t.compare(t.size() - affix.size(), affix.size(), affix) == 0;
        return Value(ends ? t.substr(0, t.size() - affix.size()) : t);
      });
    if (name == "partition" || name == "rpartition")
      return bind([name, what](const Value& s, Arguments& args, Keywords&) {
        const std::string sep = string_argument(args.empty() ? nullptr : &args[0], what);
        const std::string& t = s.as_string();
        const std::size_t at = name == "partition" ? t.find(sep) : t.rfind(sep);
        if (at == std::string::npos)
          return name == "partition" ? Value::tuple(List{Value(t), Value(""), Value("")}) : Value::tuple(List{Value(""), Value(""), Value(t)});
        return Value::tuple(List{Value(t.substr(0, at)), Value(sep), Value(t.substr(at + sep.size()))});
      });
    if (name == "index" || name == "rindex")
      return bind([name, what](const Value& s, Arguments& args, Keywords&) {
        const std::string sub = string_argument(args.empty() ? nullptr : &args[0], what);
        const std::string& t = s.as_string();
        const std::size_t at = name == "index" ? t.find(sub) : t.rfind(sub);
        if (at == std::string::npos) fail(what + ": substring not found");
        return Value(static_cast<std::int64_t>(code_points(t.substr(0, at))));
      });
    if (name == "zfill")
      return bind([what](const Value& s, Arguments& args, Keywords&) {
        const std::size_t width = static_cast<std::size_t>(int_argument(args.empty() ? nullptr : &args[0], 0, what));
        std::string t = s.as_string();
        const std::size_t n = code_points(t);
        if (n >= width) return Value(t);
        const std::size_t at = !t.empty() && (t[0] == '-' || t[0] == '+') ? 1 : 0;
        t.insert(at, width - n, '0');
        return Value(t);
      });
    if (name == "swapcase" || name == "casefold")
      return bind([name](const Value& s, Arguments&, Keywords&) {
        if (name == "casefold") {
          std::string out;
          icu::UnicodeString::fromUTF8(s.as_string()).foldCase().toUTF8String(out);
          return Value(out);
        }
        std::string out;
        for (const UChar32 c : code_point_list(s.as_string()))
          out += u_isupper(c) ? lower_case(utf8_of(c)) : u_islower(c) ? upper_case(utf8_of(c)) : utf8_of(c);
        return Value(out);
      });
    if (name == "format")
      return bind([](const Value& s, Arguments& args, Keywords& keywords) { return Value(brace_format(s.as_string(), args, keywords)); });
    if (name == "islower" || name == "isupper")
      return bind([name](const Value& s, Arguments&, Keywords&) { return Value(is_one_case(s.as_string(), name == "islower")); });
    if (name == "isdigit" || name == "isspace" || name == "isalpha" || name == "isalnum") {
      bool (*test)(UChar32) = name == "isdigit"   ? [](UChar32 c) -> bool { return u_isdigit(c); }
                              : name == "isspace" ? [](UChar32 c) -> bool { return u_isUWhiteSpace(c); }
                              : name == "isalpha" ? [](UChar32 c) -> bool { return u_isalpha(c); }
                                                  : [](UChar32 c) -> bool { return u_isalnum(c); };
      return bind([test](const Value& s, Arguments&, Keywords&) { return Value(all_code_points(s.as_string(), test)); });
    }
    return std::nullopt;
  }
  if (object.is_dict()) {
    if (name == "get")
      return bind([](const Value& d, Arguments& args, Keywords&) {
        if (args.empty()) fail("dict.get: needs a key");
        const Value* found = args[0].is_string() ? d.find(args[0].as_string()) : nullptr;
        return found ? *found : (args.size() > 1 ? args[1] : Value(None{}));
      });
    if (name == "items" || name == "keys" || name == "values")
      return bind([name](const Value& d, Arguments&, Keywords&) {
        List out;
        for (const auto& [k, v] : d.as_dict()) {
          if (name == "items") out.push_back(Value::tuple(List{Value(k), v}));
          else if (name == "keys") out.emplace_back(k);
          else out.push_back(v);
        }
        return Value(std::move(out));
      });
    return std::nullopt;
  }
  if (object.is_list()) {
    if (name == "index" || name == "count")
      return bind([name](const Value& l, Arguments& args, Keywords&) {
        if (args.empty()) fail("list." + name + ": needs an argument");
        std::int64_t n = 0;
        for (std::size_t i = 0; i < l.as_list().size(); ++i) {
          if (!(l.as_list()[i] == args[0])) continue;
          if (name == "index") return Value(static_cast<std::int64_t>(i));
          ++n;
        }
        if (name == "index") fail("list.index: " + args[0].repr() + " is not in list");
        return Value(n);
      });
  }
  return std::nullopt;
}

}  // namespace r1eval::engine::jinja
