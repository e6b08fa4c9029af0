// The parsed form of a Jinja template: expressions and statements.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/tokenizer/jinja/value.h"

namespace r1eval::engine::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    kLiteral,      // value
    kName,         // name
    kList,         // args: items
    kTuple,        // args: items
    kDict,         // args: key, value, key, value, ...
    kAttribute,    // args[0].name
    kItem,         // args[0][args[1]]
    kSlice,        // args[0][args[1]:args[2]:args[3]] (null parts absent)
    kCall,         // args[0](args[1..], keywords)
    kFilter,       // args[0] | name(args[1..], keywords)
    kTest,         // args[0] is [not] name(args[1..]); negated
    kNot,          // not args[0]
    kNegate,       // -args[0]
    kBinary,       // args[0] op args[1]: + - * / // % ** ~ and or
    kCompare,      // args[0] keywords[0] args[1] keywords[1] args[2] ...: == != < > <= >= in "not in", chained
    kConditional,  // args[1] if args[0] else args[2] (args[2] null when there is no else)
  };
  Kind kind;
  Value value;
  std::string name;  // a name, attribute, filter, test or operator
  std::vector<ExprPtr> args;
  std::vector<std::string> keywords;  // the names of the last keywords.size() arguments of a call or filter
  bool negated = false;
  int line = 0;
};

// The name a {% filter %} block's rendered text is bound to for its filters (not a valid template name).
inline constexpr const char* kFilterBlockInput = " filter block input";

struct Stmt;
using Body = std::vector<std::unique_ptr<Stmt>>;

struct Stmt {
  enum class Kind {
    kText,      // text
    kOutput,    // expr
    kIf,        // conditions[i] -> bodies[i]; a final body without a condition is the else
    kFor,       // targets in expr [if condition] -> bodies[0], else bodies[1]; recursive
    kSet,       // targets (several: unpacked from a sequence) = expr; or targets[0].targets[1] = expr
                // (a namespace attribute) when namespace_attribute
    kSetBlock,  // targets[0] = the rendered bodies[0] (through the filters of expr, applied to the name
                // kFilterBlockInput, when expr is set)
    kMacro,     // targets[0](targets[1..] = defaults) -> bodies[0]; catches says which of varargs, kwargs and
                // caller the body names
    kCallBlock, // expr (a call) with caller = a macro (targets = defaults) -> bodies[0]
    kWith,      // targets[i] = values[i] (evaluated outside), then bodies[0] in a scope of its own
    kBreak,
    kContinue,
    kBlock,     // bodies[0] rendered in place ({% generation %})
    kFilterBlock,  // expr (filters applied to the name kFilterBlockInput) of the rendered bodies[0]
  };
  Kind kind;
  std::string text;
  ExprPtr expr;
  ExprPtr condition;
  std::vector<ExprPtr> conditions;
  std::vector<Body> bodies;
  std::vector<std::string> targets;
  std::vector<ExprPtr> defaults;  // kMacro, kCallBlock: one per parameter, null when it has none
  std::vector<ExprPtr> values;    // kWith: one per target
  bool namespace_attribute = false;
  bool recursive = false;  // kFor: "recursive" (the loop can be called as loop(items))
  struct Catches {
    bool varargs = false, kwargs = false, caller = false;
  } catches;  // kMacro, kCallBlock
  int line = 0;
};

}  // namespace r1eval::engine::jinja
