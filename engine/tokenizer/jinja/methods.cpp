#include <algorithm>
#include <cctype>

#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "engine/tokenizer/jinja/builtins.h"
#include "engine/tokenizer/jinja/call_arguments.h"
#include "engine/tokenizer/jinja/python_text.h"
#include "engine/tokenizer/jinja/str_format.h"

namespace r1eval::engine::jinja {
namespace {

[[noreturn]] void fail(const std::string& what) { throw JinjaError(what); }

// The part of `t` that Python's optional start / end arguments of find, count, startswith, ... select, in code
// points as Python counts them: None is the whole side, a negative index counts from the end, end is clamped to
// the length. `valid` is false when start lies past end (or past the text), where Python finds nothing, not even
// an empty string.
struct Window {
  std::size_t begin = 0, end = 0;  // byte offsets into t
  std::size_t begin_code_point = 0;
  bool valid = true;
};
Window window(const std::string& t, const Value* start, const Value* end, std::size_t sub_code_points, const std::string& what) {
  const auto length = static_cast<std::int64_t>(code_points(t));
  const auto index = [&](const Value* v, std::int64_t fallback) {
    if (v == nullptr || v->is_none()) return fallback;
    if (!v->is_int() && !v->is_bool()) fail(what + ": slice indices must be integers or None");
    std::int64_t i = v->as_int();
    if (i < 0) i = std::max<std::int64_t>(0, i + length);
    return i;
  };
  const std::int64_t from = index(start, 0), to = std::min(index(end, length), length);
  Window w;
  w.valid = to - from >= static_cast<std::int64_t>(sub_code_points);
  if (!w.valid) return w;
  // Byte offsets of code points `from` and `to`.
  std::int64_t cp = 0;
  for (std::size_t b = 0; b <= t.size(); ++b) {
    if (b < t.size() && (static_cast<unsigned char>(t[b]) & 0xC0) == 0x80) continue;
    if (cp == from) w.begin = b;
    if (cp == to) {
      w.end = b;
      break;
    }
    ++cp;
  }
  w.begin_code_point = static_cast<std::size_t>(from);
  return w;
}

}  // namespace


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
      return bind([](const Value& s, Arguments& args, Keywords& keywords) {
        const Value* keep_ends = argument(args, keywords, 0, "keepends");
        const std::vector<std::string> lines = split_lines(s.as_string(), keep_ends && keep_ends->truthy());
        return Value(List(lines.begin(), lines.end()));
      });
    if (name == "center" || name == "ljust" || name == "rjust") {
      const char align = name == "center" ? '^' : name == "ljust" ? '<' : '>';
      return bind([align, what](const Value& s, Arguments& args, Keywords&) {
        const std::int64_t width = int_argument(args.empty() ? nullptr : &args[0], 0, what);
        const std::string fill = args.size() > 1 ? string_argument(&args[1], what) : " ";
        if (code_points(fill) != 1) fail(what + ": the fill character must be exactly one character long");
        return Value(pad_to_width(s.as_string(), static_cast<std::size_t>(std::max<std::int64_t>(width, 0)), fill, align));
      });
    }
    if (name == "expandtabs")
      return bind([what](const Value& s, Arguments& args, Keywords& keywords) {
        return Value(expand_tabs(s.as_string(), int_argument(argument(args, keywords, 0, "tabsize"), 8, what)));
      });
    if (name == "istitle") return bind([](const Value& s, Arguments&, Keywords&) { return Value(is_title_cased(s.as_string())); });
    if (name == "startswith" || name == "endswith") {
      const bool start = name == "startswith";
      return bind([start, what](const Value& s, Arguments& args, Keywords&) {
        if (args.empty()) fail(what + ": needs an argument");
        const List options = args[0].is_list() ? args[0].as_list() : List{args[0]};
        for (const Value& o : options) {
          const std::string p = string_argument(&o, what);
          const Window w = window(s.as_string(), args.size() > 1 ? &args[1] : nullptr, args.size() > 2 ? &args[2] : nullptr, 0, what);
          if (!w.valid) continue;
          const std::string_view t = std::string_view(s.as_string()).substr(w.begin, w.end - w.begin);
          if (t.size() >= p.size() && (start ? t.substr(0, p.size()) == p : t.substr(t.size() - p.size()) == p))
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
        const Window w = window(s.as_string(), args.size() > 1 ? &args[1] : nullptr, args.size() > 2 ? &args[2] : nullptr,
                                code_points(sub), what);
        if (!w.valid) return Value(static_cast<std::int64_t>(name == "count" ? 0 : -1));
        const std::string t = s.as_string().substr(w.begin, w.end - w.begin);
        if (name == "count") {
          if (sub.empty()) return Value(static_cast<std::int64_t>(code_points(t) + 1));
          std::int64_t n = 0;
          for (std::size_t at = t.find(sub); at != std::string::npos; at = t.find(sub, at + sub.size())) ++n;
          return Value(n);
        }
        const std::size_t at = name == "find" ? t.find(sub) : t.rfind(sub);
        if (at == std::string::npos) return Value(static_cast<std::int64_t>(-1));
        return Value(static_cast<std::int64_t>(w.begin_code_point + code_points(t.substr(0, at))));
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
        const Window w = window(s.as_string(), args.size() > 1 ? &args[1] : nullptr, args.size() > 2 ? &args[2] : nullptr,
                                code_points(sub), what);
        const std::string t = w.valid ? s.as_string().substr(w.begin, w.end - w.begin) : std::string();
        const std::size_t at = !w.valid ? std::string::npos : name == "index" ? t.find(sub) : t.rfind(sub);
        if (at == std::string::npos) fail(what + ": substring not found");
        return Value(static_cast<std::int64_t>(w.begin_code_point + code_points(t.substr(0, at))));
      });
    if (name == "zfill")
      return bind([what](const Value& s, Arguments& args, Keywords&) {
        const std::size_t width = static_cast<std::size_t>(int_argument(args.empty() ? nullptr : &args[0], 0, what));
        if (width > kMaxTextBytes) fail(what + ": a string over " + std::to_string(kMaxTextBytes >> 20) + " MiB");
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
    if (name == "isdigit" || name == "isspace" || name == "isalpha" || name == "isalnum" || name == "isdecimal" ||
        name == "isnumeric") {
      bool (*test)(UChar32) =
          name == "isdigit"     ? [](UChar32 c) -> bool { return u_getIntPropertyValue(c, UCHAR_NUMERIC_TYPE) == U_NT_DIGIT ||
                                                                 u_getIntPropertyValue(c, UCHAR_NUMERIC_TYPE) == U_NT_DECIMAL; }
          : name == "isdecimal" ? [](UChar32 c) -> bool { return u_getIntPropertyValue(c, UCHAR_NUMERIC_TYPE) == U_NT_DECIMAL; }
          : name == "isnumeric" ? [](UChar32 c) -> bool { return u_getIntPropertyValue(c, UCHAR_NUMERIC_TYPE) != U_NT_NONE; }
          : name == "isspace"   ? [](UChar32 c) -> bool { return u_isUWhiteSpace(c); }
          : name == "isalpha"   ? [](UChar32 c) -> bool { return u_isalpha(c); }
                                : [](UChar32 c) -> bool { return u_isalnum(c); };
      return bind([test](const Value& s, Arguments&, Keywords&) { return Value(all_code_points(s.as_string(), test)); });
    }
    return std::nullopt;
  }
  if (object.is_dict()) {
    if (name == "get")
      return bind([](const Value& d, Arguments& args, Keywords&) {
        if (args.empty()) fail("dict.get: needs a key");
        const Value* found = d.find(args[0]);
        return found ? *found : (args.size() > 1 ? args[1] : Value(None{}));
      });
    if (name == "copy") return bind([](const Value& d, Arguments&, Keywords&) { return Value(Dict(d.as_dict())); });
    if (name == "items" || name == "keys" || name == "values")
      return bind([name](const Value& d, Arguments&, Keywords&) {
        List out;
        for (const auto& [k, v] : d.as_dict()) {
          if (name == "items") out.push_back(Value::tuple(List{k, v}));
          else if (name == "keys") out.push_back(k);
          else out.push_back(v);
        }
        return Value(std::move(out));
      });
    return std::nullopt;
  }
  if (object.is_list() && !object.is_iterator()) {
    if (name == "copy" && !object.is_tuple()) return bind([](const Value& l, Arguments&, Keywords&) { return Value(List(l.as_list())); });
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
