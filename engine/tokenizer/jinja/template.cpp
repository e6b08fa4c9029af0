#include "engine/tokenizer/jinja/template.h"

#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/tokenizer/jinja/builtins.h"
#include "engine/tokenizer/jinja/parser.h"

namespace r1eval::engine::jinja {
namespace {

constexpr std::int64_t kMaxRange = 100000;  // jinja2's sandbox limit on range()
constexpr int kMaxCallDepth = 100;          // macros calling macros
constexpr std::size_t kMaxOutput = kMaxTextBytes;  // a template that writes (or builds a string) more than this is refused
constexpr std::int64_t kMaxSteps = 2'000'000;   // statements and expressions evaluated: a loop that never ends is refused


[[noreturn]] void fail(const std::string& what) { throw JinjaError(what); }

// Where a recursive loop's `loop` keeps the function loop(items) calls (no template can spell the key).
constexpr const char* kLoopCall = " loop call";

// A value built by an operator, checked against the limits a template from a checkpoint must keep to.
Value bounded(Value v) {
  if (v.is_string() && v.as_string().size() > kMaxOutput) fail("a string over " + std::to_string(kMaxOutput >> 20) + " MiB");
  if (v.is_list() && v.as_list().size() > kMaxListItems) fail("a list over " + std::to_string(kMaxListItems) + " items");
  return v;
}

[[noreturn]] void unsupported_operands(const std::string& op, const Value& a, const Value& b) {
  fail("unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
  const bool numbers = a.is_number() && b.is_number();
  const bool floats = numbers && (a.is_float() || b.is_float());
  // Python's integers do not overflow; ours refuse rather than wrap.
  const auto checked = [&](bool (*f)(std::int64_t, std::int64_t, std::int64_t*)) {
    std::int64_t r = 0;
    if (f(a.as_int(), b.as_int(), &r)) fail("integer overflow in '" + op + "' (past 64 bits)");
    return Value(r);
  };
  constexpr auto add = [](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_add_overflow(x, y, r); };
  constexpr auto sub = [](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_sub_overflow(x, y, r); };
  constexpr auto mul = [](std::int64_t x, std::int64_t y, std::int64_t* r) { return __builtin_mul_overflow(x, y, r); };
  if (op == "+") {
    if (numbers) return floats ? Value(a.as_double() + b.as_double()) : checked(add);
    if (a.is_string() && b.is_string()) {
      // Markup + str escapes the str, str + Markup too (markupsafe's __add__ / __radd__).
      if (a.is_markup() || b.is_markup())
        return Value::markup((a.is_markup() ? a.as_string() : html_escape(a.as_string())) +
                             (b.is_markup() ? b.as_string() : html_escape(b.as_string())));
      return Value(a.as_string() + b.as_string());
    }
    if (a.is_list() && b.is_list() && !a.is_iterator() && !b.is_iterator() && a.is_tuple() == b.is_tuple()) {
      List l = a.as_list();
      l.insert(l.end(), b.as_list().begin(), b.as_list().end());
      return a.is_tuple() ? Value::tuple(std::move(l)) : Value(std::move(l));
    }
    unsupported_operands(op, a, b);
  }
  if (op == "-") {
    if (!numbers) unsupported_operands(op, a, b);
    return floats ? Value(a.as_double() - b.as_double()) : checked(sub);
  }
  if (op == "*") {
    if (numbers) return floats ? Value(a.as_double() * b.as_double()) : checked(mul);
    const Value& seq = a.is_number() ? b : a;
    const Value& times = a.is_number() ? a : b;
    if (!(times.is_int() || times.is_bool()) || !(seq.is_string() || seq.is_list()) || seq.is_iterator())
      unsupported_operands(op, a, b);
    const std::int64_t n = times.as_int();
    const std::size_t unit = seq.is_string() ? seq.as_string().size() : seq.as_list().size();
    if (n > 0 && unit > 0 && static_cast<std::uint64_t>(n) > kMaxOutput / unit) fail("a repetition over " + std::to_string(kMaxOutput >> 20) + " MiB");
    if (seq.is_string()) {
      std::string s;
      for (std::int64_t i = 0; i < n; ++i) s += seq.as_string();
      return Value(std::move(s));
    }
    List l;
    for (std::int64_t i = 0; i < n; ++i) l.insert(l.end(), seq.as_list().begin(), seq.as_list().end());
    return Value(std::move(l));
  }
  if (op == "%" && a.is_string()) {
    if (!a.is_markup()) return Value(percent_format(a.as_string(), b));  // builtins.h
    // Markup % args: each argument's text escaped (numbers print as numbers); a mapping's values.
    const auto escaped = [](const Value& x) { return x.is_number() || x.is_markup() ? x : Value(html_escape(x.str())); };
    Value args = b;
    if (b.is_dict()) {
      Dict items;
      for (const auto& [k, v] : b.as_dict()) items.emplace_back(k, escaped(v));
      args = Value(std::move(items));
    } else if (b.is_tuple()) {
      List items;
      for (const Value& x : b.as_list()) items.push_back(escaped(x));
      args = Value::tuple(std::move(items));
    } else {
      args = escaped(b);
    }
    return Value::markup(percent_format(a.as_string(), args));
  }
  if (!numbers) unsupported_operands(op, a, b);
  if (op == "/") {
    if (b.as_double() == 0) fail("division by zero");
    return Value(a.as_double() / b.as_double());
  }
  if (op == "//" || op == "%") {
    if (b.as_double() == 0) fail(op == "//" ? "integer division or modulo by zero" : "modulo by zero");
    if (!floats) {
      const std::int64_t q = floor_div(a.as_int(), b.as_int());
      return op == "//" ? Value(q) : Value(a.as_int() - q * b.as_int());
    }
    // CPython's float divmod: the remainder from fmod, its sign made that of the divisor.
    const double x = a.as_double(), y = b.as_double();
    double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0.0 && ((y < 0) != (mod < 0))) {
      mod += y;
      div -= 1.0;
    }
    if (mod == 0.0) mod = std::copysign(0.0, y);
    double floor_div = 0.0;
    if (div != 0.0) {
      floor_div = std::floor(div);
      if (div - floor_div > 0.5) floor_div += 1.0;
    } else {
      floor_div = std::copysign(0.0, x / y);
    }
    return op == "//" ? Value(floor_div) : Value(mod);
  }
  if (op == "**") {
    if (!floats && b.as_int() >= 0) {
      const std::int64_t base = a.as_int(), exponent = b.as_int();
      if (base == 0 || base == 1) return Value(exponent == 0 ? std::int64_t{1} : base);
      if (base == -1) return Value(exponent % 2 == 0 ? std::int64_t{1} : std::int64_t{-1});
      std::int64_t p = 1;  // |base| >= 2: past 63 steps it has overflowed
      for (std::int64_t i = 0; i < exponent; ++i)
        if (__builtin_mul_overflow(p, base, &p)) fail("integer overflow in '**' (past 64 bits)");
      return Value(p);
    }
    return Value(std::pow(a.as_double(), b.as_double()));
  }
  fail("unknown operator '" + op + "'");
}

bool contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) fail("'in <string>' requires string as left operand, not " + item.type_name());
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  if (container.is_dict()) return container.find(item) != nullptr;
  if (container.is_iterator()) {  // consumed up to the item found, as Python's `in` does a generator
    while (const std::optional<Value> next = container.take_next())
      if (*next == item) return true;
    return false;
  }
  if (container.is_list()) {
    for (const Value& x : container.as_list())
      if (x == item) return true;
    return false;
  }
  if (container.is_undefined()) return false;
  fail("argument of type '" + container.type_name() + "' is not iterable");
}

