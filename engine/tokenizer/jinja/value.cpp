#include "engine/tokenizer/jinja/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <tuple>

namespace r1eval::engine::jinja {
namespace {

// Containers nest at most this deep when printed, compared or written as JSON: deeper is a value that holds
// itself (a namespace set into itself), which would recurse without end.
constexpr int kMaxNesting = 256;
thread_local int nesting = 0;
struct NestingGuard {
  NestingGuard() {
    if (++nesting > kMaxNesting) {
      nesting = 0;
      throw JinjaError("a value nested over " + std::to_string(kMaxNesting) + " levels deep (or holding itself)");
    }
  }
  ~NestingGuard() {
    if (nesting > 0) --nesting;
  }
  NestingGuard(const NestingGuard&) = delete;
  NestingGuard& operator=(const NestingGuard&) = delete;
};

// The next code point of UTF-8 text at `i` (advancing i); invalid bytes come back as themselves.
std::uint32_t next_code_point(const std::string& s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
  if (i + n > s.size()) n = 1;
  std::uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += n;
  return cp;
}

// Code points Python's repr() escapes although they are not ASCII: controls, separators and format
// characters that are not printable.
bool unprintable(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xA0) || cp == 0xAD || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF;
}

std::string hex_escape(std::uint32_t cp) {
  char buf[16];
  if (cp <= 0xFF) std::snprintf(buf, sizeof buf, "\\x%02x", cp);
  else if (cp <= 0xFFFF) std::snprintf(buf, sizeof buf, "\\u%04x", cp);
  else std::snprintf(buf, sizeof buf, "\\U%08x", cp);
  return buf;
}

std::string python_string_repr(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const std::uint32_t cp = next_code_point(s, i);
    if (cp == '\\') out += "\\\\";
    else if (cp == static_cast<unsigned char>(quote)) out += std::string("\\") + quote;
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (cp == '\t') out += "\\t";
    else if (cp < 0x20 || cp == 0x7F || unprintable(cp)) out += hex_escape(cp);
    else out.append(s, start, i - start);
  }
  out += quote;
  return out;
}

void json_string(const std::string& s, std::string& out) {
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

struct JsonStyle {
  std::optional<int> indent;
  bool sort_keys = false;
  std::string item_separator, key_separator;
};

// A dict key as json.dumps writes it: strings as they are, numbers, booleans and None as their JSON text.
std::string json_key(const Value& key) {
  if (key.is_string()) return key.as_string();
  if (key.is_bool()) return key.as_bool() ? "true" : "false";
  if (key.is_none()) return "null";
  if (key.is_int()) return std::to_string(key.as_int());
  if (key.is_float()) {
    const double d = key.as_double();
    return std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : python_float_repr(d);
  }
  throw JinjaError("tojson: keys must be str, int, float, bool or None, not " + key.type_name());
}

void json_value(const Value& v, const JsonStyle& style, int level, std::string& out) {
  const NestingGuard guard;
  const std::optional<int>& indent = style.indent;
  const auto newline = [&](int depth) {
    if (!indent) return;
    out += '\n';
    out.append(static_cast<std::size_t>(*indent * depth), ' ');
  };
  const std::string& item_separator = style.item_separator;
  if (v.is_none()) {
    out += "null";
  } else if (v.is_bool()) {
    out += v.as_bool() ? "true" : "false";
  } else if (v.is_int()) {
    out += std::to_string(v.as_int());
  } else if (v.is_float()) {
    const double d = v.as_double();
    out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : python_float_repr(d);
  } else if (v.is_string()) {
    json_string(v.as_string(), out);
  } else if (v.is_list()) {
    if (v.is_iterator()) throw JinjaError("Object of type generator is not JSON serializable");
    const List& l = v.as_list();
    if (l.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (std::size_t i = 0; i < l.size(); ++i) {
      if (i) out += item_separator;
      newline(level + 1);
      json_value(l[i], style, level + 1, out);
    }
    newline(level);
    out += ']';
  } else if (v.is_dict()) {
    Dict d = v.as_dict();
    if (d.empty()) {
      out += "{}";
      return;
    }
    if (style.sort_keys) std::stable_sort(d.begin(), d.end(), [](const auto& a, const auto& b) { return less(a.first, b.first); });
    out += '{';
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (i) out += item_separator;
      newline(level + 1);
      json_string(json_key(d[i].first), out);
      out += style.key_separator;
      json_value(d[i].second, style, level + 1, out);
    }
    newline(level);
    out += '}';
  } else {
    throw JinjaError("tojson: object of type " + v.type_name() + " is not JSON serializable");
  }
}

}  // namespace

