// A work budget shared by lexing, parsing, evaluation and comparison of one answer pair, so that every
// pair is decided or refused in bounded time whatever its size, depth or exponents.
#pragma once
#include <cstdint>
#include <stdexcept>

namespace r1eval::graders::math {

// Thrown when a pair has used up its budget; the grader turns it into a refusal ("work budget exceeded").
struct BudgetExhausted : std::runtime_error {
  BudgetExhausted() : std::runtime_error("work budget exceeded") {}
};

class WorkBudget {
 public:
  // `steps` units; one unit is roughly one token, node or arithmetic operation on small numbers.
  explicit WorkBudget(int64_t steps) : left_(steps) {}
  // Spends `n` units; throws BudgetExhausted when none are left.
  void spend(int64_t n = 1) {
    left_ -= n;
    if (left_ < 0) throw BudgetExhausted();
  }
  int64_t left() const { return left_; }

 private:
  int64_t left_;
};

// Bounds that keep any single operation small (chosen so one pair stays far below 10 ms).
inline constexpr int64_t kPairBudget = 200000;     // units per answer pair
inline constexpr size_t kMaxAnswerChars = 4000;    // longer extracted answers are refused
inline constexpr int kMaxDepth = 600;              // parser recursion (about 6 levels per nested \frac)
inline constexpr int kMaxBracketNesting = 64;      // brackets and braces inside one another
inline constexpr size_t kMaxItems = 256;           // elements of one list, tuple, set or matrix
inline constexpr int64_t kMaxExactBits = 1 << 18;  // size of any exact integer (numerator or denominator)

}  // namespace r1eval::graders::math
