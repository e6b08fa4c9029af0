#include "graders/math/real_sets.h"

#include <utility>

namespace r1eval::graders::math {
namespace {

// One end of an interval: a finite node, or -infinity / +infinity.
struct End {
  const Node* at = nullptr;
  int inf = 0;
};

End lo_of(const Interval& iv) { return {iv.lo, iv.lo_inf}; }
End hi_of(const Interval& iv) { return {iv.hi, iv.hi_inf}; }

// Orders ends, recording in `failed` when two finite ends cannot be ordered (they then count as equal).
class EndComparer {
 public:
  explicit EndComparer(const EndOrder& order) : order_(order) {}

  int operator()(const End& x, const End& y) {
    if (x.inf || y.inf) return (x.inf > y.inf) - (x.inf < y.inf);
    if (x.at == y.at) return 0;
    const std::optional<int> c = order_(*x.at, *y.at);
    if (!c) {
      failed = true;
      return 0;
    }
    return (*c > 0) - (*c < 0);
  }

  bool failed = false;

 private:
  const EndOrder& order_;
};

bool empty_piece(const Interval& iv, EndComparer& cmp) {
  const int c = cmp(lo_of(iv), hi_of(iv));
  return c > 0 || (c == 0 && !(iv.lo_closed && iv.hi_closed));
}

// The gaps between the pieces of a canonical union: its complement in the reals.
std::vector<Interval> complement(const std::vector<Interval>& pieces) {
  std::vector<Interval> out;
  Interval gap;
  gap.lo_inf = -1;
  for (const Interval& p : pieces) {
    if (!p.lo_inf) {
      gap.hi = p.lo;
      gap.hi_inf = 0;
      gap.hi_closed = !p.lo_closed;
      out.push_back(gap);
    }
    gap = Interval{};
    gap.lo = p.hi;
    gap.lo_inf = p.hi_inf;
    gap.lo_closed = !p.hi_closed;
    if (p.hi_inf > 0) return out;
  }
  gap.hi = nullptr;
  gap.hi_inf = 1;
  gap.hi_closed = false;
  out.push_back(gap);
  return out;
}

}  // namespace

std::optional<std::vector<Interval>> canonical_union(std::vector<Interval> parts, const EndOrder& order) {
  EndComparer cmp(order);
  std::vector<Interval> kept;
  for (Interval& iv : parts) {
    if (iv.lo_inf) iv.lo_closed = false;  // an infinite end is open whatever bracket was written
    if (iv.hi_inf) iv.hi_closed = false;
    if (!empty_piece(iv, cmp)) kept.push_back(iv);
  }
  // Insertion sort by lower end, a closed end first: few pieces, and a comparison may fail.
  for (size_t i = 1; i < kept.size(); ++i) {
    for (size_t j = i; j > 0; --j) {
      const int c = cmp(lo_of(kept[j]), lo_of(kept[j - 1]));
      if (c > 0 || (c == 0 && !(kept[j].lo_closed && !kept[j - 1].lo_closed))) break;
      std::swap(kept[j], kept[j - 1]);
    }
  }
  std::vector<Interval> out;
  for (const Interval& iv : kept) {
    if (!out.empty()) {
      Interval& last = out.back();
      const int gap = cmp(lo_of(iv), hi_of(last));
      if (gap < 0 || (gap == 0 && (last.hi_closed || iv.lo_closed))) {
        const int reach = cmp(hi_of(iv), hi_of(last));
        if (reach > 0) {
          last.hi = iv.hi;
          last.hi_inf = iv.hi_inf;
          last.hi_closed = iv.hi_closed;
        } else if (reach == 0) {
          last.hi_closed = last.hi_closed || iv.hi_closed;
        }
        continue;
      }
    }
    out.push_back(iv);
  }
  if (cmp.failed) return std::nullopt;
  return out;
}

std::optional<std::vector<Interval>> set_difference(const std::vector<Interval>& a, const std::vector<Interval>& b,
                                                    const EndOrder& order) {
  auto left = canonical_union(a, order);
  auto removed = canonical_union(b, order);
  if (!left || !removed) return std::nullopt;
  const std::vector<Interval> kept = complement(*removed);
  EndComparer cmp(order);
  std::vector<Interval> parts;
  for (const Interval& x : *left) {
    for (const Interval& y : kept) {
      Interval piece;
      const int lo = cmp(lo_of(x), lo_of(y));
      const Interval& lo_from = lo > 0 ? x : y;
      piece.lo = lo_from.lo;
      piece.lo_inf = lo_from.lo_inf;
      piece.lo_closed = lo == 0 ? x.lo_closed && y.lo_closed : lo_from.lo_closed;
      const int hi = cmp(hi_of(x), hi_of(y));
      const Interval& hi_from = hi < 0 ? x : y;
      piece.hi = hi_from.hi;
      piece.hi_inf = hi_from.hi_inf;
      piece.hi_closed = hi == 0 ? x.hi_closed && y.hi_closed : hi_from.hi_closed;
      parts.push_back(piece);
    }
  }
  if (cmp.failed) return std::nullopt;
  return canonical_union(std::move(parts), order);
}

}  // namespace r1eval::graders::math