std::string python_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  const std::string sci(buf, result.ptr);  // "-1.2345e+05": the shortest digits that read back as d
  const bool negative = sci[0] == '-';
  const std::size_t e_at = sci.find('e');
  std::string digits;
  for (std::size_t i = negative ? 1 : 0; i < e_at; ++i)
    if (sci[i] != '.') digits += sci[i];
  const int exponent = std::stoi(sci.substr(e_at + 1));
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {  // Python switches to exponent form outside [1e-4, 1e16)
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char e[16];
    std::snprintf(e, sizeof e, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + e;
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  const std::size_t point = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= point) return out + digits + std::string(point - digits.size(), '0') + ".0";
  return out + digits.substr(0, point) + "." + digits.substr(point);
}

Value Value::from_json(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return Value(None{});
    case nlohmann::ordered_json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
    case nlohmann::ordered_json::value_t::number_unsigned: return Value(j.get<std::int64_t>());
    case nlohmann::ordered_json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      List l;
      for (const auto& e : j) l.push_back(from_json(e));
      return Value(std::move(l));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict d;
      for (const auto& [k, e] : j.items()) d.emplace_back(Value(k), from_json(e));
      return Value(std::move(d));
    }
    default: return Value(None{});
  }
}

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

bool Value::hashable() const {
  if (is_list() && !is_tuple()) return false;
  if (is_dict() || is_namespace()) return false;  // jinja2's Undefined hashes (d[x] with x undefined: no such key)
  if (is_tuple())
    for (const Value& v : as_list())
      if (!v.hashable()) return false;
  return true;
}

void dict_set(Dict& d, Value key, Value value) {
  if (!key.hashable()) throw JinjaError("unhashable type: '" + key.type_name() + "'");
  for (auto& [k, v] : d)
    if (k == key) {
      v = std::move(value);
      return;
    }
  d.emplace_back(std::move(key), std::move(value));
}

List Value::take_all() const {
  List items = std::move(*std::get<ListPtr>(v_));
  std::get<ListPtr>(v_)->clear();
  return items;
}

std::optional<Value> Value::take_next() const {
  List& items = *std::get<ListPtr>(v_);
  if (items.empty()) return std::nullopt;
  Value first = std::move(items.front());
  items.erase(items.begin());
  return first;
}

bool Value::truthy() const {
  if (is_undefined() || is_none()) return false;
  if (iterator_) return true;
  if (is_bool()) return as_bool();
  if (is_int()) return as_int() != 0;
  if (is_float()) return as_double() != 0.0;
  if (is_string()) return !as_string().empty();
  if (is_list()) return !as_list().empty();
  if (is_dict()) return !as_dict().empty();
  return true;
}

std::string Value::str() const {
  if (is_undefined()) return "";
  if (is_string()) return as_string();
  return repr();
}

