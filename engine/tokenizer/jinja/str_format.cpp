#include "engine/tokenizer/jinja/str_format.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

#include "engine/tokenizer/jinja/call_arguments.h"

namespace r1eval::engine::jinja {
namespace {

[[noreturn]] void fail(const std::string& what) { throw JinjaError(what); }

struct Spec {
  std::string fill = " ";
  bool fill_given = false;
  char align = 0;  // '<' '>' '^' '=' or 0 (the type's default)
  char sign = '-';
  bool zero = false;           // the '0' flag: zero padding (numbers: after the sign, unless aligned otherwise)
  bool no_negative_zero = false;  // 'z'
  bool alternate = false;
  std::size_t width = 0;
  char grouping = 0;  // ',' '_' or 0
  std::optional<int> precision;
  char type = 0;
};

Spec parse_spec(const std::string& text) {
  Spec s;
  std::size_t i = 0;
  const auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  // The fill may be any one character (a UTF-8 sequence) before an alignment.
  std::size_t first = text.empty() ? 0 : 1;
  while (first < text.size() && (static_cast<unsigned char>(text[first]) & 0xC0) == 0x80) ++first;
  if (first < text.size() && is_align(text[first])) {
    s.fill = text.substr(0, first);
    s.fill_given = true;
    s.align = text[first];
    i = first + 1;
  } else if (!text.empty() && is_align(text[0])) {
    s.align = text[0];
    i = 1;
  }
  if (i < text.size() && (text[i] == '+' || text[i] == '-' || text[i] == ' ')) s.sign = text[i++];
  if (i < text.size() && text[i] == 'z') {
    s.no_negative_zero = true;
    ++i;
  }
  if (i < text.size() && text[i] == '#') {
    s.alternate = true;
    ++i;
  }
  if (i < text.size() && text[i] == '0') {
    s.zero = true;
    if (!s.fill_given) s.fill = "0";
    ++i;
  }
  std::size_t digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    s.width = s.width * 10 + static_cast<std::size_t>(text[i++] - '0');
    if (++digits > 6) fail("Too many decimal digits in format string");
  }
  if (i < text.size() && (text[i] == ',' || text[i] == '_')) s.grouping = text[i++];
  if (i < text.size() && text[i] == '.') {
    ++i;
    int p = 0;
    std::size_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      p = p * 10 + (text[i++] - '0');
      if (++n > 6) fail("Too many decimal digits in format string");
    }
    if (n == 0) fail("Format specifier missing precision");
    s.precision = p;
  }
  if (i < text.size()) s.type = text[i++];
  if (i < text.size()) fail("Invalid format specifier '" + text + "'");
  return s;
}

// `body` (digits, maybe with a prefix) padded to the width; `sign` goes before the padding of '=' alignment.
std::string pad(const Spec& s, const std::string& sign, const std::string& body, char default_align) {
  const char align = s.align ? s.align : (s.zero && default_align == '>') ? '=' : default_align;
  const std::size_t used = code_points(sign) + code_points(body);
  if (used >= s.width) return sign + body;
  std::string padding;
  const std::size_t n = s.width - used;
  const auto fill = [&](std::size_t count) {
    std::string out;
    for (std::size_t k = 0; k < count; ++k) out += s.fill;
    return out;
  };
  switch (align) {
    case '<': return sign + body + fill(n);
    case '^': return fill(n / 2) + sign + body + fill(n - n / 2);
    case '=': return sign + fill(n) + body;
    default: return fill(n) + sign + body;
  }
}

// Thousands separators every `group` digits of the digit run `digits` (no sign, no fraction).
std::string grouped(const std::string& digits, char separator, std::size_t group) {
  if (!separator) return digits;
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0 && (n - k) % group == 0) out += separator;
    out += digits[k];
  }
  return out;
}

// Zero padding of a grouped number happens inside the digits ("{:010,}" -> 00,000,005): leading zeros are added,
// separators and all, until the number with its sign and prefix fills the width.
std::string zero_padded_group(std::string digits, char separator, std::size_t group, std::size_t width, std::size_t taken) {
  std::string out = grouped(digits, separator, group);
  while (out.size() + taken < width) {
    digits.insert(digits.begin(), '0');
    out = grouped(digits, separator, group);
  }
  return out;
}

std::string sign_of(bool negative, char sign) {
  if (negative) return "-";
  return sign == '+' ? "+" : sign == ' ' ? " " : "";
}