// Python's index into a sequence of `size` (negative from the end); nullopt when out of range.
std::optional<std::size_t> sequence_index(std::int64_t i, std::size_t size) {
  if (i < 0) i += static_cast<std::int64_t>(size);
  if (i < 0 || i >= static_cast<std::int64_t>(size)) return std::nullopt;
  return static_cast<std::size_t>(i);
}

// Python's slice [start:stop:step] of `n` items: the chosen indices.
std::vector<std::size_t> slice_indices(std::size_t n, const Value& start_v, const Value& stop_v, const Value& step_v) {
  const auto as_int = [](const Value& v) -> std::optional<std::int64_t> {
    if (v.is_undefined() || v.is_none()) return std::nullopt;
    if (!v.is_int() && !v.is_bool()) fail("slice indices must be integers or None");
    return v.as_int();
  };
  const std::int64_t size = static_cast<std::int64_t>(n);
  const std::int64_t step = as_int(step_v).value_or(1);
  if (step == 0) fail("slice step cannot be zero");
  const auto clamp = [&](std::optional<std::int64_t> v, std::int64_t fallback) {
    if (!v) return fallback;
    std::int64_t x = *v < 0 ? *v + size : *v;
    if (step > 0) return std::clamp<std::int64_t>(x, 0, size);
    return std::clamp<std::int64_t>(x, -1, size - 1);
  };
  const std::int64_t start = clamp(as_int(start_v), step > 0 ? 0 : size - 1);
  const std::int64_t stop = clamp(as_int(stop_v), step > 0 ? size : -1);
  std::vector<std::size_t> out;
  for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(static_cast<std::size_t>(i));
  return out;
}

