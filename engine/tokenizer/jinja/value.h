// Values of the Jinja subset that renders Hugging Face chat templates, with Python's semantics where the
// rendered text depends on them: str() of None / True / floats / lists / dicts, truthiness, equality and
// order, and transformers' tojson (json.dumps with ensure_ascii=False).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace r1eval::engine::jinja {

// A template that cannot be parsed or rendered; what() is one line.
class JinjaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Value;
using List = std::vector<Value>;
// Insertion order, as Python's dict; keys are strings in chat templates' own data, any hashable value (an
// integer: Seed-OSS's budget table) in their literals.
using Dict = std::vector<std::pair<Value, Value>>;
struct Undefined {
  std::string name;  // what was looked up, for errors
};
struct None {};
// A function value: its arguments (positional, then keyword) give a result.
using Function = std::function<Value(std::vector<Value>&, std::vector<std::pair<std::string, Value>>&)>;

class Value {
 public:
  using ListPtr = std::shared_ptr<List>;
  using DictPtr = std::shared_ptr<Dict>;
  struct Namespace {
    DictPtr attributes;
  };
  struct Callable {
    std::shared_ptr<Function> call;
  };
  using Storage = std::variant<Undefined, None, bool, std::int64_t, double, std::string, ListPtr, DictPtr, Namespace, Callable>;

  Value() : v_(Undefined{}) {}
  Value(None) : v_(None{}) {}
  Value(bool b) : v_(b) {}
  Value(std::int64_t i) : v_(i) {}
  Value(int i) : v_(static_cast<std::int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(List l) : v_(std::make_shared<List>(std::move(l))) {}
  Value(Dict d) : v_(std::make_shared<Dict>(std::move(d))) {}
  // A tuple: a list that prints as Python prints a tuple ("('a', 1)", "(1,)").
  static Value tuple(List l) {
    Value v(std::move(l));
    v.tuple_ = true;
    return v;
  }
  // A Markup string (|safe, |escape): what is added to it with + (or formatted into it with %) is HTML-escaped,
  // as markupsafe does even with autoescape off.
  static Value markup(std::string s) {
    Value v(std::move(s));
    v.markup_ = true;
    return v;
  }
  // A generator (what map, select, unique, ... give in jinja2): always true, no len(), no index, not JSON,
  // consumed by iterating it (iterate() empties it for every copy).
  static Value iterator(List l) {
    Value v(std::move(l));
    v.iterator_ = true;
    return v;
  }
  static Value undefined(std::string name) { return Value(Storage(Undefined{std::move(name)})); }
  static Value make_namespace(Dict attributes) { return Value(Storage(Namespace{std::make_shared<Dict>(std::move(attributes))})); }
  static Value function(Function f) { return Value(Storage(Callable{std::make_shared<Function>(std::move(f))})); }
  // JSON objects keep their key order (ordered_json), as Python dicts from json.loads do.
  static Value from_json(const nlohmann::ordered_json& j);

  bool is_undefined() const { return std::holds_alternative<Undefined>(v_); }
  bool is_none() const { return std::holds_alternative<None>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<std::int64_t>(v_) ; }
  bool is_float() const { return std::holds_alternative<double>(v_); }
  bool is_number() const { return is_int() || is_float() || is_bool(); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_list() const { return std::holds_alternative<ListPtr>(v_); }  // tuples too
  bool is_tuple() const { return tuple_; }
  bool is_markup() const { return markup_; }
  bool is_iterator() const { return iterator_; }
  // An iterator's items, taken out of it (it is empty afterwards); nullopt the first item, taken, of one.
  List take_all() const;
  std::optional<Value> take_next() const;
  bool is_dict() const { return std::holds_alternative<DictPtr>(v_); }
  bool is_namespace() const { return std::holds_alternative<Namespace>(v_); }
  bool is_callable() const { return std::holds_alternative<Callable>(v_); }

  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const { return is_bool() ? (as_bool() ? 1 : 0) : std::get<std::int64_t>(v_); }
  double as_double() const { return is_float() ? std::get<double>(v_) : static_cast<double>(as_int()); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const List& as_list() const { return *std::get<ListPtr>(v_); }
  const Dict& as_dict() const { return *std::get<DictPtr>(v_); }
  Dict& namespace_attributes() const { return *std::get<Namespace>(v_).attributes; }
  const DictPtr& namespace_pointer() const { return std::get<Namespace>(v_).attributes; }
  const Function& as_function() const { return *std::get<Callable>(v_).call; }
  const std::string& undefined_name() const { return std::get<Undefined>(v_).name; }

  // Whether Python could use it as a dict key (not a list, dict or namespace, nor a tuple holding one).
  bool hashable() const;
  // Python's bool(): empty strings, lists and dicts, 0, None and undefined are false.
  bool truthy() const;
  // Python's str(): None -> "None", True -> "True", 2.0 -> "2.0", ['a', 1] -> "['a', 1]"; undefined -> "" (but
  // "Undefined" inside a container, as repr() gives).
  std::string str() const;
  // Python's repr() (strings quoted).
  std::string repr() const;
  // json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys), as
  // transformers' tojson filter; separators default to ", " / ": " (",", ": " with an indent).
  std::string to_json(std::optional<int> indent = std::nullopt, bool sort_keys = false,
                      std::optional<std::pair<std::string, std::string>> separators = std::nullopt) const;
  // A dict's or namespace's entry under a string key / under `key` (Python's equality: 1, 1.0 and True are one
  // key); nullptr when absent.
  const Value* find(const std::string& key) const;
  const Value* find(const Value& key) const;
  // Python's ==.
  friend bool operator==(const Value& a, const Value& b);
  // Python's <, for numbers, strings and lists; throws JinjaError for other pairs.
  friend bool less(const Value& a, const Value& b);
  // "string", "list", ...: for error messages.
  std::string type_name() const;

 private:
  explicit Value(Storage s) : v_(std::move(s)) {}
  Storage v_;
  bool tuple_ = false;
  bool markup_ = false;
  bool iterator_ = false;
};

// markupsafe.escape: & < > " ' as HTML entities.
std::string html_escape(const std::string& s);

// Python's repr of a float: the shortest text that reads back as the same double ("2.0", "0.1", "1e-05").
std::string python_float_repr(double d);

// d[key] = value as Python does it: a key equal to one present (1, 1.0, True) keeps that key's place and
// takes the value; throws JinjaError for an unhashable key.
void dict_set(Dict& d, Value key, Value value);

}  // namespace r1eval::engine::jinja
