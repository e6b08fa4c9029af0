#include <gtest/gtest.h>

#include "graders/extract.h"
#include "graders/math_grader.h"

namespace r1eval::graders {
namespace {

TEST(ExtractBoxed, LastBoxWins) {
  EXPECT_EQ(extract_boxed_answer("first \\boxed{1} then \\boxed{42}."), "42");
}

TEST(ExtractBoxed, BalancedNestedBraces) {
  EXPECT_EQ(extract_boxed_answer("so \\boxed{\\frac{1}{2}} done"), "\\frac{1}{2}");
  EXPECT_EQ(extract_boxed_answer("\\boxed{\\{1,2\\}}"), "\\{1,2\\}");
}

TEST(ExtractBoxed, FboxCounts) { EXPECT_EQ(extract_boxed_answer("\\fbox{7}"), "7"); }

TEST(ExtractBoxed, BracelessBox) {
  EXPECT_EQ(extract_boxed_answer("the answer is $\\boxed 5$."), "5");
  EXPECT_EQ(extract_boxed_answer("answer \\boxed 12."), "12");
  EXPECT_EQ(extract_boxed_answer("answer \\boxed \\pi$"), "\\pi");
}

TEST(ExtractBoxed, UnclosedBoxIsNoAnswer) {
  EXPECT_EQ(extract_boxed_answer("\\boxed{3} and finally \\boxed{\\frac{1}{2}"), std::nullopt);
  EXPECT_EQ(extract_boxed_answer("\\boxed{"), std::nullopt);
}

TEST(ExtractBoxed, EmptyBoxesAreSkipped) {
  EXPECT_EQ(extract_boxed_answer("so \\boxed{5}. Next question: put the answer in \\boxed{}."), "5");
  EXPECT_EQ(extract_boxed_answer("\\boxed{ }"), std::nullopt);
}

// An empty box states no answer: the fallbacks do not read it as one (it would vote in cons@k).
TEST(ExtractFinal, AnEmptyBoxIsNoAnswer) {
  for (const char* r : {"so the answer is $\\boxed{}$.", "Answer: \\boxed{ }", "\\boxed{}", "The final answer is $\\boxed{}$"})
    EXPECT_EQ(extract_final_answer(r).answer, std::nullopt) << r;
  // The prompt's instruction echoed does not hide a later unboxed answer.
  EXPECT_EQ(extract_final_answer("I will put the answer in \\boxed{}. The answer is $12$.").answer, "$12$");
}

TEST(ExtractBoxed, NoBoxIsNoAnswer) { EXPECT_EQ(extract_boxed_answer("The answer is 4."), std::nullopt); }

TEST(ExtractBoxed, PrefersTextAfterThink) {
  EXPECT_EQ(extract_boxed_answer("<think>maybe \\boxed{3}</think> So \\boxed{4}"), "4");
  EXPECT_EQ(extract_boxed_answer("<think>\\boxed{3}</think>no box here"), std::nullopt);
  EXPECT_EQ(extract_boxed_answer("<think>a</think>b</think> \\boxed{9}"), "9");
  // A closing tag repeated after the answer, with nothing after it, is passed over.
  EXPECT_EQ(extract_boxed_answer("<think>\\boxed{3}</think>So \\boxed{5}.\n</think>\n"), "5");
  EXPECT_EQ(extract_boxed_answer("<think>\\boxed{3}</think>So \\boxed{5}.</think> </think>"), "5");
  EXPECT_EQ(extract_boxed_answer("<think>\\boxed{3}</think>\n</think>\nSo the answer is \\boxed{5}."), "5");
  EXPECT_EQ(extract_boxed_answer("<think>\\boxed{3}</think>\n"), std::nullopt);  // one tag: nothing after it
  // Not passed over: a tag mentioned inside the thinking, or a second thinking block that closed last.
  EXPECT_EQ(extract_boxed_answer("<think>I'll end with </think> then maybe \\boxed{12}?</think>"), std::nullopt);
  EXPECT_EQ(extract_boxed_answer("<think>a</think>\nDraft: 4\n<think>maybe \\boxed{7}? no</think>"), std::nullopt);
}

TEST(ExtractBoxed, OtherCommandsStartingWithBoxedAreIgnored) {
  EXPECT_EQ(extract_boxed_answer("\\boxed{1} \\boxedsomething{2}"), "1");
}

TEST(ExtractBoxed, SeveralBoxesInClosingSentenceFormAList) {
  EXPECT_EQ(extract_boxed_answer("The solutions are $\\boxed{2}$ and $\\boxed{3}$."), "2, 3");
  EXPECT_EQ(extract_boxed_answer("x = \\boxed{1}, \\boxed{-1}, or \\boxed{0}"), "1, -1, 0");
}

TEST(ExtractBoxed, BoxesInSeparateSentencesStaySeparate) {
  EXPECT_EQ(extract_boxed_answer("First part: \\boxed{2}. Second part gives \\boxed{3}."), "3");
}

TEST(ExtractFinal, FallbackPhraseWithoutBox) {
  const ExtractedAnswer a = extract_final_answer("Thus, the final answer is 17. I hope it is correct.");
  EXPECT_EQ(a.answer, "17");
  EXPECT_EQ(a.source, AnswerSource::kFinalAnswerPhrase);
  EXPECT_EQ(extract_final_answer("Answer: $\\frac{3}{4}$").answer, "$\\frac{3}{4}$");
  EXPECT_EQ(extract_final_answer("no conclusion at all").answer, std::nullopt);
  EXPECT_EQ(extract_final_answer("Final Answer: The largest $n$ is 34.").answer, "34");
  EXPECT_EQ(extract_final_answer("The final answer is $28 \\%$. I hope it is correct.").answer, "$28 \\%$");
}

TEST(ExtractFinal, LastMathSpanWithoutBoxOrPhrase) {
  EXPECT_EQ(extract_final_answer("So we get $x=2$ and then \\[ 9 \\]").answer, "9");
  EXPECT_EQ(extract_final_answer("Answer $ 9 $").answer, "9");
  EXPECT_EQ(extract_final_answer("Result \\( (9+1) \\)").answer, "(9+1)");
  // Inline math does not cross lines; display math does.
  EXPECT_EQ(extract_final_answer("Answer $ \n 9 \n $ and more words here").answer, std::nullopt);
  EXPECT_EQ(extract_final_answer("Answer $$ \n 9 \n $$").answer, "9");
  // An escaped dollar is not a delimiter.
  EXPECT_EQ(extract_final_answer("cost $ \\$5 + 2 $").answer, "\\$5 + 2");
}

TEST(ExtractFinal, ShortBareResponse) {
  EXPECT_EQ(extract_final_answer("-5").answer, "-5");
  EXPECT_EQ(extract_final_answer("7,425,000").answer, "7,425,000");
  EXPECT_EQ(extract_final_answer("it is 1,000.99 euros").answer, "1,000.99");
  EXPECT_EQ(extract_final_answer("AZYUK2A").answer, std::nullopt);
  // A response cut off mid-sentence is not graded by the last number or formula it wrote.
  EXPECT_EQ(extract_final_answer(std::string(300, 'a') + " so $x = 42$ and then we").answer, std::nullopt);
}

TEST(ExtractFinal, ConclusionSentenceOfAnUnboxedResponse) {
  EXPECT_EQ(extract_final_answer("Long work $d = 90/n$ here.\nTherefore, there are 12 sequences. I hope it is correct.")
                .answer, "12");
  EXPECT_EQ(extract_final_answer("So P(A) = 2/3. Therefore, the probability is 2/3. <|im_start|>user\nnext").answer,
            "2/3");
  EXPECT_EQ(extract_final_answer("Thus the ordered pair $(x, y)$ that solves it is $(7, 6)$.").answer, "(7, 6)");
}

TEST(ExtractFinal, FinalAnswerSentenceAfterTheLastBoxWins) {
  const char* r = "interest $\\boxed{255}$, total $10,455. Final Answer: The final answer is $10,455$. I hope it is correct.";
  EXPECT_EQ(extract_final_answer(r).answer, "$10,455$");
  EXPECT_EQ(extract_boxed_answer(r), "255");  // the box itself is still the boxed answer
}

// An explicit correction after the answer names the value meant; "I meant to ..." and corrections of earlier steps
// do not.
TEST(ExtractFinal, AnExplicitCorrectionAfterTheAnswerWins) {
  EXPECT_EQ(extract_final_answer("\\boxed{5}. Oops, I meant 6.").answer, "6");
  EXPECT_EQ(extract_final_answer("\\boxed{x=5}. Correction: $x = 6$.").answer, "$x = 6$");
  EXPECT_EQ(extract_final_answer("Answer: 5 (correction: 6)").answer, "6");
  EXPECT_EQ(extract_final_answer("Final answer: 5\n\nOops, I meant 6.").answer, "6");
  EXPECT_EQ(extract_final_answer("The answer is 5. Scratch that, 6.").answer, "6");
  EXPECT_EQ(extract_final_answer("The answer is 5. I meant to say that the method is neat.").answer, "5");
  EXPECT_EQ(extract_final_answer("I meant 4 in the previous step. Then the answer is \\boxed{5}.").answer, "5");
  EXPECT_EQ(extract_final_answer("Correction: 4 was wrong earlier. The final answer is 5.").answer, "5");
  EXPECT_EQ(extract_final_answer("\\boxed{5}\n\nI mean, 5 is the only value that works.").answer, "5");
  // Not corrections of the answer: a phrase inside a sentence, a value followed by prose, a later statement.
  EXPECT_EQ(extract_final_answer("The probability is \\boxed{0.5}. With continuity correction: 0.4801 is the estimate.").answer, "0.5");
  EXPECT_EQ(extract_final_answer("Answer: 0.5\n\nUsing the continuity correction: 0.4801").answer, "0.5");
  EXPECT_EQ(extract_final_answer("\\boxed{10}\n\n(In step 2 I meant 3 apples, not 2.)").answer, "10");
  EXPECT_EQ(extract_final_answer("\\boxed{12}. By 'unit' I meant 1 cm.").answer, "12");
  EXPECT_EQ(extract_final_answer("We need the answer. Correction: 12 since we double count. So the total is 17.").answer, "17");
}

// After a box, "the final answer is" overrides it only when an answer follows the phrase, not prose.
TEST(ExtractFinal, ProseAfterFinalAnswerPhraseDoesNotOverrideTheBox) {
  EXPECT_EQ(extract_final_answer("We find $\\boxed{6}$. Note that the final answer is independent of $a$.").answer,
            "6");
  EXPECT_EQ(extract_final_answer("Hence \\boxed{12}. The final answer is obtained by adding 5 and 7.").answer, "12");
  EXPECT_EQ(extract_final_answer("So \\boxed{12}. The final answer is 13.").answer, "13");
  EXPECT_EQ(extract_final_answer("So \\boxed{12}. The final answer is x = 3.").answer, "x = 3");
}

// A phrase states its answer first; what follows in the sentence (a reason, a check, a rejected value) is
// not the answer, even when it ends in a number.
TEST(ExtractFinal, APhraseStatesItsAnswerBeforeTheProseThatFollows) {
  EXPECT_EQ(extract_final_answer("Hence $\\boxed{7}$. The final answer is 7 (from 3 + 4).").answer, "7");
  EXPECT_EQ(extract_final_answer("\\[\\boxed{204}\\] So the final answer is 204 (in base 10).").answer, "204");
  EXPECT_EQ(extract_final_answer("$\\boxed{12}$. The final answer is $12$, attained at $x = 3$.").answer, "$12$");
  EXPECT_EQ(extract_final_answer("The final answer is $\\frac{14}{3}$, approximately 4.67.").answer, "$\\frac{14}{3}$");
  EXPECT_EQ(extract_final_answer("The answer is 7, since 5 is extraneous.").answer, "7");
  EXPECT_EQ(extract_final_answer("The final answer is $7$ rather than $5$.").answer, "$7$");
  EXPECT_EQ(extract_final_answer("Answer: 12 ways (out of 30 total arrangements).").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer is x = 3 or x = -3, both of which check out.").answer, "x = 3 or x = -3");
  EXPECT_EQ(extract_final_answer("The answer is Monday.").answer, "Monday");
  // A phrase whose remainder starts with prose defers to an earlier phrase that states an answer...
  EXPECT_EQ(extract_final_answer("**Answer:** 7\n\nTo double-check that the answer is reasonable, note that 7 > 5.")
                .answer, "7");
  // ... or, when none does, to what the last phrase's sentence states.
  EXPECT_EQ(extract_final_answer("The final answer is a total of 12.").answer, "12");
  // An earlier phrase is never preferred to a later one that states something: a rejected guess stays
  // rejected, and a cut-off thought that names no value has no answer.
  EXPECT_EQ(extract_final_answer("First I guessed the answer is 5, but that fails. So the correct answer is the number "
                                 "of pairs, which is 7.").answer, "7");
  EXPECT_EQ(extract_final_answer("We have two factors to consider here.\nMaybe the answer is 12. Let me verify each case "
                                 "again, so the answer is probably the product of the two")
                .answer, std::nullopt);
  // Conditions and descriptions after the answer are cut at their first word, however short.
  EXPECT_EQ(extract_final_answer("The answer is 5 if x is positive.").answer, "5");
  EXPECT_EQ(extract_final_answer("The answer is x = a when b = 0.").answer, "x = a");
  EXPECT_EQ(extract_final_answer("The answer is (2, 3) as an ordered pair.").answer, "(2, 3)");
  // A computation that goes on restates the answer; a justification does not.
  EXPECT_EQ(extract_final_answer("The answer is 5 choose 2 = 10.").answer, "10");
  EXPECT_EQ(extract_final_answer("The answer is 2 to the power of 10, i.e., 1024.").answer, "1024");
  EXPECT_EQ(extract_final_answer("The answer is 6, because the roots of $x^2 - 5x + 6 = 0$ are 2 and 3.").answer, "6");
  EXPECT_EQ(extract_final_answer("Thus $\\boxed{6}$.\n\nThe final answer is 6, since the roots of $x^2 - 5x + 6 = 0$ "
                                 "multiply to 6.").answer, "6");
  EXPECT_EQ(extract_final_answer("The answer is $x = 4$, since $f(4) = 0$.").answer, "$x = 4$");
  // A description after a comma, an adverb before the answer, a negated phrase.
  EXPECT_EQ(extract_final_answer("The answer is 17, a prime number.").answer, "17");
  EXPECT_EQ(extract_final_answer("Ignoring the constraint, the answer is 15. Without the 3 invalid cases, the answer is "
                                 "indeed 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer isn't 5 but 7.").answer, "7");
  EXPECT_EQ(extract_final_answer("Answer: 'Monday'").answer, "Monday");  // quotes after "Answer:" are no word
  // A matrix after the phrase is math, not prose.
  EXPECT_EQ(extract_final_answer("The answer is \\(\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}\\).").answer,
            "\\(\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}\\)");
  // Markup around the phrase, and text arguments of several words, are read as text.
  EXPECT_EQ(extract_final_answer("\\textbf{Final Answer:} 12").answer, "12");
  EXPECT_EQ(extract_final_answer("Answer: \\(12\\) \\text{(after removing duplicates)}").answer, "\\(12\\)");
  EXPECT_EQ(extract_final_answer("The answer is \\text{Monday}.").answer, "\\text{Monday}");
}

TEST(ExtractFinal, AUnicodeMinusInProseIsAMinus) {
  EXPECT_EQ(extract_final_answer("The minimum value is \u22125.").answer, "-5");
}

TEST(ExtractFinal, AClosingLineOfMathOrABareNumberIsTheAnswer) {
  EXPECT_EQ(extract_final_answer("**Final Answer**\n\n42").answer, "42");
  EXPECT_EQ(extract_final_answer("**Final Answer**\n\n$x = 5$ or $x = -3$").answer, "x = 5, x = -3");
  EXPECT_EQ(extract_final_answer("The solutions are $x = 5$ and $x = -3$.").answer, "x = 5, x = -3");
  // Spans in another relation than a list stay apart: the last one is the answer.
  EXPECT_EQ(extract_final_answer("Thus the largest $n$ is $34$.").answer, "34");
  EXPECT_EQ(extract_final_answer("Since $a = 3$, we get $b = 7$.").answer, "b = 7");
  EXPECT_EQ(extract_final_answer("For $n = 3$, there are $12$ ways.").answer, "12");
  EXPECT_EQ(extract_final_answer("So $\\frac12$ $\\approx$ $0.5$.").answer, "0.5");  // a lone relation joins nothing
}

TEST(ExtractFinal, BoxBeatsPhrase) {
  EXPECT_EQ(extract_final_answer("The final answer is 3, i.e. \\boxed{4}").answer, "4");
}

TEST(ExtractFinal, UnclosedBoxDoesNotFallBackToPhrase) {
  EXPECT_EQ(extract_final_answer("The final answer is \\boxed{4").answer, std::nullopt);
}

TEST(ExtractFinal, AnUnboxedConclusionStatesWhatFollowsItsVerb) {
  EXPECT_EQ(extract_final_answer("Thus, the minimum value is 12 when x = 3.").answer, "12");
  EXPECT_EQ(extract_final_answer("The minimum value is $12$, attained at $x = 3$.").answer, "12");
  EXPECT_EQ(extract_final_answer("So there are 12 ways to choose them out of 30 candidates.").answer, "12");
  EXPECT_EQ(extract_final_answer("There are 30 candidates, and the number of valid choices is 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("The value is 12 when x is 3.").answer, "12");
  EXPECT_EQ(extract_final_answer("Since $x$ is 3, the total is 7.").answer, "7");
  // A verb followed by prose states nothing: the last math stands.
  EXPECT_EQ(extract_final_answer("Thus $x = 5$ is the only solution.").answer, "x = 5");
}

// The last main verb that states a value: past adverbs, not a comparison, not a condition's own verb, not an
// earlier clause's number, not a consequence ("which gives 3 more equations") beside an "is".
TEST(ExtractFinal, TheVerbRuleTakesTheMainStatement) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"My first estimate was 10, but the count is actually 12.", "12"},
      {"Each term is 3, so the total sum is therefore 12.", "12"},
      {"Before removing the duplicates the count is 24, and after removing them we get 12.", "12"},
      {"So the number of students is 3!", "3"},
      {"So the number of arrangements is 5!.", "5!"},
      {"So the total is 4!, since order matters.", "4!"},
      {"Hence, the smallest such n is 1 mod 8, namely 17.", "17"},
      {"The sum is 2 more than 10, which gives 12.", "12"},
      {"The first term is 3 and the ratio is 2, so the sum is equal to 93.", "93"},
      {"The answer would be 12 if the dice were fair, but since they are weighted it is 14.", "14"},
      {"When $x = 2$, the minimum value is $12$, attained at $y = 3$.", "12"},
      {"Given $n = 10$, the number of pairs is 45 out of 100.", "45"},
      {"When we add them, we get 15 from 3 terms.", "15"},
      {"Thus the total is 12, which gives us 3 more equations.", "12"},
      {"The count is 8; this gives 4 pairs.", "8"},
      {"So the number of ways is 12, which is 4 times 3.", "12"},
      {"So the minimum value is $12$, and then equality holds at $x = 3$.", "12"},
      {"So we get $x=2$ and then \\[ 9 \\]", "9"},
      {"We need the sum to be 10, which happens at n = 4.", "4"},
  };
  for (const auto& [response, answer] : cases) EXPECT_EQ(extract_final_answer(response).answer, answer) << response;
}

TEST(ExtractFinal, ABoxSetAsideByNotIsNotTheAnswer) {
  EXPECT_EQ(extract_final_answer("The answer is $\\boxed{3}$, not $\\boxed{5}$.").answer, "3");
  EXPECT_EQ(extract_final_answer("It is \\boxed{3} rather than \\boxed{5}.").answer, "3");
  EXPECT_EQ(extract_final_answer("First \\boxed{3}. Not quite: \\boxed{5}.").answer, "5");
}

// A completion given apart from a prompt that opened the thinking continues it: "<think>\n" goes back in front, so
// thinking cut by the length limit states no answer but a box.
TEST(ExtractFinal, ACompletionOfAPromptThatOpenedTheThinkingContinuesIt) {
  const std::string prompt = "<\uff5cUser\uff5c>Q<\uff5cAssistant\uff5c><think>\n";
  EXPECT_EQ(response_as_written(prompt, "So the answer is 5.\nWait, but"), "<think>\nSo the answer is 5.\nWait, but");
  EXPECT_EQ(response_as_written(prompt, "<think>\nx</think>5"), "<think>\nx</think>5");  // repeated: kept once
  EXPECT_EQ(response_as_written("Question: 2+3?\nAnswer:", "5"), "5");
  EXPECT_EQ(extract_final_answer(response_as_written(prompt, "So the answer is 5.\n\nWait, that gives")).answer,
            std::nullopt);
  EXPECT_EQ(extract_final_answer(response_as_written(prompt, "so 5.\n</think>\n\nThe answer is $\\boxed{5}$.")).answer, "5");
}

// A second box that only approximates the first restates it: the exact one is the answer.
TEST(ExtractFinal, AnApproximatingBoxIsNotTheAnswer) {
  EXPECT_EQ(extract_final_answer("The area is $\\boxed{12\\pi} \\approx \\boxed{37.7}$ square units.").answer, "12\\pi");
  EXPECT_EQ(extract_final_answer("The area is $\\boxed{12\\pi}$, or approximately $\\boxed{37.7}$.").answer, "12\\pi");
  EXPECT_EQ(extract_final_answer("It is $\\boxed{\\sqrt{2}}$ \u2248 $\\boxed{1.414}$.").answer, "\\sqrt{2}");
  EXPECT_EQ(extract_final_answer("Roots: $\\boxed{2}$ and $\\boxed{3}$.").answer, "2, 3");  // a list stays a list
}

// A response cut off after its reasoning, under a heading or on a word no sentence ends with, states no answer
// with its stray numbers.
TEST(ExtractFinal, ACutOffSummaryStatesNoAnswer) {
  for (const char* r : {"<think>\nso the total is 12.\n</think>\n\nTo find the number of ways, we consider 2 cases:\n\n1. **Case 1**",
                        "</think>\n\nWe split into cases:\n\n### Step 2",
                        "</think>\n\nGiven the equation $x + 2 = 5$, we solve for $x = 3$, then",
                        "</think>\n\nThere are 3 cases to consider:"})
    EXPECT_EQ(extract_final_answer(r).answer, std::nullopt) << r;
  // A finished short answer still is one, and a bold closing line with its value too.
  EXPECT_EQ(extract_final_answer("</think>\n\n28 percent").answer, "28");
  EXPECT_EQ(extract_final_answer("</think>\n\n**Final Answer**\n\n42").answer, "42");
  EXPECT_EQ(extract_final_answer("</think>\n\nSo $x = 3$.").answer, "x = 3");
  // A bold closing line alone is a conclusion, not a heading; a text ending in a bare "###" is read without fault.
  EXPECT_EQ(extract_final_answer("</think>\n\nSo in total:\n\n**12 apples**").answer, "12");
  EXPECT_NO_THROW(extract_final_answer("</think>\n\nThe total is 12.\n###"));
}

// Other reasoning wrappers than <think>: what they hold is reasoning, and one left open states only a box.
TEST(ExtractFinal, OtherReasoningWrappers) {
  EXPECT_EQ(extract_final_answer("<thinking>\nSo it is 5.\n</thinking>\nThe answer is 7.").answer, "7");
  EXPECT_EQ(extract_final_answer("<|begin_of_thought|>\nthe answer is 5\n<|end_of_thought|>\n\n$\\boxed{7}$").answer, "7");
  EXPECT_EQ(extract_final_answer("<|begin_of_thought|>\nSo the answer is 5.").answer, std::nullopt);
  EXPECT_EQ(extract_final_answer("<|channel|>analysis<|message|>It is 5.<|end|><|start|>assistant<|channel|>final"
                                 "<|message|>The answer is 7.<|return|>")
                .answer,
            "7");
}

// A wrapper mentioned in an answer (not opening the response) is text; a final channel past the turn is not the answer.
TEST(ExtractFinal, WrappersOnlyMentionedAreText) {
  EXPECT_EQ(extract_final_answer("<think>\n5\n</think>\n\nThe answer is 12. (I skipped the <thinking> block.)").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer is 12. I closed </reasoning> early.").answer, "12");
  EXPECT_EQ(extract_final_answer("<think>\n5\n</think>\n\nThe answer is 12.<|im_end|>\n<|im_start|>user\n"
                                 "<|channel|>final<|message|>The answer is 7.")
                .answer,
            "12");
  EXPECT_EQ(extract_final_answer("We found the side to be 2\u221a3 after simplification, as shown.").answer, "2\u221a3");
  EXPECT_EQ(extract_final_answer("The minimum value is \u2212\u221a2 at the endpoint.").answer, "-\u221a2");
}

TEST(ExtractFinal, ThinkingThatNeverClosedStatesOnlyABox) {
  EXPECT_FALSE(extract_final_answer("<think>\nWe have 6 groups of 7, giving 6 \\cdot 7 = 42").answer);
  EXPECT_FALSE(extract_final_answer("<think>\nSo the answer is 42? Let me check").answer);
  EXPECT_EQ(extract_final_answer("<think>\nSo it is \\boxed{42}").answer, "42");
  EXPECT_EQ(extract_final_answer("<think>\nok\n</think>\nThe answer is 42.").answer, "42");
}

// Styles of other tools and models than R1's (GSM8K, lm-eval Minerva, chat markers of other families, the
// GRPO answer tags): each states its answer where these read it.
TEST(ExtractFinal, OtherFamiliesMarkTheirAnswersSo) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {"She makes 9 * 2 = 18 dollars.\n#### 18", "18"},
      {"So she makes 18 dollars.\n#### $18", "18"},
      {"Profit is computed.\n#### $70,000", "70,000"},
      {"The total is 1000.\n#### 1000 dollars", "1000"},
      {"#### 1. Setting up\nWe find x = 3. Hence the value is 5.", "5"},  // a heading, not a GSM8K answer
      {"The answer is \\$18. I hope it is correct.", "\\$18"},
      {"Final Answer: The final answer is $\\$36$. I hope it is correct.", "$\\$36$"},
      {"The answer is 12.</s>", "12"},
      {"The answer is 12<end_of_turn>", "12"},
      {"The answer is 12.<|end|><|endoftext|>", "12"},
      {"<|im_start|>assistant\n$\\boxed{12}$", "12"},
      {"<|start_header_id|>assistant<|end_header_id|>\n\nThe answer is 12.<|eot_id|>", "12"},
      {"Let me think.\n<answer>\n12\n</answer>", "12"},
      {"Result:\n12\n```", "12"},
      {"Result:\n12\n---", "12"},
      {"3 \\times 4\n= 12", "12"},
      {"So:\n`12`", "12"},
      {"So:\n<b>12</b>", "12"},
      {"The answer is <b>12</b>.", "12"},
      {"The answer is `12`.", "12"},
      {"Solution: 3*4 = 12.\n\nA: 12", "12"},
      {"A robe takes 2 bolts of blue and 1 bolt of white.\n####3", "3"},
      {"She sells 9 eggs.\n#### 9 * 2 = 18", "9 * 2 = 18"},
      {"Janet makes $18 per day.", "18"},
      {"He will have $32,348 in the account.", "32,348"},
      {"The length is \u221a51.", "\u221a51"},
  };
  for (const auto& [response, answer] : cases) EXPECT_EQ(extract_final_answer(response).answer, answer) << response;
}

// Closing sentences of other models without an answer marker: contracted "is", counting verbs ("has",
// "needs", "takes"), "4 more buses" (a count, not a comparison), and a short response cut off after a sentence.
TEST(ExtractFinal, PlainClosingSentencesOfOtherModels) {
  const std::vector<std::pair<const char*, std::optional<std::string>>> cases = {
      {"It could be 5, but it's actually 6.", "6"},
      {"So that\u2019s 12.", "12"},
      {"Let's see: the value is 5.", "5"},
      {"So Sam needs 4 more buses to carry all 200 students.", "4"},
      {"It takes 50 minutes for 3 pipes to fill it.", "50"},
      {"Thus she has 18 dollars left after spending 2.", "18"},
      {"We have 3 cases, and the count is 12.", "12"},
      {"Thus the total is 12, which is 2 more than 10.", "12"},
      {"$3 + 4 = 7$. Then we multiply by the", std::nullopt},
      {"28 percent", "28"},
      {"The center is at the point (\u22121, 6).", "(\u22121, 6)"},
      {"The point is (3, -5).", "(3, -5)"},
      {"The set is {3, 5, 7}.", "{3, 5, 7}"},
      {"Each ticket costs $5, so the total is $20.", "20"},
      {"Since $x$ is not zero, $x = 5$.", "x = 5"},
      {"Hence n = 7, so n is not even.", "7"},
      {"The length is sqrt(51).", "sqrt(51)"},
      {"The correct option is (C).", "(C)"},
      {"The answer cannot be 5.", std::nullopt},
      {"The answer is 5, or possibly 6 if we count the empty set.", std::nullopt},
      {"The answer isn't 5 but 7.", "7"},
  };
  for (const auto& [response, answer] : cases) EXPECT_EQ(extract_final_answer(response).answer, answer) << response;
}

// A sentence that denies or only bounds a value states no answer, unless it goes on to correct it.
TEST(ExtractFinal, ADeniedOrBoundedValueIsNoAnswer) {
  for (const char* r : {"The answer is not 5.", "Answer: not 5", "The answer is less than 5.", "The answer is at least 5.",
                        "The answer cannot be 5. The answer is never 5.", "The final answer is not $\\boxed{5}$.",
                        "It isn't \\boxed{5}."})
    EXPECT_EQ(extract_final_answer(r).answer, std::nullopt) << r;
  EXPECT_EQ(extract_final_answer("The answer is not 13; it is 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer is not 13 but 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer is 6. Note the answer is not 5.").answer, "6");
  EXPECT_EQ(extract_final_answer("So it is $\\boxed{6}$. It is not $\\boxed{5}$.").answer, "6");
  // A denial followed by a later statement, a comparison without a value, "not only", emphasis.
  EXPECT_EQ(extract_final_answer("The answer is not 13.\n\nSo we get 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer is not 13. It is 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer is **not** 13.\n\nSo it is 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer is at least as large as 10. After checking all cases, the final count is 12.").answer,
            "12");
  EXPECT_EQ(extract_final_answer("The answer is not only an integer but also even: 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("First I get \\boxed{4}. Checking again, the answer is not \\boxed{4}; it must be 6.").answer,
            std::nullopt);
}

// "#### " answers only on the last line and bare; "</s>" and its kind end a turn only where nothing follows.
TEST(ExtractFinal, MarkersThatAreAlsoText) {
  EXPECT_EQ(extract_final_answer("#### 1.\nWe compute 3*4.\nThe answer is 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("#### 3.1\nWe get the answer is 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("#### $x = 3$\nso the final answer is $12$.").answer, "$12$");
  EXPECT_EQ(extract_final_answer("The HTML tag </s> closes strikethrough. The answer is 12.").answer, "12");
  EXPECT_EQ(extract_final_answer("The answer is 12.</s><s>[INST] Next question: what is 5?").answer, "12");
}

}  // namespace
}  // namespace r1eval::graders

namespace r1eval::graders {
namespace {

// A base model that answered and went on to write the next few-shot problem answered before it (lm-eval stops
// such models at "Problem:"); a restated problem before any answer is the response's own.
TEST(ExtractFinal, TheNextFewShotProblemIsNotTheAnswer) {
  EXPECT_EQ(extract_final_answer("So $x = 5$. Final Answer: The final answer is $5$. I hope it is correct.\n\nProblem:\n"
                                 "What is $2+2$?\n\nSolution: $2+2=4$. Final Answer: The final answer is $4$.")
                .answer,
            "$5$");
  EXPECT_EQ(extract_final_answer("Thus \\boxed{12}.\n\nQuestion 2: Find y.\nSolution: So \\boxed{7}.").answer, "12");
  // A response checking itself, or an item without its answer's slot, is the response's own.
  EXPECT_EQ(extract_final_answer("The answer is 4.\n\nQ: Is that right? Let me check again: 2+4=6, so the answer is 6.").answer, "6");
  EXPECT_EQ(extract_final_answer("My first guess: the answer is 4.\n\nQuestion: does 4 satisfy it? No.\n\nThe final answer is "
                                 "$\\boxed{6}$.").answer,
            "6");
  EXPECT_EQ(extract_final_answer("Thus \\boxed{12}.\n\nProblem: a new one.\nSo \\boxed{7}.").answer, "7");
  EXPECT_EQ(extract_final_answer("Restating.\n\nProblem: find x.\n\nSo \\boxed{3}.").answer, "3");
  EXPECT_EQ(next_item_start("Problem: find x.\nx = 3"), std::string_view::npos);  // the first line opens no next item
  EXPECT_EQ(next_item_start("\\boxed{3}\n\n## Question 4\nWhat"), 11u);
}

}  // namespace
}  // namespace r1eval::graders

namespace r1eval::graders {
namespace {

// A closing sentence without a box: the value before a reason clause, the subject of its one verb, the amount a
// money verb states; a plain-text chat format's next turn is not the response.
TEST(ExtractFinal, ClosingSentencesStateTheirValue) {
  EXPECT_EQ(extract_final_answer("So $x = 145$ because $y = 35$.").answer, "x = 145");
  EXPECT_EQ(extract_final_answer("Thus $\\angle PQR = 145^{\\circ}$, since the other angle is $35^\\circ$.").answer,
            "\\angle PQR = 145^{\\circ}");
  EXPECT_EQ(extract_final_answer("Hence 34 is the smallest such $n$.").answer, "34");
  EXPECT_EQ(extract_final_answer("Therefore 2 is the remainder when $2^{100}$ is divided by 7.").answer, "2");
  EXPECT_EQ(extract_final_answer("2 is prime, so the answer is 3.").answer, "3");  // two verbs: the later statement
  EXPECT_EQ(extract_final_answer("He spent $36 on 3 books.").answer, "36");
  EXPECT_EQ(extract_final_answer("The answer is $\\boxed{12}$.\n\nHuman: thanks! Can you do $3\\cdot 5 = \\boxed{15}$?").answer,
            "12");
  EXPECT_EQ(extract_final_answer("So the count is 7.\n\nUser: and now 8?").answer, "7");
}

}  // namespace
}  // namespace r1eval::graders

namespace r1eval::graders {
namespace {

// From a probe of realistic math endings (o1, Claude, GPT-4o, Qwen, base models): bold answers followed by words,
// a revision or a computation after the last box, boxes and math spans of different things, asides after the
// value, a closing check sentence, answer phrases in Chinese and Russian.
TEST(ExtractFinal, RealisticEndings) {
  const auto answer = [](const char* response) { return extract_final_answer(response).answer.value_or("<none>"); };
  EXPECT_EQ(answer("The answer is **204** minutes."), "204");
  EXPECT_EQ(answer("**Answer: 315** (including the three rectangles shown in the diagram)"), "315");
  EXPECT_EQ(answer("So the answer is $\\boxed{5}$. Wait, I made an error: I forgot the case $k=0$, so there are actually 7."),
            "7");
  EXPECT_EQ(answer("The probability is $\\boxed{\\frac{115}{256}}$, so the answer is $115 + 256 = 371$."), "371");
  EXPECT_EQ(answer("**Answer:** 204\n\nHmm, wait. Rechecking the second walk, so the total is actually 216 minutes."), "216");
  EXPECT_EQ(answer("Thus $s = \\boxed{2.5}$ km/h and the walk takes $\\boxed{204}$ minutes."), "204");
  EXPECT_EQ(answer("$m = \\boxed{1}$ and $n = \\boxed{115}$, giving $m + n = \\boxed{116}$."), "116");
  EXPECT_EQ(answer("the inradius is $\\frac{192}{5}$, and $m + n = 197$."), "m + n = 197");
  EXPECT_EQ(answer("So $a=6$, $b=31$, and $c=-1$."), "a=6, b=31, c=-1");  // one value per unknown: a tuple
  EXPECT_EQ(answer("The walk takes 204 minutes, including the 24 minutes spent in the coffee shop."), "204");
  EXPECT_EQ(answer("It takes **204 minutes** (3 hours 24 minutes)."), "204");
  EXPECT_EQ(answer("The walk takes 204 minutes. Indeed, she walks for 3 hours and sits for 24 minutes."), "204");
  EXPECT_EQ(answer("Total time $= 180 + 24 = 204$ minutes."), "204");
  EXPECT_EQ(answer("\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88\xe6\x98\xaf 204\xe3\x80\x82"), "204");  // 最终答案是 204。
  EXPECT_EQ(answer("**\xd0\x9e\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82:** 204"), "204");                             // Ответ: 204
  // What those rules must leave alone (from a review): a check after the answer that says "Wait", values in
  // parentheses, an "Indeed" sentence stating the answer, a decimal restating a box, lists of unknowns' values.
  EXPECT_EQ(answer("So there are \\boxed{12}.\n\nWait, I should double-check by listing: there are 4 choices for the first and 3 "
                   "for the second, giving 12."),
            "12");
  EXPECT_EQ(answer("The final answer is \\boxed{70}.\n\nWait, I should confirm the triangle's other angles are 50 and 60 degrees."),
            "70");
  EXPECT_EQ(answer("Answer: 18\n\nWait, let me double-check. She has 16 eggs and uses 7 of them, so she sells 9."), "18");
  EXPECT_EQ(answer("The answer is 12. Wait, so the total becomes 15 and then we"), "12");
  EXPECT_EQ(answer("So the vertex of \\( y = x^2 - 4x + 7 \\) is \\( (2, 3) \\)."), "(2, 3)");
  EXPECT_EQ(answer("Solving the 2 equations gives the point (2, 3)."), "(2, 3)");
  EXPECT_EQ(answer("We subtract the 3 invalid cases from 15. Indeed, there are 12 such numbers."), "12");
  EXPECT_EQ(answer("\\[\\boxed{\\frac{5}{36}}\\]\n\nThe answer is $\\frac{5}{36} = 0.139$."), "\\frac{5}{36}");
  EXPECT_EQ(answer("The eigenvalues are $\\lambda_1 = 1$ and $\\lambda_2 = -1$."), "\\lambda_1 = 1, \\lambda_2 = -1");
  EXPECT_EQ(answer("The roots are $x = -1$ and $3$."), "x = -1, 3");
}

}  // namespace
}  // namespace r1eval::graders