class Renderer {
 public:
  Renderer(const nlohmann::ordered_json& context, const RenderOptions& options) : options_(options) {
    push_frame();
    if (!context.is_object()) fail("the context must be a JSON object");
    for (const auto& [k, v] : context.items()) frames_.back()[k] = Value::from_json(v);
  }

  std::string render(const Body& body) {
    std::string out;
    run(body, out);
    return out;
  }

 private:
  enum class Flow { kNormal, kBreak, kContinue };
  // One scope's names; a macro's frame ends name lookup there (only the template's globals lie beyond).
  struct Frame {
    std::unordered_map<std::string, Value> vars;
    bool macro = false;
    std::uint64_t id = 0;  // which scope this is (a macro finds the scopes it was defined in by it)
    Value& operator[](const std::string& name) { return vars[name]; }
  };
  Frame& push_frame() {
    frames_.emplace_back();
    frames_.back().id = ++frames_made_;
    return frames_.back();
  }
  // The scopes a macro was defined in (innermost first), as they were then.
  using Scopes = std::vector<std::pair<std::uint64_t, std::unordered_map<std::string, Value>>>;

  Flow run(const Body& body, std::string& out) {
    for (const auto& stmt : body) {
      Flow f;
      try {
        f = execute(*stmt, out);
      } catch (const JinjaError& e) {
        const std::string message = e.what();
        if (message.rfind("line ", 0) == 0) throw;
        throw JinjaError("line " + std::to_string(stmt->line) + ": " + message);
      }
      if (out.size() > kMaxOutput) fail("the template's output is over " + std::to_string(kMaxOutput >> 20) + " MiB");
      if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
  }

  Flow execute(const Stmt& s, std::string& out) {
    step();
    switch (s.kind) {
      case Stmt::Kind::kText: out += s.text; return Flow::kNormal;
      case Stmt::Kind::kOutput: out += eval(*s.expr).str(); return Flow::kNormal;
      case Stmt::Kind::kIf:
        for (std::size_t i = 0; i < s.conditions.size(); ++i)
          if (eval(*s.conditions[i]).truthy()) return run(s.bodies[i], out);
        if (s.bodies.size() > s.conditions.size()) return run(s.bodies.back(), out);
        return Flow::kNormal;
      case Stmt::Kind::kFor: return loop(s, out);
      case Stmt::Kind::kSet: assign(s, eval(*s.expr)); return Flow::kNormal;
      case Stmt::Kind::kSetBlock: {
        std::string captured;
        push_frame();  // names set inside the block stay there, as in jinja2
        // A break or continue leaves the block at once: nothing is assigned (jinja2's loop control).
        if (const Flow f = run(s.bodies[0], captured); f != Flow::kNormal) {
          frames_.pop_back();
          return f;
        }
        Value v(std::move(captured));
        if (s.expr) {
          frames_.back()[kFilterBlockInput] = std::move(v);
          v = eval(*s.expr);
        }
        frames_.pop_back();
        frames_.back()[s.targets[0]] = std::move(v);
        return Flow::kNormal;
      }
      case Stmt::Kind::kMacro: frames_.back()[s.targets[0]] = macro_value(&s); return Flow::kNormal;
      case Stmt::Kind::kCallBlock: out += call(eval(*s.expr->args[0]), *s.expr, 1, macro_value(&s)).str(); return Flow::kNormal;
      case Stmt::Kind::kWith: {
        List values;
        for (const ExprPtr& v : s.values) values.push_back(eval(*v));  // in the scope outside, as jinja2
        push_frame();
        for (std::size_t i = 0; i < values.size(); ++i) frames_.back()[s.targets[i]] = std::move(values[i]);
        const Flow f = run(s.bodies[0], out);
        frames_.pop_back();
        return f;
      }
      case Stmt::Kind::kBreak: return Flow::kBreak;
      case Stmt::Kind::kContinue: return Flow::kContinue;
      case Stmt::Kind::kBlock: return run(s.bodies[0], out);
      case Stmt::Kind::kFilterBlock: {
        std::string captured;
        push_frame();  // a scope of its own, as a block set
        if (const Flow f = run(s.bodies[0], captured); f != Flow::kNormal) {  // the block's text is dropped
          frames_.pop_back();
          return f;
        }
        frames_.back()[kFilterBlockInput] = Value(std::move(captured));
        const Value filtered = eval(*s.expr);
        frames_.pop_back();
        out += filtered.str();
        return Flow::kNormal;
      }
    }
    return Flow::kNormal;
  }

  void assign(const Stmt& s, Value v) {
    if (!s.namespace_attribute) {
      bind_targets(s.targets, v);
      return;
    }
    if (!s.targets[1].empty() && s.targets[1][0] == '_') fail("access to attribute '" + s.targets[1] + "' is unsafe");
    const Value ns = lookup(s.targets[0]);
    if (!ns.is_namespace()) fail("cannot assign attribute on non-namespace object '" + s.targets[0] + "'");
    Dict& attributes = ns.namespace_attributes();
    for (auto& [k, x] : attributes)
      if (k.is_string() && k.as_string() == s.targets[1]) {
        x = std::move(v);
        return;
      }
    attributes.emplace_back(Value(s.targets[1]), std::move(v));
  }

  void bind_targets(const std::vector<std::string>& targets, const Value& item) {
    auto& frame = frames_.back();
    if (targets.size() == 1) {
      frame[targets[0]] = item;
      return;
    }
    const List parts = item.is_list() ? item.as_list() : List{};
    if (parts.size() != targets.size())
      fail("cannot unpack " + item.repr() + " into " + std::to_string(targets.size()) + " names");
    for (std::size_t i = 0; i < targets.size(); ++i) frame[targets[i]] = parts[i];
  }

  Flow loop(const Stmt& s, std::string& out) { return loop_over(s, iterate(eval(*s.expr), "for loop"), 0, out); }

  // One level of a loop (depth0 > 0: a recursive loop's loop(items) call).
  Flow loop_over(const Stmt& s, List items, std::int64_t depth0, std::string& out) {
    if (s.condition) {
      List kept;
      for (const Value& item : items) {
        step();
        push_frame();
        bind_targets(s.targets, item);
        const bool keep = eval(*s.condition).truthy();
        frames_.pop_back();
        if (keep) kept.push_back(item);
      }
      items = std::move(kept);
    }
    // jinja2 runs the else block unless some pass reached the end of the body: an empty loop, and one whose
    // every pass broke off or continued early.
    bool a_pass_finished = false;
    const auto n = static_cast<std::int64_t>(items.size());
    auto last_seen = std::make_shared<std::optional<List>>();  // loop.changed's memory, across the passes
    for (std::int64_t i = 0; i < n; ++i) {
      step();
      push_frame();
      bind_targets(s.targets, items[static_cast<std::size_t>(i)]);
      Dict info = {{"index", Value(i + 1)},
                   {"index0", Value(i)},
                   {"revindex", Value(n - i)},
                   {"revindex0", Value(n - i - 1)},
                   {"first", Value(i == 0)},
                   {"last", Value(i == n - 1)},
                   {"length", Value(n)},
                   {"depth", Value(depth0 + 1)},
                   {"depth0", Value(depth0)},
                   {"previtem", i > 0 ? items[static_cast<std::size_t>(i - 1)] : Value::undefined("previtem")},
                   {"nextitem", i + 1 < n ? items[static_cast<std::size_t>(i + 1)] : Value::undefined("nextitem")}};
      info.emplace_back("cycle", Value::function([i](Arguments& args, Keywords&) {
        if (args.empty()) fail("loop.cycle: needs at least one argument");
        return args[static_cast<std::size_t>(i) % args.size()];
      }));
      info.emplace_back("changed", Value::function([last_seen](Arguments& args, Keywords&) {
        List now(args.begin(), args.end());
        if (*last_seen && **last_seen == now) return Value(false);
        *last_seen = std::move(now);
        return Value(true);
      }));
      if (s.recursive)
        info.emplace_back(kLoopCall, Value::function([this, &s, depth0](Arguments& args, Keywords&) {
          if (args.size() != 1) fail("loop() takes exactly one argument (the items of the next level)");
          // One budget for macro calls and recursive loop levels together: each costs native stack.
          if (++call_depth_ > kMaxCallDepth) fail("macros and recursive loops nested too deeply");
          std::string inner;
          loop_over(s, iterate(args[0], "for loop"), depth0 + 1, inner);
          --call_depth_;
          return Value(std::move(inner));
        }));
      frames_.back()["loop"] = Value(std::move(info));
      const Flow f = run(s.bodies[0], out);
      frames_.pop_back();
      if (f == Flow::kNormal) a_pass_finished = true;
      if (f == Flow::kBreak) break;
    }
    if (!a_pass_finished) return run(s.bodies[1], out);
    return Flow::kNormal;
  }

  // The scopes a macro or caller defined here sees besides the template's globals (up to the macro it is in).
  Scopes closure() const {
    Scopes scopes;
    for (std::size_t i = frames_.size(); i-- > 1;) {
      scopes.emplace_back(frames_[i].id, frames_[i].vars);
      if (frames_[i].macro) break;
    }
    return scopes;
  }

  // The frame a macro's body looks names up in beyond its own: its defining scopes as they are now when they
  // are still open (jinja2's closures see later sets, and the macro itself for recursion), else as they were.
  Frame closure_frame(const Scopes& scopes) const {
    Frame merged;
    merged.macro = true;
    for (const auto& [id, vars] : scopes) {
      const std::unordered_map<std::string, Value>* source = &vars;
      for (auto it = frames_.rbegin(); it != frames_.rend(); ++it)
        if (it->id == id) {
          source = &it->vars;
          break;
        }
      for (const auto& [name, value] : *source) merged.vars.emplace(name, value);  // inner scopes win
    }
    return merged;
  }

  // A macro (or a call block's caller): targets[0] its name, targets[1..] its parameters. As jinja2: missing
  // arguments are undefined unless defaulted; extra positional ones go to varargs and unknown keywords to
  // kwargs when the body names them, else they are errors; caller is bound when the body names it.
  Value macro_value(const Stmt* macro) {
    auto captured = std::make_shared<const Scopes>(closure());
    return Value::function([this, macro, captured](Arguments& args, Keywords& keywords) {
      const std::string& name = macro->targets[0];
      const std::size_t params = macro->targets.size() - 1;
      if (args.size() > params && !macro->catches.varargs)
        fail("macro '" + name + "' takes not more than " + std::to_string(params) + " argument(s)");
      if (++call_depth_ > kMaxCallDepth) fail("macros nested too deeply");
      frames_.push_back(closure_frame(*captured));
      frames_.back().id = ++frames_made_;
      push_frame();
      Frame& frame = frames_.back();
      std::vector<bool> given(params, false);
      for (std::size_t p = 0; p < params && p < args.size(); ++p) {
        frame[macro->targets[p + 1]] = args[p];
        given[p] = true;
      }
      Dict extra;
      Value caller = Value::undefined("caller");
      for (auto& [k, x] : keywords) {
        const auto at = std::find(macro->targets.begin() + 1, macro->targets.end(), k);
        if (at != macro->targets.end()) {
          const auto p = static_cast<std::size_t>(at - macro->targets.begin() - 1);
          if (given[p]) fail("macro '" + name + "' got multiple values for argument '" + k + "'");
          frame[k] = x;
          given[p] = true;
        } else if (k == "caller" && macro->catches.caller) {
          caller = x;
        } else if (macro->catches.kwargs) {
          dict_set(extra, Value(k), x);
        } else if (k == "caller") {
          fail("macro '" + name + "' was invoked with two values for the special caller argument");
        } else {
          fail("macro '" + name + "' takes no keyword argument '" + k + "'");
        }
      }
      for (std::size_t p = 0; p < params; ++p)
        if (!given[p])
          frames_.back()[macro->targets[p + 1]] =
              macro->defaults[p] ? eval(*macro->defaults[p]) : Value::undefined(macro->targets[p + 1]);
      if (macro->catches.varargs)
        frames_.back()["varargs"] = Value::tuple(args.size() > params ? List(args.begin() + static_cast<std::ptrdiff_t>(params), args.end()) : List{});
      if (macro->catches.kwargs) frames_.back()["kwargs"] = Value(std::move(extra));
      if (macro->catches.caller) frames_.back()["caller"] = caller;
      std::string out;
      run(macro->bodies[0], out);
      frames_.pop_back();
      frames_.pop_back();
      --call_depth_;
      return Value(std::move(out));
    });
  }

  Value lookup(const std::string& name) {
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
      if (const auto found = it->vars.find(name); found != it->vars.end()) return found->second;
      if (it->macro) {
        if (const auto top = frames_.front().vars.find(name); top != frames_.front().vars.end()) return top->second;
        break;
      }
    }
    if (name == "range")
      return Value::function([](Arguments& args, Keywords&) {
        if (args.empty() || args.size() > 3) fail("range expected 1 to 3 arguments");
        for (const Value& a : args)
          if (!a.is_int()) fail("range: expected integers");
        const std::int64_t start = args.size() > 1 ? args[0].as_int() : 0;
        const std::int64_t stop = args.size() > 1 ? args[1].as_int() : args[0].as_int();
        const std::int64_t step = args.size() > 2 ? args[2].as_int() : 1;
        if (step == 0) fail("range() arg 3 must not be zero");
        List out;
        for (std::int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
          if (static_cast<std::int64_t>(out.size()) >= kMaxRange) fail("range too big");
          out.emplace_back(i);
        }
        return Value(std::move(out));
      });
    if (name == "namespace")
      return Value::function([](Arguments& args, Keywords& keywords) {
        Dict attributes;
        for (const Value& a : args)
          if (a.is_dict())
            for (const auto& [k, v] : a.as_dict()) dict_set(attributes, k, v);
        for (auto& [k, v] : keywords) dict_set(attributes, Value(k), v);
        for (const auto& [k, v] : attributes)  // the sandbox's rule
          if (k.is_string() && !k.as_string().empty() && k.as_string()[0] == '_')
            fail("access to attribute '" + k.as_string() + "' is unsafe");
        return Value::make_namespace(std::move(attributes));
      });
    if (name == "dict")
      return Value::function([](Arguments& args, Keywords& keywords) {
        // dict(mapping or (key, value) pairs, **keywords), later entries replacing earlier ones.
        if (args.size() > 1) fail("dict expected at most 1 argument, got " + std::to_string(args.size()));
        Dict d;
        if (!args.empty() && args[0].is_dict()) {
          for (const auto& [k, v] : args[0].as_dict()) dict_set(d, k, v);
        } else if (!args.empty() && args[0].is_list()) {
          for (const Value& pair : args[0].as_list()) {
            if (!pair.is_list() || pair.as_list().size() != 2) fail("dict: each element must be a (key, value) pair");
            dict_set(d, pair.as_list()[0], pair.as_list()[1]);
          }
        } else if (!args.empty()) {
          fail("dict: cannot convert " + args[0].type_name() + " to a dict");
        }
        for (auto& [k, v] : keywords) dict_set(d, Value(k), v);
        return Value(std::move(d));
      });
    if (name == "joiner")  // "" the first time it is called, then the separator
      return Value::function([](Arguments& args, Keywords& keywords) {
        Value separator = args.empty() ? Value(", ") : args[0];
        for (auto& [k, v] : keywords)
          if (k == "sep") separator = v;
        auto used = std::make_shared<bool>(false);
        return Value::function([separator, used](Arguments&, Keywords&) {
          if (!*used) {
            *used = true;
            return Value("");
          }
          return separator;
        });
      });
    if (name == "cycler")  // c.next() walks the items round; c.current is the item next() gives next; c.reset()
      return Value::function([](Arguments& args, Keywords&) {
        if (args.empty()) fail("at least one item has to be provided to cycler");
        const auto items = std::make_shared<const List>(args.begin(), args.end());
        Value object = Value::make_namespace({{Value("current"), items->front()}});
        const std::weak_ptr<Dict> attributes(object.namespace_pointer());
        auto position = std::make_shared<std::size_t>(0);
        const auto set_current = [attributes](const Value& v) {
          if (const auto d = attributes.lock()) d->front().second = v;
        };
        object.namespace_attributes().emplace_back(Value("next"), Value::function([items, position, set_current](Arguments&, Keywords&) {
          const Value item = (*items)[*position];
          *position = (*position + 1) % items->size();
          set_current((*items)[*position]);
          return item;
        }));
        object.namespace_attributes().emplace_back(Value("reset"), Value::function([items, position, set_current](Arguments&, Keywords&) {
          *position = 0;
          set_current(items->front());
          return Value(None{});
        }));
        return object;
      });
    if (name == "raise_exception")
      return Value::function([](Arguments& args, Keywords&) -> Value {
        fail(args.empty() ? std::string("raise_exception") : args[0].str());
      });
    if (name == "strftime_now") {
      const std::time_t now = options_.now.value_or(std::time(nullptr));
      return Value::function([now](Arguments& args, Keywords&) {
        if (args.empty() || !args[0].is_string()) fail("strftime_now: expected a format string");
        std::tm local{};
        localtime_r(&now, &local);
        char buf[256];
        const std::size_t n = std::strftime(buf, sizeof buf, args[0].as_string().c_str(), &local);
        return Value(std::string(buf, n));
      });
    }
    return Value::undefined(name);
  }

