#include "graders/choice_grader.h"

#include <gtest/gtest.h>

namespace r1eval::graders {
namespace {

TEST(ChoiceLetter, AnswerColonForms) {
  EXPECT_EQ(extract_choice_letter("reasoning...\nAnswer: B"), 'B');
  EXPECT_EQ(extract_choice_letter("Answer: (C)"), 'C');
  EXPECT_EQ(extract_choice_letter("**Answer:** D"), 'D');
  EXPECT_EQ(extract_choice_letter("**Answer: A**"), 'A');
  EXPECT_EQ(extract_choice_letter("Answer: $\\boxed{C}$"), 'C');
}

TEST(ChoiceLetter, BoxedAndTextForms) {
  EXPECT_EQ(extract_choice_letter("so the choice is \\boxed{B}"), 'B');
  EXPECT_EQ(extract_choice_letter("so $\\boxed{\\text{(C)}}$"), 'C');
  EXPECT_EQ(extract_choice_letter("I pick \\text{(A)} here"), 'A');
  EXPECT_EQ(extract_choice_letter("\\boxed{(D)}"), 'D');
}

TEST(ChoiceLetter, RightmostWins) {
  EXPECT_EQ(extract_choice_letter("Answer: A\nWait, no.\nAnswer: C"), 'C');
  EXPECT_EQ(extract_choice_letter("\\boxed{B} ... Answer: D"), 'D');
  EXPECT_EQ(extract_choice_letter("Answer: D ... finally \\boxed{A}"), 'A');
}

TEST(ChoiceLetter, OnlyAfterThink) {
  EXPECT_EQ(extract_choice_letter("<think>Answer: A</think>\nAnswer: B"), 'B');
  EXPECT_EQ(extract_choice_letter("<think>Answer: A</think>\nI am unsure."), std::nullopt);
}

TEST(ChoiceLetter, WordsAreNotLetters) {
  EXPECT_EQ(extract_choice_letter("Answer: Because the ester hydrolyses"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("Answer: E"), std::nullopt);  // not one of ABCD
  EXPECT_EQ(extract_choice_letter("\\boxed{Ab}"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("Answer: E", "ABCDE"), 'E');
}

TEST(ChoiceLetter, MoreWordings) {
  EXPECT_EQ(extract_choice_letter("Therefore the answer is (B)."), 'B');
  EXPECT_EQ(extract_choice_letter("ANSWER: C"), 'C');
  EXPECT_EQ(extract_choice_letter("Answer: **C**"), 'C');
  EXPECT_EQ(extract_choice_letter("Answer: C) 42 kJ"), 'C');
  EXPECT_EQ(extract_choice_letter("$\\boxed{\\textbf{(D)}}$"), 'D');
  EXPECT_EQ(extract_choice_letter("Answer:\tB"), 'B');
  // Lower-case letters are words, not choices ("Answer: a bit unclear").
  EXPECT_EQ(extract_choice_letter("Answer: a bit unclear"), std::nullopt);
  // The letter must stand alone inside a box.
  EXPECT_EQ(extract_choice_letter("\\boxed{C_2}"), std::nullopt);
}

TEST(GradeChoice, GoldBeyondDWidensTheLetters) {
  EXPECT_TRUE(grade_choice("Answer: F", "F").correct);
  EXPECT_FALSE(grade_choice("Answer: F", "C").correct);
}

TEST(GradeChoice, ComparesWithGoldCaseInsensitively) {
  const Verdict right = grade_choice("Answer: C", "c");
  EXPECT_TRUE(right.correct);
  EXPECT_EQ(right.extracted, "C");
  const Verdict wrong = grade_choice("Answer: A", "C");
  EXPECT_FALSE(wrong.correct);
  EXPECT_EQ(wrong.extracted, "A");
  const Verdict none = grade_choice("I don't know", "C");
  EXPECT_FALSE(none.correct);
  EXPECT_EQ(none.extracted, std::nullopt);
  EXPECT_EQ(none.reason, "no answer letter");
}

}  // namespace
}  // namespace r1eval::graders