std::string Value::repr() const {
  if (is_undefined()) return "Undefined";
  if (iterator_) return "<generator object>";
  if (is_none()) return "None";
  if (is_bool()) return as_bool() ? "True" : "False";
  if (is_int()) return std::to_string(as_int());
  if (is_float()) return python_float_repr(as_double());
  if (is_string()) return python_string_repr(as_string());
  const NestingGuard guard;
  if (is_list()) {
    std::string out = tuple_ ? "(" : "[";
    for (std::size_t i = 0; i < as_list().size(); ++i) out += (i ? ", " : "") + as_list()[i].repr();
    if (tuple_) return out + (as_list().size() == 1 ? ",)" : ")");
    return out + "]";
  }
  if (is_dict()) {
    std::string out = "{";
    for (std::size_t i = 0; i < as_dict().size(); ++i)
      out += (i ? ", " : "") + as_dict()[i].first.repr() + ": " + as_dict()[i].second.repr();
    return out + "}";
  }
  if (is_namespace()) {
    std::string out = "<Namespace {";
    const Dict& d = namespace_attributes();
    for (std::size_t i = 0; i < d.size(); ++i) out += (i ? ", " : "") + d[i].first.repr() + ": " + d[i].second.repr();
    return out + "}>";
  }
  return "<function>";
}

std::string Value::to_json(std::optional<int> indent, bool sort_keys,
                           std::optional<std::pair<std::string, std::string>> separators) const {
  JsonStyle style{indent, sort_keys, indent ? "," : ", ", ": "};
  if (separators) std::tie(style.item_separator, style.key_separator) = *separators;
  std::string out;
  json_value(*this, style, 0, out);
  return out;
}

const Value* Value::find(const std::string& key) const {
  const Dict* d = is_dict() ? &as_dict() : is_namespace() ? &namespace_attributes() : nullptr;
  if (!d) return nullptr;
  for (const auto& [k, v] : *d)
    if (k.is_string() && k.as_string() == key) return &v;
  return nullptr;
}

const Value* Value::find(const Value& key) const {
  if (key.is_string()) return find(key.as_string());
  if (!key.hashable()) throw JinjaError("unhashable type: '" + key.type_name() + "'");
  const Dict* d = is_dict() ? &as_dict() : is_namespace() ? &namespace_attributes() : nullptr;
  if (!d) return nullptr;
  for (const auto& [k, v] : *d)
    if (k == key) return &v;
  return nullptr;
}

bool operator==(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_double() == b.as_double();
    return a.as_int() == b.as_int();
  }
  if (a.v_.index() != b.v_.index() || a.tuple_ != b.tuple_) return false;  // (1, 2) != [1, 2]
  const NestingGuard guard;
  if (a.iterator_ || b.iterator_) return a.iterator_ && b.iterator_ && std::get<Value::ListPtr>(a.v_) == std::get<Value::ListPtr>(b.v_);
  if (a.is_undefined() || a.is_none()) return true;
  if (a.is_string()) return a.as_string() == b.as_string();
  if (a.is_list()) return a.as_list() == b.as_list();
  if (a.is_dict()) {
    if (a.as_dict().size() != b.as_dict().size()) return false;
    for (const auto& [k, v] : a.as_dict()) {
      const Value* other = b.find(k);
      if (!other || !(*other == v)) return false;
    }
    return true;
  }
  if (a.is_namespace()) return std::get<Value::Namespace>(a.v_).attributes == std::get<Value::Namespace>(b.v_).attributes;
  return false;
}

bool less(const Value& a, const Value& b) {
  if (a.is_iterator() || b.is_iterator())
    throw JinjaError("'<' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() + "'");
  if (a.is_number() && b.is_number()) return a.as_double() < b.as_double();
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();
  if (a.is_list() && b.is_list()) {
    const List& x = a.as_list();
    const List& y = b.as_list();
    for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (less(x[i], y[i])) return true;
      if (less(y[i], x[i])) return false;
    }
    return x.size() < y.size();
  }
  throw JinjaError("'<' not supported between instances of '" + a.type_name() + "' and '" + b.type_name() + "'");
}

std::string Value::type_name() const {
  if (is_undefined()) return "Undefined";
  if (iterator_) return "generator";
  if (is_none()) return "NoneType";
  if (is_bool()) return "bool";
  if (is_int()) return "int";
  if (is_float()) return "float";
  if (is_string()) return "str";
  if (is_list()) return "list";
  if (is_dict()) return "dict";
  if (is_namespace()) return "Namespace";
  return "function";
}

}  // namespace r1eval::engine::jinja