std::string format_int(std::int64_t v, const Spec& s, const char* type_name) {
  if (s.precision) fail("Precision not allowed in integer format specifier");
  if (s.no_negative_zero) fail("Negative zero coercion (z) not allowed in integer format specifier");
  const bool negative = v < 0;
  const unsigned long long magnitude = negative ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
  std::string digits, prefix;
  std::size_t group = 3;
  switch (s.type) {
    case 0: case 'd': case 'n': digits = std::to_string(magnitude); break;
    case 'b':
      for (unsigned long long m = magnitude; m > 0; m >>= 1) digits.insert(digits.begin(), static_cast<char>('0' + (m & 1)));
      if (digits.empty()) digits = "0";
      prefix = "0b";
      group = 4;
      break;
    case 'o': case 'x': case 'X': {
      char buf[32];
      std::snprintf(buf, sizeof buf, s.type == 'o' ? "%llo" : s.type == 'x' ? "%llx" : "%llX", magnitude);
      digits = buf;
      prefix = s.type == 'o' ? "0o" : s.type == 'x' ? "0x" : "0X";
      group = 4;
      break;
    }
    case 'c': {
      if (s.sign != '-' ) fail("Sign not allowed with integer format specifier 'c'");
      if (v < 0 || v > 0x10FFFF) fail("%c arg not in range(0x110000)");
      return pad(s, "", utf8_of(static_cast<UChar32>(v)), '>');
    }
    default: fail(std::string("Unknown format code '") + s.type + "' for object of type '" + type_name + "'");
  }
  if (s.grouping == ',' && group != 3) fail("Cannot specify ',' with '" + std::string(1, s.type) + "'.");
  const std::string lead = sign_of(negative, s.sign) + (s.alternate ? prefix : "");
  if (s.grouping && s.zero && !s.fill_given && (s.align == 0 || s.align == '='))
    return lead + zero_padded_group(digits, s.grouping, group, s.width, lead.size());
  return pad(s, lead, grouped(digits, s.grouping, group), '>');
}

// printf of one double, as long as it needs to be ("{:.600f}").
std::string printf_double(const std::string& format, double v) {
  char small[128];
  const int n = std::snprintf(small, sizeof small, format.c_str(), v);
  if (n < 0) fail("format: cannot print the number");
  if (static_cast<std::size_t>(n) < sizeof small) return std::string(small, static_cast<std::size_t>(n));
  std::string big(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), format.c_str(), v);
  big.resize(static_cast<std::size_t>(n));
  return big;
}

// 'g' without trailing zeros (unless '#'), and Python's no-type rule: like 'g', but scientific from an exponent of
// precision - 1 on, and a fixed-point result keeps one digit after the point ("{:.3}" of 100.0 is 1e+02).
std::string general_format(double magnitude, int precision, bool alternate, bool no_type, bool upper) {
  const int p = std::max(precision, 1);
  const std::string scientific = printf_double("%." + std::to_string(p - 1) + "e", magnitude);
  const int exponent = std::stoi(scientific.substr(scientific.find('e') + 1));
  const bool use_scientific = exponent < -4 || exponent >= (no_type ? p - 1 : p);
  std::string body = use_scientific ? scientific : printf_double("%." + std::to_string(std::max(p - 1 - exponent, 0)) + "f", magnitude);
  if (!alternate) {
    const std::size_t e = use_scientific ? body.find('e') : body.size();
    std::string mantissa = body.substr(0, e);
    if (mantissa.find('.') != std::string::npos) {
      while (!mantissa.empty() && mantissa.back() == '0') mantissa.pop_back();
      if (!mantissa.empty() && mantissa.back() == '.') mantissa.pop_back();
    }
    body = mantissa + body.substr(e);
  }
  if (no_type && !use_scientific && body.find('.') == std::string::npos) body += ".0";
  if (upper)
    for (char& c : body) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return body;
}

