#include "graders/math/matrix_fold.h"

#include <vector>

namespace r1eval::graders::math {
namespace {

constexpr size_t kMaxEntries = 64;

size_t rows(const Node& m) { return m.columns ? m.kids.size() / m.columns : 0; }

bool has_matrix(const Node& n) {
  if (n.kind == NodeKind::kMatrix) return true;
  for (const NodePtr& k : n.kids)
    if (has_matrix(*k)) return true;
  return false;
}

}  // namespace

NodePtr fold_matrix(const Node& n, WorkBudget& budget) {
  budget.spend();
  if (n.kind == NodeKind::kMatrix) return n.clone();
  if (n.kind == NodeKind::kNeg) {
    NodePtr m = fold_matrix(*n.kids[0], budget);
    if (!m) return nullptr;
    for (NodePtr& e : m->kids) e = make_unary(NodeKind::kNeg, std::move(e));
    return m;
  }
  if (n.kind != NodeKind::kAdd && n.kind != NodeKind::kMul) return nullptr;
  NodePtr acc;
  std::vector<const Node*> scalars;
  for (const NodePtr& k : n.kids) {
    NodePtr m = has_matrix(*k) ? fold_matrix(*k, budget) : nullptr;
    if (has_matrix(*k) && !m) return nullptr;
    if (!m) {
      if (n.kind == NodeKind::kAdd) return nullptr;  // matrix + scalar
      scalars.push_back(k.get());
      continue;
    }
    if (!acc) {
      acc = std::move(m);
    } else if (n.kind == NodeKind::kAdd) {
      if (acc->columns != m->columns || acc->kids.size() != m->kids.size()) return nullptr;
      for (size_t e = 0; e < acc->kids.size(); ++e)
        acc->kids[e] = make_binary(NodeKind::kAdd, std::move(acc->kids[e]), std::move(m->kids[e]));
    } else {
      if (acc->columns != rows(*m) || m->kids.size() > kMaxEntries || acc->kids.size() > kMaxEntries) return nullptr;
      NodePtr product = make_node(NodeKind::kMatrix);
      product->columns = m->columns;
      for (size_t r = 0; r < rows(*acc); ++r) {
        for (size_t c = 0; c < m->columns; ++c) {
          NodePtr sum = make_node(NodeKind::kAdd);
          for (size_t k2 = 0; k2 < acc->columns; ++k2)
            sum->kids.push_back(make_binary(NodeKind::kMul, acc->kids[r * acc->columns + k2]->clone(),
                                            m->kids[k2 * m->columns + c]->clone()));
          product->kids.push_back(std::move(sum));
        }
      }
      acc = std::move(product);
    }
  }
  if (!acc) return nullptr;
  for (const Node* s : scalars)
    for (NodePtr& e : acc->kids) e = make_binary(NodeKind::kMul, s->clone(), std::move(e));
  return acc;
}

}  // namespace r1eval::graders::math
