// Shared by the equivalence case tests: each pair is checked in both directions (equivalence is symmetric),
// or, for a rule of the answer's side, as given.
#pragma once
#include <gtest/gtest.h>

#include <vector>

#include "graders/math_grader.h"

namespace r1eval::graders::testing {

struct Case {
  const char* answer;
  const char* gold;
  bool equal;
};

inline void check_all(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(math_answers_equal(c.answer, c.gold), c.equal)
        << "answer: " << c.answer << "   gold: " << c.gold << "   expected " << (c.equal ? "equal" : "different");
    EXPECT_EQ(math_answers_equal(c.gold, c.answer), c.equal) << "(swapped) " << c.answer << " | " << c.gold;
  }
}

// For the rules of the answer's side only (a decimal comma, a percentage sign, "m + n = 33"): the pair as
// given, answer first.
inline void check_answer_side(const std::vector<Case>& cases) {
  for (const Case& c : cases)
    EXPECT_EQ(math_answers_equal(c.answer, c.gold), c.equal)
        << "answer: " << c.answer << "   gold: " << c.gold << "   expected " << (c.equal ? "equal" : "different");
}

}  // namespace r1eval::graders::testing
