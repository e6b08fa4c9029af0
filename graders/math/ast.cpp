#include "graders/math/ast.h"

namespace r1eval::graders::math {

NodePtr Node::clone() const {
  auto c = std::make_unique<Node>();
  c->kind = kind;
  c->value = value;
  c->name = name;
  c->base = base;
  c->open = open;
  c->close = close;
  c->columns = columns;
  c->relations = relations;
  c->kids.reserve(kids.size());
  for (const NodePtr& k : kids) c->kids.push_back(k->clone());
  return c;
}

NodePtr make_node(NodeKind kind) {
  auto n = std::make_unique<Node>();
  n->kind = kind;
  return n;
}

NodePtr make_number(mpq_class value) {
  NodePtr n = make_node(NodeKind::kNumber);
  n->value = std::move(value);
  return n;
}

NodePtr make_unary(NodeKind kind, NodePtr operand) {
  NodePtr n = make_node(kind);
  n->kids.push_back(std::move(operand));
  return n;
}

NodePtr make_binary(NodeKind kind, NodePtr a, NodePtr b) {
  NodePtr n = make_node(kind);
  n->kids.push_back(std::move(a));
  n->kids.push_back(std::move(b));
  return n;
}

void collect_symbols(const Node& n, std::set<std::string>& out) {
  if (n.kind == NodeKind::kSymbol) out.insert(n.name);
  for (const NodePtr& k : n.kids) collect_symbols(*k, out);
}

size_t node_count(const Node& n) {
  size_t c = 1;
  for (const NodePtr& k : n.kids) c += node_count(*k);
  return c;
}

namespace {

const char* kind_name(NodeKind k) {
  switch (k) {
    case NodeKind::kAdd: return "add";
    case NodeKind::kMul: return "mul";
    case NodeKind::kDiv: return "div";
    case NodeKind::kNeg: return "neg";
    case NodeKind::kPow: return "pow";
    case NodeKind::kRoot: return "root";
    case NodeKind::kFactorial: return "fact";
    case NodeKind::kPercent: return "percent";
    case NodeKind::kDegree: return "deg";
    case NodeKind::kPlusMinus: return "pm";
    case NodeKind::kSet: return "set";
    case NodeKind::kList: return "list";
    case NodeKind::kMatrix: return "matrix";
    case NodeKind::kRelation: return "rel";
    case NodeKind::kUnion: return "union";
    case NodeKind::kSetMinus: return "minus";
    default: return "?";
  }
}

const char* rel_name(Rel r) {
  switch (r) {
    case Rel::kEq: return "=";
    case Rel::kNe: return "!=";
    case Rel::kLt: return "<";
    case Rel::kLe: return "<=";
    case Rel::kGt: return ">";
    case Rel::kGe: return ">=";
    case Rel::kIn: return "in";
    case Rel::kApprox: return "~";
  }
  return "?";
}

}  // namespace

std::string to_string(const Node& n) {
  switch (n.kind) {
    case NodeKind::kNumber: return n.value.get_str();
    case NodeKind::kBaseNumber: return n.name + "_" + std::to_string(n.base);
    case NodeKind::kSymbol: return n.name;
    case NodeKind::kPi: return "pi";
    case NodeKind::kE: return "e";
    case NodeKind::kI: return "i";
    case NodeKind::kInfinity: return "inf";
    case NodeKind::kText: return "\"" + n.name + "\"";
    case NodeKind::kEmptySet: return "{}";
    case NodeKind::kReals: return "R";
    case NodeKind::kFunc: return n.name + "(" + to_string(*n.kids[0]) + ")";
    case NodeKind::kTuple: {
      std::string s(1, n.open);
      for (size_t i = 0; i < n.kids.size(); ++i) {
        if (i) s += ',';
        s += to_string(*n.kids[i]);
      }
      return s + n.close;
    }
    case NodeKind::kRelation: {
      std::string s = to_string(*n.kids[0]);
      for (size_t i = 0; i < n.relations.size(); ++i)
        s += std::string(" ") + rel_name(n.relations[i]) + " " + to_string(*n.kids[i + 1]);
      return s;
    }
    default: {
      std::string s = kind_name(n.kind);
      if (n.kind == NodeKind::kMatrix) s += std::to_string(n.columns);
      s += '(';
      for (size_t i = 0; i < n.kids.size(); ++i) {
        if (i) s += ',';
        s += to_string(*n.kids[i]);
      }
      return s + ")";
    }
  }
}

}  // namespace r1eval::graders::math