  static std::string describe(const Expr& e) {
    if (e.kind == Expr::Kind::kName) return e.name;
    if (e.kind == Expr::Kind::kAttribute) return describe(*e.args[0]) + "." + e.name;
    if (e.kind == Expr::Kind::kItem && e.args[1]->kind == Expr::Kind::kLiteral)
      return describe(*e.args[0]) + "[" + e.args[1]->value.repr() + "]";
    return "value";
  }

  Value attribute(const Value& object, const std::string& name, const Expr& where) {
    if (object.is_undefined()) fail("'" + describe(where) + "' is undefined");
    if (object.is_namespace()) {
      const Value* found = object.find(name);
      return found ? *found : Value::undefined(name);
    }
    if (object.is_dict()) {
      if (std::optional<Value> m = method(object, name)) return *m;
      const Value* found = object.find(name);
      return found ? *found : Value::undefined(name);
    }
    if (std::optional<Value> m = method(object, name)) return *m;
    return Value::undefined(name);
  }

  Value item(const Value& object, const Value& key, const Expr& where) {
    if (object.is_undefined()) fail("'" + describe(where) + "' is undefined");
    if (object.is_dict()) {  // the key first, then a method of that name (d['items'])
      // jinja2's getitem turns the TypeError of an unhashable key (d[[1]]) into undefined, as a missing key.
      if (const Value* found = key.hashable() ? object.find(key) : nullptr) return *found;
      if (key.is_string())
        if (std::optional<Value> m = method(object, key.as_string())) return *m;
      return Value::undefined(key.str());
    }
    if (object.is_iterator()) return Value::undefined(key.str());  // a generator has no items by index
    if ((object.is_list() || object.is_string()) && (key.is_int() || key.is_bool())) {
      if (object.is_list()) {
        const auto i = sequence_index(key.as_int(), object.as_list().size());
        return i ? object.as_list()[*i] : Value::undefined(key.str());
      }
      const std::vector<std::string> chars = utf8_characters(object.as_string());
      const auto i = sequence_index(key.as_int(), chars.size());
      return i ? Value(chars[*i]) : Value::undefined(key.str());
    }
    if (key.is_string()) return attribute(object, key.as_string(), where);
    return Value::undefined(key.str());
  }