std::string format_float(double v, Spec s) {
  bool negative = std::signbit(v) && !std::isnan(v);
  const double magnitude = std::fabs(v);
  const char type = s.type;
  const bool upper = type == 'E' || type == 'F' || type == 'G';
  std::string body;
  if (std::isnan(v) || std::isinf(v)) {
    body = std::isnan(v) ? "nan" : "inf";
    if (upper) body = std::isnan(v) ? "NAN" : "INF";
    if (type == '%') body += '%';
    return pad(s, sign_of(negative, s.sign), body, '>');
  }
  const std::string alt = s.alternate ? "#" : "";
  if (type == 0 && !s.precision) {
    body = python_float_repr(magnitude);
  } else if (type == 0 || type == 'g' || type == 'G' || type == 'n') {
    body = general_format(magnitude, s.precision.value_or(6), s.alternate, type == 0, upper);
  } else if (type == '%') {
    body = printf_double("%" + alt + "." + std::to_string(s.precision.value_or(6)) + "f", magnitude * 100) + "%";
  } else if (type == 'f' || type == 'F' || type == 'e' || type == 'E') {
    body = printf_double("%" + alt + "." + std::to_string(s.precision.value_or(6)) + type, magnitude);
  } else {
    fail(std::string("Unknown format code '") + type + "' for object of type 'float'");
  }
  // 'z': a negative number that rounds to zero prints without its sign.
  if (s.no_negative_zero && body.find_first_of("123456789") == std::string::npos) negative = false;
  std::size_t end = 0;
  while (end < body.size() && std::isdigit(static_cast<unsigned char>(body[end]))) ++end;
  const std::string lead = sign_of(negative, s.sign);
  if (s.grouping && s.zero && !s.fill_given && (s.align == 0 || s.align == '='))
    return lead + zero_padded_group(body.substr(0, end), s.grouping, 3, s.width, lead.size() + body.size() - end) +
           body.substr(end);
  if (s.grouping) body = grouped(body.substr(0, end), s.grouping, 3) + body.substr(end);
  return pad(s, lead, body, '>');
}

}  // namespace

std::string format_value(const Value& value, const std::string& spec_text) {
  if (spec_text.empty()) return value.str();
  const Spec s = parse_spec(spec_text);
  if (value.is_int() || value.is_bool()) {
    if (s.type == 'e' || s.type == 'E' || s.type == 'f' || s.type == 'F' || s.type == 'g' || s.type == 'G' || s.type == '%')
      return format_float(static_cast<double>(value.as_int()), s);
    return format_int(value.as_int(), s, value.is_bool() ? "bool" : "int");
  }
  if (value.is_float()) return format_float(value.as_double(), s);
  if (value.is_string()) {
    if (s.type != 0 && s.type != 's') fail(std::string("Unknown format code '") + s.type + "' for object of type 'str'");
    if (s.sign != '-') fail("Sign not allowed in string format specifier");
    if (s.no_negative_zero) fail("Negative zero coercion (z) not allowed in string format specifier");
    if (s.alternate) fail("Alternate form (#) not allowed in string format specifier");
    if (s.align == '=') fail("'=' alignment not allowed in string format specifier");
    if (s.grouping) fail(std::string("Cannot specify '") + s.grouping + "' with 's'.");
    std::string text = value.as_string();
    if (s.precision) {
      const std::vector<std::string> chars = utf8_characters(text);
      if (chars.size() > static_cast<std::size_t>(*s.precision)) {
        text.clear();
        for (int k = 0; k < *s.precision; ++k) text += chars[static_cast<std::size_t>(k)];
      }
    }
    return pad(s, "", text, '<');
  }
  fail("unsupported format string passed to " + value.type_name() + ".__format__");
}

