// The expression tree of a parsed answer.
#pragma once
#include <gmpxx.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace r1eval::graders::math {

enum class NodeKind {
  kNumber,      // value (exact rational); name: the numeral as written ("0.50") when it was one
  kBaseNumber,  // name: digits, base: 2..36 ("1011_2")
  kSymbol,      // name: variable ("x", "alpha", "x_1")
  kPi,
  kE,
  kI,
  kInfinity,
  kAdd,        // kids: terms
  kMul,        // kids: factors
  kDiv,        // kids: numerator, denominator
  kNeg,        // kids: operand
  kPow,        // kids: base, exponent
  kFunc,       // name: sin, cos, ..., ln, log (natural), exp, abs, floor, ceil; kids: argument
  kRoot,       // kids: radicand, index
  kFactorial,  // kids: operand
  kPercent,    // kids: operand ("50\%")
  kDegree,     // kids: operand ("30^\circ")
  kPlusMinus,  // kids: a, b  ("a \pm b")
  kText,       // name: words, lower-cased, single spaces
  kTuple,      // kids: elements; open/close: the brackets ( [ ) ]
  kSet,        // kids: elements (\{ \})
  kList,       // kids: elements of a bare comma-separated list; open = ',' for "1000,99" (maybe a decimal comma)
  kMatrix,     // kids: entries row by row; columns
  kRelation,   // kids: operands; relations: between consecutive operands
  kUnion,      // kids: sets or intervals joined by \cup
  kSetMinus,   // kids: a set, the set taken from it (\setminus)
  kEmptySet,
  kReals,      // \mathbb{R}
};

enum class Rel { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kApprox };

struct Node {
  NodeKind kind = NodeKind::kNumber;
  mpq_class value;
  std::string name;
  int base = 10;
  char open = 0;
  char close = 0;
  size_t columns = 0;
  std::vector<Rel> relations;
  std::vector<std::unique_ptr<Node>> kids;

  std::unique_ptr<Node> clone() const;
};

using NodePtr = std::unique_ptr<Node>;

NodePtr make_node(NodeKind kind);
NodePtr make_number(mpq_class value);
NodePtr make_unary(NodeKind kind, NodePtr operand);
NodePtr make_binary(NodeKind kind, NodePtr a, NodePtr b);

// The variable names a tree uses.
void collect_symbols(const Node& n, std::set<std::string>& out);

// A canonical one-line rendering (for tests, reasons and structural identity).
std::string to_string(const Node& n);

// Number of nodes.
size_t node_count(const Node& n);

}  // namespace r1eval::graders::math