  // callee(e's arguments from first_arg on), with a call block's caller as one more keyword when given.
  Value call(const Value& callee, const Expr& e, std::size_t first_arg, std::optional<Value> caller = std::nullopt) {
    Arguments args;
    Keywords keywords;
    if (caller) keywords.emplace_back("caller", std::move(*caller));
    const std::size_t positional = e.args.size() - e.keywords.size();
    for (std::size_t i = first_arg; i < e.args.size(); ++i) {
      if (i < positional) args.push_back(eval(*e.args[i]));
      else keywords.emplace_back(e.keywords[i - positional], eval(*e.args[i]));
    }
    if (callee.is_dict())  // a recursive loop's loop(items)
      if (const Value* recurse = callee.find(std::string(kLoopCall)); recurse && recurse->is_callable())
        return recurse->as_function()(args, keywords);
    if (!callee.is_callable()) {
      if (callee.is_undefined()) fail("'" + describe(*e.args[0]) + "' is undefined");
      fail("'" + callee.type_name() + "' object is not callable");
    }
    return callee.as_function()(args, keywords);
  }

  void step() {
    if (++steps_ > kMaxSteps) fail("the template runs too long (over " + std::to_string(kMaxSteps) + " steps)");
  }

  Value eval(const Expr& e) {
    step();
    switch (e.kind) {
      case Expr::Kind::kLiteral: return e.value;
      case Expr::Kind::kName: return lookup(e.name);
      case Expr::Kind::kList:
      case Expr::Kind::kTuple: {
        List l;
        for (const auto& a : e.args) l.push_back(eval(*a));
        return e.kind == Expr::Kind::kTuple ? Value::tuple(std::move(l)) : Value(std::move(l));
      }
      case Expr::Kind::kDict: {
        Dict d;
        for (std::size_t i = 0; i + 1 < e.args.size(); i += 2) {
          Value k = eval(*e.args[i]);
          dict_set(d, std::move(k), eval(*e.args[i + 1]));
        }
        return Value(std::move(d));
      }
      case Expr::Kind::kAttribute: return attribute(eval(*e.args[0]), e.name, *e.args[0]);
      case Expr::Kind::kItem: return item(eval(*e.args[0]), eval(*e.args[1]), *e.args[0]);
      case Expr::Kind::kSlice: {
        const Value object = eval(*e.args[0]);
        const Value start = e.args[1] ? eval(*e.args[1]) : Value();
        const Value stop = e.args[2] ? eval(*e.args[2]) : Value();
        const Value step = e.args[3] ? eval(*e.args[3]) : Value();
        if (object.is_undefined()) fail("'" + describe(*e.args[0]) + "' is undefined");
        if (object.is_string()) {
          const std::vector<std::string> chars = utf8_characters(object.as_string());
          std::string out;
          for (std::size_t i : slice_indices(chars.size(), start, stop, step)) out += chars[i];
          return Value(std::move(out));
        }
        if (!object.is_list() || object.is_iterator()) return Value::undefined("slice");  // jinja2: undefined for what cannot be sliced
        List out;
        for (std::size_t i : slice_indices(object.as_list().size(), start, stop, step)) out.push_back(object.as_list()[i]);
        return object.is_tuple() ? Value::tuple(std::move(out)) : Value(std::move(out));
      }
      case Expr::Kind::kCall: return call(eval(*e.args[0]), e, 1);
      case Expr::Kind::kFilter: {
        const Value input = eval(*e.args[0]);
        Arguments args;
        Keywords keywords;
        const std::size_t positional = e.args.size() - e.keywords.size();
        for (std::size_t i = 1; i < e.args.size(); ++i) {
          if (i < positional) args.push_back(eval(*e.args[i]));
          else keywords.emplace_back(e.keywords[i - positional], eval(*e.args[i]));
        }
        return bounded(apply_filter(e.name, input, args, keywords));
      }
      case Expr::Kind::kTest: {
        const Value subject = eval(*e.args[0]);
        Arguments args;
        for (std::size_t i = 1; i < e.args.size(); ++i) args.push_back(eval(*e.args[i]));
        return Value(apply_test(e.name, subject, args) != e.negated);
      }
      case Expr::Kind::kNot: return Value(!eval(*e.args[0]).truthy());
      case Expr::Kind::kNegate: {
        const Value v = eval(*e.args[0]);
        if (v.is_float()) return Value(-v.as_double());
        if (v.is_number()) return Value(-v.as_int());
        fail("bad operand type for unary -: '" + v.type_name() + "'");
      }
      case Expr::Kind::kConditional:
        if (eval(*e.args[0]).truthy()) return eval(*e.args[1]);
        return e.args[2] ? eval(*e.args[2]) : Value::undefined("else");
      case Expr::Kind::kBinary: return binary(e);
      case Expr::Kind::kCompare: {
        Value left = eval(*e.args[0]);
        for (std::size_t i = 0; i < e.keywords.size(); ++i) {
          Value right = eval(*e.args[i + 1]);
          if (!compare(e.keywords[i], left, right)) return Value(false);
          left = std::move(right);
        }
        return Value(true);
      }
    }
    fail("unknown expression");
  }