namespace {

// A replacement field's value: the argument its name picks, then its ".name" and "[key]" parts.
Value field_value(const std::string& field, const Arguments& args, const Keywords& keywords, std::size_t& next_auto,
                  int& numbering) {
  std::size_t end = 0;
  while (end < field.size() && field[end] != '.' && field[end] != '[') ++end;
  const std::string head = field.substr(0, end);
  Value v;
  if (head.empty() || std::all_of(head.begin(), head.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); })) {
    const int mode = head.empty() ? 1 : 2;
    if (numbering != 0 && numbering != mode)
      fail("cannot switch from " + std::string(numbering == 1 ? "automatic field numbering to manual field specification"
                                                              : "manual field specification to automatic field numbering"));
    numbering = mode;
    const std::size_t at = head.empty() ? next_auto++ : std::stoul(head);
    if (at >= args.size()) fail("Replacement index " + std::to_string(at) + " out of range for positional args tuple");
    v = args[at];
  } else {
    const Value* named = keyword(keywords, head);
    if (!named) fail("str.format: no argument named '" + head + "'");
    v = *named;
  }
  // jinja2's sandboxed formatter reads parts with the environment's getattr / getitem: a missing key, an index out
  // of range, an unsafe name ("{0.__class__}") or a part of anything else is undefined, which formats as "".
  while (end < field.size()) {
    std::string key;
    bool index = false;
    if (field[end] == '.') {
      std::size_t k = end + 1;
      while (k < field.size() && field[k] != '.' && field[k] != '[') ++k;
      key = field.substr(end + 1, k - end - 1);
      end = k;
    } else {
      const std::size_t close = field.find(']', end);
      if (close == std::string::npos) fail("Missing ']' in format string");
      key = field.substr(end + 1, close - end - 1);
      index = true;
      end = close + 1;
    }
    if (key.empty()) fail("Empty attribute in format string");
    const bool digits = std::all_of(key.begin(), key.end(), [](char d) { return std::isdigit(static_cast<unsigned char>(d)); });
    const Value* found = nullptr;
    if (v.is_undefined() || key[0] == '_') {
      found = nullptr;
    } else if (index && digits && v.is_string()) {  // "{0[0]}" of a string: its character
      const std::vector<std::string> chars = utf8_characters(v.as_string());
      const std::size_t at = key.size() < 10 ? std::stoul(key) : chars.size();
      v = at < chars.size() ? Value(chars[at]) : Value::undefined(key);
      continue;
    } else if (index && digits && v.is_list()) {
      const std::size_t at = key.size() < 10 ? std::stoul(key) : v.as_list().size();
      if (at < v.as_list().size()) found = &v.as_list()[at];
    } else if (v.is_dict() || v.is_namespace()) {
      found = index && digits && key.size() < 19 ? v.find(Value(static_cast<std::int64_t>(std::stoll(key)))) : v.find(key);
    }
    v = found ? Value(*found) : Value::undefined(key);
  }
  return v;
}

// repr() with every non-ASCII code point escaped, as ascii() writes it.
std::string ascii_repr(const Value& v) {
  std::string out;
  for (const UChar32 c : code_point_list(v.repr())) {
    char buf[16];
    if (c < 0x80) out += static_cast<char>(c);
    else {
      std::snprintf(buf, sizeof buf, c <= 0xFF ? "\\x%02x" : c <= 0xFFFF ? "\\u%04x" : "\\U%08x", static_cast<unsigned>(c));
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string brace_format(const std::string& format, const Arguments& args, const Keywords& keywords) {
  std::string out;
  std::size_t next_auto = 0;
  int numbering = 0;  // 1 automatic, 2 manual
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if ((c == '{' || c == '}') && i + 1 < format.size() && format[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c == '}') fail("Single '}' encountered in format string");
    if (c != '{') {
      out += c;
      continue;
    }
    // The field name runs to '!', ':' or '}', brackets included ("{0[a:b]}").
    std::size_t k = i + 1;
    while (k < format.size() && format[k] != '!' && format[k] != ':' && format[k] != '}') {
      if (format[k] == '[') {
        const std::size_t close = format.find(']', k);
        if (close == std::string::npos) fail("Missing ']' in format string");
        k = close;
      }
      if (format[k] == '{') fail("unexpected '{' in field name");
      ++k;
    }
    if (k >= format.size()) fail("Single '{' encountered in format string");
    const std::string field = format.substr(i + 1, k - i - 1);
    char conversion = 0;
    if (format[k] == '!') {
      if (k + 1 >= format.size()) fail("end of string while looking for conversion specifier");
      conversion = format[k + 1];
      k += 2;
      if (k >= format.size() || (format[k] != ':' && format[k] != '}')) fail("expected ':' after conversion specifier");
    }
    std::string spec;
    if (format[k] == ':') {
      const std::size_t close = format.find('}', k);
      if (close == std::string::npos) fail("Single '{' encountered in format string");
      spec = format.substr(k + 1, close - k - 1);
      if (spec.find('{') != std::string::npos) fail("str.format: nested fields in a format spec are not supported");
      k = close;
    }
    const Value v = field_value(field, args, keywords, next_auto, numbering);
    if (conversion == 0) out += format_value(v, spec);
    else if (conversion == 's') out += format_value(Value(v.str()), spec);
    else if (conversion == 'r') out += format_value(Value(v.repr()), spec);
    else if (conversion == 'a') out += format_value(Value(ascii_repr(v)), spec);
    else fail(std::string("Unknown conversion specifier ") + conversion);
    i = k;
  }
  return out;
}

}  // namespace r1eval::engine::jinja
