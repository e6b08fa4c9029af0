#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include <unicode/uchar.h>

#include "engine/tokenizer/jinja/builtins.h"
#include "engine/tokenizer/jinja/call_arguments.h"
#include "engine/tokenizer/jinja/python_text.h"

namespace r1eval::engine::jinja {
namespace {

[[noreturn]] void fail(const std::string& what) { throw JinjaError(what); }

// obj.attribute ("a.b" walks nested dicts; a part of digits is an integer item, of a list or a dict, as
// jinja2's attribute getter makes it); undefined when absent.
Value attribute_of(const Value& v, const std::string& path) {
  Value cur = v;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const bool digits = !part.empty() && part.size() <= 18 &&
                        std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    const Value* found = nullptr;
    if (!digits) {
      found = cur.find(part);
    } else if (cur.is_list()) {
      const auto i = static_cast<std::size_t>(std::stoll(part));
      if (i < cur.as_list().size()) found = &cur.as_list()[i];
    } else {
      found = cur.find(Value(static_cast<std::int64_t>(std::stoll(part))));
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
  if (!input.truthy()) return Value::iterator(List{});  // jinja2: "if value:" before iterating (tools is None)
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
  return Value::iterator(std::move(out));
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


bool number_test(const Value& v) { return v.is_number() && !v.is_bool(); }

}  // namespace


List iterate(const Value& v, const std::string& what) {
  if (v.is_iterator()) return v.take_all();
  if (v.is_list()) return v.as_list();
  if (v.is_dict()) {
    List keys;
    for (const auto& [k, x] : v.as_dict()) keys.push_back(k);
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


Value apply_filter(const std::string& name, const Value& input, Arguments& args, Keywords& keywords) {
  const std::string what = "filter '" + name + "'";
  if (name == "trim" || name == "strip") {
    if (!input.is_string() && !input.is_undefined()) return Value(strip_whitespace(input.str(), true, true));
    const Value* chars = argument(args, keywords, 0, "chars");
    if (chars && chars->is_string()) return Value(strip_chars(input.str(), chars->as_string(), true, true));
    return Value(strip_whitespace(input.str(), true, true));
  }
  if (name == "length" || name == "count") {
    if (input.is_iterator()) fail(what + ": object of type 'generator' has no len()");
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
  if (name == "safe") return input.is_markup() ? input : Value::markup(input.str());
  if (name == "first" && input.is_iterator()) return input.take_next().value_or(Value::undefined("first"));
  if (name == "last" && input.is_iterator()) fail(what + ": 'generator' object is not reversible");
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
    for (const auto& [k, v] : input.as_dict()) pairs.push_back(Value::tuple(List{k, v}));
    return Value::iterator(std::move(pairs));
  }
  if (name == "list") return Value(iterate(input, what));
  if (name == "reverse") {
    if (input.is_string()) {
      std::vector<std::string> chars = utf8_characters(input.as_string());
      std::string out;
      for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += *it;
      return Value(std::move(out));
    }
    // jinja2: reversed(value), an iterator; a generator cannot be reversed and becomes a reversed list.
    const bool generator = input.is_iterator();
    List items = iterate(input, what);
    std::reverse(items.begin(), items.end());
    return generator ? Value(std::move(items)) : Value::iterator(std::move(items));
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
    // int(text, base) takes the base's own prefix ("0b11" in base 2, "0x1A" in base 16; any of them in base 0).
    // Base 0 reads the prefix's base, and a number with a leading zero and no prefix is no integer there.
    const std::size_t sign = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
    std::int64_t read_base = base;
    bool valid = true;
    if (text.size() > sign + 2 && text[sign] == '0' && std::isalpha(static_cast<unsigned char>(text[sign + 1]))) {
      const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(text[sign + 1])));
      const std::int64_t prefix_base = p == 'b' ? 2 : p == 'o' ? 8 : p == 'x' ? 16 : 0;
      if (prefix_base != 0 && (base == 0 || base == prefix_base)) {
        text = text.substr(0, sign) + text.substr(sign + 2);
        read_base = prefix_base;
      }
    } else if (base == 0) {
      read_base = 10;
      valid = !(text.size() > sign + 1 && text[sign] == '0' && text.find_first_not_of('0', sign) != std::string::npos);
    }
    try {
      std::size_t used = 0;
      const std::int64_t n = valid && read_base >= 2 && read_base <= 36 ? std::stoll(text, &used, static_cast<int>(read_base)) : 0;
      if (valid && used == text.size() && !text.empty() && text[sign] != '-' && text[sign] != '+') return Value(n);
    } catch (const std::exception&) {
    }
    if (base == 10 || base == 0) {  // "3.7" -> 3, as jinja2 (through float)
      if (const std::optional<double> d = whole_float(text); d && std::fabs(*d) < 9.2e18) return Value(static_cast<std::int64_t>(*d));
    }
    return fallback ? *fallback : Value(static_cast<std::int64_t>(0));
  }
  if (name == "format") {  // value % args, or value % kwargs ("%(name)s")
    if (!keywords.empty()) {
      if (!args.empty()) fail(what + ": can't handle positional and keyword arguments at the same time");
      Dict named;
      for (auto& [k, v] : keywords) dict_set(named, Value(k), v);
      return Value(percent_format(input.str(), Value(std::move(named))));
    }
    List values(args.begin(), args.end());
    return Value(percent_format(input.str(), values.size() == 1 ? values[0] : Value::tuple(values)));
  }
  if (name == "e" || name == "escape") return input.is_markup() ? input : Value::markup(html_escape(input.str()));
  if (name == "forceescape") return Value::markup(html_escape(input.str()));
  if (name == "center") {
    const std::size_t width = static_cast<std::size_t>(int_argument(argument(args, keywords, 0, "width"), 80, what));
    return Value(pad_to_width(input.str(), width, " ", '^'));
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
    if (!input.truthy()) return Value::iterator(List{});
    const Value* attribute = keyword(keywords, "attribute");
    List out;
    if (attribute) {
      const Value* fallback = keyword(keywords, "default");
      for (const Value& item : iterate(input, what)) {
        Value v = attribute_of(item, attribute->str());
        out.push_back(v.is_undefined() && fallback ? *fallback : v);
      }
      return Value::iterator(std::move(out));
    }
    if (args.empty()) fail(what + ": needs a filter name or attribute=");
    const std::string inner = string_argument(&args[0], what);
    Arguments rest(args.begin() + 1, args.end());
    for (const Value& item : iterate(input, what)) {
      Arguments a = rest;
      Keywords k = keywords;
      out.push_back(apply_filter(inner, item, a, k));
    }
    return Value::iterator(std::move(out));
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
    return Value::iterator(std::move(out));
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
    const Value* start = argument(args, keywords, 1, "start");
    List items = iterate(input, what);
    if (attribute)
      for (Value& v : items) v = attribute_of(v, attribute->str());
    if (start) items.insert(items.begin(), *start);
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
    const auto key = [&](const std::pair<Value, Value>& p) { return comparison_key(by_value ? p.second : p.first, cs); };
    std::stable_sort(d.begin(), d.end(), [&](const auto& a, const auto& b) { return less(key(a), key(b)); });
    if (reverse && reverse->truthy()) std::reverse(d.begin(), d.end());
    List pairs;
    for (const auto& [k, v] : d) pairs.push_back(Value::tuple(List{k, v}));
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
  if (std::optional<Value> cut = apply_sequence_filter(name, input, args, keywords)) return std::move(*cut);
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
  if (name == "sequence") return (v.is_list() && !v.is_iterator()) || v.is_dict() || v.is_string() || v.is_undefined();
  if (name == "callable") return v.is_callable();
  if (name == "odd" || name == "even") {  // value % 2 == 1 / == 0, floats too (3.0 is odd; 2.5 is neither)
    if (v.is_float()) {
      const double m = v.as_double() - 2.0 * std::floor(v.as_double() / 2.0);
      return name == "odd" ? m == 1.0 : m == 0.0;
    }
    if (!v.is_int() && !v.is_bool()) fail("test '" + name + "' needs a number");
    return (((v.as_int() % 2) + 2) % 2 == 1) == (name == "odd");
  }
  if (name == "escaped") return v.is_markup();
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
    if (c.is_dict()) return c.find(v) != nullptr;
    for (const Value& x : iterate(c, "test 'in'"))
      if (x == v) return true;
    return false;
  }
  if (name == "sameas") return v == arg(0) && v.type_name() == arg(0).type_name();
  if (name == "lower") return is_one_case(v.str(), true);  // jinja2 tests str(value)
  if (name == "upper") return is_one_case(v.str(), false);
  fail("no test named '" + name + "'");
}

}  // namespace r1eval::engine::jinja