  Value binary(const Expr& e) {
    const std::string& op = e.name;
    if (op == "and") {
      Value a = eval(*e.args[0]);
      return a.truthy() ? eval(*e.args[1]) : a;
    }
    if (op == "or") {
      Value a = eval(*e.args[0]);
      return a.truthy() ? a : eval(*e.args[1]);
    }
    const Value a = eval(*e.args[0]);
    const Value b = eval(*e.args[1]);
    if (op == "~") return bounded(Value(a.str() + b.str()));
    return bounded(arithmetic(op, a, b));
  }

  static bool compare(const std::string& op, const Value& a, const Value& b) {
    if (op == "==") return a == b;
    if (op == "!=") return !(a == b);
    if (op == "<") return less(a, b);
    if (op == ">") return less(b, a);
    if (op == "<=") return !less(b, a);
    if (op == ">=") return !less(a, b);
    if (op == "in") return contains(b, a);
    return !contains(b, a);  // "not in"
  }

  // Variables by scope, innermost last. A macro's frame is a boundary: inside it, names resolve in the macro's
  // own frames, then at the top level (jinja2's macros do not see their caller's loop variables or sets).
  std::vector<Frame> frames_;
  RenderOptions options_;
  int call_depth_ = 0;
  std::uint64_t frames_made_ = 0;
  std::int64_t steps_ = 0;
};

}  // namespace

namespace {

// A number conversion that failed deep inside (an escape "\\xZZ", a width past 2^64) is the template's error.
template <typename F>
auto as_template_error(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw JinjaError(std::string("malformed number or escape (") + e.what() + ")");
  } catch (const std::out_of_range& e) {
    throw JinjaError(std::string("number out of range (") + e.what() + ")");
  } catch (const std::bad_alloc&) {
    throw JinjaError("the template needs more memory than there is");
  } catch (const std::length_error&) {
    throw JinjaError("the template builds a value too large to hold");
  }
}

}  // namespace

Template::Template(std::string_view source)
    : body_(as_template_error([&] { return std::make_shared<const Body>(parse_template(source)); })) {}

std::string Template::render(const nlohmann::ordered_json& context, const RenderOptions& options) const {
  return as_template_error([&] {
    Renderer renderer(context, options);
    return renderer.render(*body_);
  });
}

}  // namespace r1eval::engine::jinja
