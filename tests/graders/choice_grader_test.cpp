#include "graders/choice_grader.h"

#include <gtest/gtest.h>

#include <string_view>

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
  EXPECT_EQ(extract_choice_letter("<think>Answer: A</think>\nThe answer is B.\n</think>"), 'B');
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
  // ... unless the letter ends the answer's line.
  EXPECT_EQ(extract_choice_letter("answer: b"), 'B');
  EXPECT_EQ(extract_choice_letter("Answer: (c)."), 'C');
  // The letter must stand alone inside a box.
  EXPECT_EQ(extract_choice_letter("\\boxed{C_2}"), std::nullopt);
}

// An answer statement outranks later weaker mentions: units, element symbols, asides about other options.
TEST(ChoiceLetter, AnswerStatementsOutrankLaterMentions) {
  EXPECT_EQ(extract_choice_letter("Answer: B) $1.5\\times10^{-3}\\,\\text{C}$"), 'B');
  EXPECT_EQ(extract_choice_letter("**Answer: (B) $\\text{C}_6\\text{H}_5\\text{OH}$**"), 'B');
  EXPECT_EQ(extract_choice_letter("**Answer: B**\n\nAt $25\\,^\\circ\\text{C}$ the equilibrium favours products."), 'B');
  EXPECT_EQ(extract_choice_letter("**Answer: B**\n\nExchange with $\\text{D}_2\\text{O}$ removes the OH signal."), 'B');
  EXPECT_EQ(extract_choice_letter("Answer: B\n\n$\\textbf{(D)}$ is a distractor."), 'B');
  EXPECT_EQ(extract_choice_letter("Answer: B\n\n(Incorrect option: D)"), 'B');
  EXPECT_EQ(extract_choice_letter("The correct answer is **B**.\n\nThe other option is C only under acidic conditions."), 'B');
  EXPECT_EQ(extract_choice_letter("Reaction of $\\text{C}_6\\text{H}_6$ gives the ester. The correct answer is: B"), 'B');
  // Among statements of one kind the last still wins.
  EXPECT_EQ(extract_choice_letter("Answer: A\nWait, that ignores the solvent.\nAnswer: D"), 'D');
}

TEST(ChoiceLetter, CommonWordingsOfTheFinalAnswer) {
  for (const char* r : {"Answer: Option B", "**Answer: Option B**", "The correct answer is **Option B**.", "Answer: Choice B",
                        "The correct answer is: B", "The answer is: **B**", "The answer should be B.", "the answer is clearly B.",
                        "Answer:\nB", "**Answer:**\n\nB", "**Final Answer**\nB", "B", "(B)", "**B**",
                        "Answer\xef\xbc\x9a" "B", "Answer: \xef\xbc\xa2", "\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a" "B",
                        "**Answer:** **$\\mathbf{(B)}$**", "\\boxed{B) 3.2 eV}", "\\boxed{B.}", "Answer: 'B'", "Answer: `B`",
                        "Answer:\xc2\xa0" "B", "Answer: B is correct", "Answer: A", "The correct option is B.",
                        "\\boxed{\\text{Option B}}", "Answer: \\boxed{\\text{Option } B}", "Answer - B", "So I choose B.",
                        "Therefore, B is the correct answer.", "Thus, option B is correct.", "**B** is correct."}) {
    const char want = std::string_view(r) == "Answer: A" ? 'A' : 'B';
    EXPECT_EQ(extract_choice_letter(r), want) << r;
  }
}

TEST(ChoiceLetter, WordsAndFormulasAreNotLetters) {
  EXPECT_EQ(extract_choice_letter("Answer: A mixture of both enantiomers"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("Answer: D-glucose"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("Answer: C=O stretch"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("The yield rises above 40 \\text{C}."), std::nullopt);
}

// Two letters offered as alternatives are no single answer.
TEST(ChoiceLetter, HedgedAnswersNameNoLetter) {
  EXPECT_EQ(extract_choice_letter("Answer: B and C"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("Answer: B or D"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("Answer: B/C"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("Answer: B and C\nOn reflection, Answer: C"), 'C');
}

// Prose doubts: hypotheses, reported wrong answers and asides do not outrank the answer (found by a probe of
// ~450 responses).
TEST(ChoiceLetter, HypothesesAndAsidesDoNotCount) {
  EXPECT_EQ(extract_choice_letter("If the reaction were SN1, the answer would be C. Since it is SN2, the correct option is B."), 'B');
  EXPECT_EQ(extract_choice_letter("One might think the answer is C. However, the correct option is B."), 'B');
  EXPECT_EQ(extract_choice_letter("Answer: B\n\nIf the reaction were reversible, the answer would be C."), 'B');
  EXPECT_EQ(extract_choice_letter("\\boxed{B}\n\nA common wrong answer is C, which ignores spin."), 'B');
  EXPECT_EQ(extract_choice_letter("The correct answer is **B**.\n\n(The answer would be D for the cis isomer.)"), 'B');
  EXPECT_EQ(extract_choice_letter("**B**\n\n(D is correct only if the solvent is protic.)"), 'B');
  EXPECT_EQ(extract_choice_letter("I choose B.\n\nI wouldn't choose D because of sterics."), 'B');
  EXPECT_EQ(extract_choice_letter("Answer: B\n\n**Answer check:** A) no. C) no."), 'B');
  EXPECT_EQ(extract_choice_letter("The answer is B.\n\nCompound D is correct as the final product."), 'B');
  EXPECT_EQ(extract_choice_letter("**Answer:**\n\nA) Incorrect - wrong multiplicity.\nB) Correct - matches NMR.\n\nSo option B."), 'B');
}

TEST(ChoiceLetter, MoreWaysOfStatingIt) {
  for (const char* r : {"The answer to this question is B.", "The answer, therefore, is B.", "The answer seems to be B.",
                        "The correct choice would be B.", "B is the answer.", "(B) is the answer.", "B is indeed correct.",
                        "I'll go with B.", "The correct answer is:\n\n**B) 3.2 eV**", "## Final Answer\n\n(B) 3.2 eV",
                        "\\boxed{B \\text{ (3.2 eV)}}", "Answer: <b>B</b>", "Answer => B", "Answer (B)", "**Correct: B**",
                        "\xe7\xad\x94\xe6\xa1\x88\xe4\xb8\xba" "B", "The answer is B and D is a distractor.", "Therefore (B).", "- B",
                        "the answer is (b) because of the ester", "Answer: B, not D.",
                        "The answer is 3.2 eV, which corresponds to option B."}) {
    EXPECT_EQ(extract_choice_letter(r), 'B') << r;
  }
  EXPECT_EQ(extract_choice_letter("The answer is A due to steric hindrance."), 'A');
  EXPECT_EQ(extract_choice_letter("The answer is A single peak."), std::nullopt);  // the article
}

TEST(ChoiceLetter, GenerationPastTheEndOfTurnIsNotTheResponse) {
  EXPECT_EQ(extract_choice_letter("Answer: B<|im_end|>\n<|im_start|>user\nAnswer: A"), 'B');
  EXPECT_EQ(extract_choice_letter("Answer: C<|eot_id|>Answer: A"), 'C');
}

TEST(ChoiceLetter, SeveralLettersAreNoAnswer) {
  for (std::string_view r : {"Answer: A, B", "Answer: B, C, and D", "Answers: B, D", "Answer: A and C are both correct.",
                             "\\boxed{C, D}", "\\boxed{C \\text{ and } D}", "\\boxed{\\text{C or D}}",
                             "Answer: (C) if T is low; (D) otherwise.", "Answer: \\text{C}_6\\text{H}_6"})
    EXPECT_EQ(extract_choice_letter(r), std::nullopt) << r;
  // One letter, with a comment on another or its option's text.
  EXPECT_EQ(extract_choice_letter("Answer: B and D is a distractor"), 'B');
  EXPECT_EQ(extract_choice_letter("\\boxed{C}, D is wrong"), 'C');
  EXPECT_EQ(extract_choice_letter("Answer: C, 42 nm"), 'C');
  EXPECT_EQ(extract_choice_letter("Answer: __C__"), 'C');
}

TEST(ChoiceLetter, AHedgeInAnotherClauseDoesNotDoubtTheConclusion) {
  for (std::string_view r : {"If we use the Rydberg formula we get 42 nm, so the answer is C.",
                             "Comparing with the other options, the correct answer is C.",
                             "Even if relativistic corrections are included, the answer is C.",
                             "Unlike the incorrect options, C is the correct answer.",
                             "Initially I thought B, but the answer is C.", "Some might argue for D, but the answer is C."})
    EXPECT_EQ(extract_choice_letter(r), 'C') << r;
  // Doubted in its own clause, or made conditional by a modal.
  EXPECT_EQ(extract_choice_letter("If it were SN1, the answer would be C."), std::nullopt);
  EXPECT_EQ(extract_choice_letter("A common wrong answer is C."), std::nullopt);
  EXPECT_EQ(extract_choice_letter("If it were SN1, I would choose C."), std::nullopt);
}

TEST(ChoiceLetter, CorrectionsClosingWordsAndOtherLanguages) {
  EXPECT_EQ(extract_choice_letter("Answer: D\n\nActually, correcting myself: the factor cancels. Final answer: B"), 'B');
  // In prose, "final answer" is a statement: the answer line stands ("My first final answer is A, but ..." is
  // no answer line either).
  EXPECT_EQ(extract_choice_letter("Answer: D\n\nThe factor cancels, so the final answer is B."), 'D');
  EXPECT_EQ(extract_choice_letter("My first final answer is A, but after rechecking, the answer is C."), 'C');
  EXPECT_EQ(extract_choice_letter("I think the answer is C. Actually, D."), 'D');
  for (std::string_view r : {"It's C.", "So it must be C.", "So I'd say C.", "It might be B, but I'm going with C.",
                             "Eliminating A, B, and D, we are left with C.", "R\xc3\xa9ponse : C",
                             "Respuesta: C", "Antwort: C", "\xd0\x9e\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82: C"})
    EXPECT_EQ(extract_choice_letter(r), 'C') << r;
}

// What reads like a closing word, a hedge or a list but is none: the earlier statement stands.
TEST(ChoiceLetter, ProseAfterTheAnswerDoesNotOverrideIt) {
  for (std::string_view r : {"The correct answer is C.\n\nSummary of the synthesis:\nA \xe2\x86\x92 B \xe2\x86\x92 D",
                             "The correct answer is C. At higher temperature it is D.",
                             "The answer is C.\n\nTo double check the others, say A.",
                             "The correct answer is C. Naively, the answer is D.",
                             "The correct answer is C.\n\nA common mistake is to think that, because of spin, the answer is D.",
                             "The correct answer is C. Many students, at first glance, would say the answer is D.",
                             "Answer: C (if the reaction is SN2)", "The answer is C! If you have more questions, ask.",
                             "The answer is C; if you need details, see above."})
    EXPECT_EQ(extract_choice_letter(r), 'C') << r;
  for (std::string_view r : {"Answer: B, D ignores spin", "The answer is B, C and D are wrong.", "I choose B, A and C being wrong."})
    EXPECT_EQ(extract_choice_letter(r), 'B') << r;
}

// A hedge in a clause that gives a reason, or before a conclusion word, does not doubt the conclusion; closing
// words after a revision ("wait", "no", "on reflection") weigh as a statement.
TEST(ChoiceLetter, ReasonsAndRevisionsAroundTheConclusion) {
  for (std::string_view r : {"Since the energy might be lost as heat, the correct answer is C.",
                             "Students of thermodynamics will recognize this, so the answer is C.",
                             "Although students often confuse these, the correct answer is C.",
                             "**Conclusion:** Since no mistake was made, the correct answer is C.",
                             "I initially considered A, and after rechecking, the correct answer is C.",
                             "Suppose we double the mass, the period stays the same, so the answer is C."})
    EXPECT_EQ(extract_choice_letter(r), 'C') << r;
  for (std::string_view r : {"So the answer is C.\n\nHmm, wait. Actually it's D.", "I think the answer is C. Hmm, no, it's D.",
                             "The correct answer is C. Wait, I made an error in the sign. So it must be D.",
                             "The answer is C.\n\nOn reflection, I'm going with D."})
    EXPECT_EQ(extract_choice_letter(r), 'D') << r;
}

TEST(ChoiceLetter, ThinkingThatNeverClosedStatesOnlyABox) {
  EXPECT_EQ(extract_choice_letter("<think>\nOption B seems right. So B.\nBut wait, the solvent"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("<think>\nThe answer is probably C. Let me verify"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("<think>\nSo it is \\boxed{C}"), 'C');
}

// GPQA options of the form "A = benzoquinone, B = dimethyl fumarate" (25 of the 198 questions) and options opening
// with the article "A": the compounds and the article are no choice; the option named later on the line is.
TEST(ChoiceLetter, OptionTextsNamingCompoundsAOrB) {
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: A = benzoquinone, B = dimethyl fumarate (option D)"), 'D');
  EXPECT_EQ(extract_choice_letter("</think>\n\n**Answer:** A = benzoquinone, B = dimethyl fumarate \u2192 **D**"), 'D');
  EXPECT_EQ(extract_choice_letter("</think>\n\nThe correct answer is A = benzoquinone, B = dimethyl fumarate, i.e. **A**."), 'A');
  EXPECT_EQ(extract_choice_letter("</think>\n\n**Answer:** A 6H singlet at ~1 ppm and a 1H doublet (option B)"), 'B');
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: A = benzoquinone, B = dimethyl fumarate"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: D\u221eh"), std::nullopt);  // a point group
}

// Sentences that single an option out without "answer": the closest or best match, the most appropriate choice,
// and for questions asking which statement is wrong, the incorrect one or the exception; a closing option label.
TEST(ChoiceLetter, SelectionsWithoutTheWordAnswer) {
  for (const char* r : {"None of the options match exactly; the closest is C.", "The best match is **C**.",
                        "Option C is the most appropriate choice.", "That makes C the correct answer.", "Hence, answer C.",
                        "Between B and C, C is better.", "**Option C:** 10^-4 eV", "A careful analysis gives C.",
                        "The most likely cause is C.", "The incorrect statement is **C**.", "The exception is C.",
                        "All statements except C are correct.", "\u6545\u7b54\u6848\u9009C\u3002",
                        "\u7efc\u4e0a\u6240\u8ff0\uff0c\u9009 C\u3002", "C\u9879\u6b63\u786e\u3002"})
    EXPECT_EQ(extract_choice_letter(std::string("<think>\nok\n</think>\n\n") + r), 'C') << r;
  // Options judged in turn with one judged right name it (a verdict list); an option named (\u9009\u9879) or not
  // chosen (\u4e0d\u9009) is no selection.
  EXPECT_EQ(extract_choice_letter("</think>\n\nOption A: wrong. Option D: correct."), 'D');
  EXPECT_EQ(extract_choice_letter("</think>\n\n\u9009\u9879C\u7684\u80fd\u91cf\u592a\u9ad8\u3002"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("</think>\n\n\u4e0d\u9009C\u3002"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("</think>\n\n\\boxed{A} (not \\boxed{D})"), 'A');
}

// An explicit correction after an answer names the letter meant; words that only go on do not.
TEST(ChoiceLetter, ACorrectionOfTheAnswerNamesTheLetterMeant) {
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: B (correction: C)"), 'C');
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: B\n\nOops, I meant C."), 'C');
  EXPECT_EQ(extract_choice_letter("</think>\n\nThe answer is B. Scratch that, C."), 'C');
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: C. I mean, the energy of compound B is lower."), 'C');
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: C (I meant the ester, not the acid)."), 'C');
  // Taken back in the very next sentence: no answer, or the one that follows.
  EXPECT_EQ(extract_choice_letter("</think>\n\nSo the answer is B. Wait, that can't be right."), std::nullopt);
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: C. Wait, that is wrong, it must be D."), 'D');
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: C. Wait, let me double-check: yes, C."), 'C');
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

// Other models' formats: reasoning in other wrappers, gpt-oss's channels, GRPO answer tags, JSON replies; a
// letter that starts a formula or an option merely taken up is no answer.
TEST(ChoiceLetter, OtherModelsFormats) {
  EXPECT_EQ(extract_choice_letter("<thinking>Answer: A</thinking>The answer is C."), 'C');
  EXPECT_EQ(extract_choice_letter("<|begin_of_thought|>\nSo A.\n<|end_of_thought|>\n\nThe answer is C."), 'C');
  EXPECT_EQ(extract_choice_letter("[THINK]Answer: A[/THINK]The answer is C."), 'C');
  EXPECT_EQ(extract_choice_letter("<|begin_of_thought|>\nThe answer is A. So A."), std::nullopt);
  EXPECT_EQ(extract_choice_letter("<|channel|>analysis<|message|>Answer: A<|end|><|start|>assistant<|channel|>final"
                                  "<|message|>Answer: C<|return|>"),
            'C');
  EXPECT_EQ(extract_choice_letter("<|channel|>analysis<|message|>Answer: A<|end|>"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("<answer>B</answer>"), 'B');
  EXPECT_EQ(extract_choice_letter("<reasoning>So A.</reasoning><answer>(C)</answer>"), 'C');
  EXPECT_EQ(extract_choice_letter("{\"answer\": \"B\"}"), 'B');
  EXPECT_EQ(extract_choice_letter("```json\n{\"answer\": \"D\", \"reason\": \"x\"}\n```"), 'D');
  // Headings over the discussion of each option, a box asked about, two boxes as alternatives.
  EXPECT_EQ(extract_choice_letter("### A\nwrong sign\n### D\nignores spin"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("**Option D**\nThe sign is wrong."), std::nullopt);
  EXPECT_EQ(extract_choice_letter("After analysis, the best match is\n\n**Option C**\nwhich accounts for spin."), 'C');
  EXPECT_EQ(extract_choice_letter("### C"), 'C');
  EXPECT_EQ(extract_choice_letter("\\boxed{B} Why not \\boxed{D}?"), 'B');
  EXPECT_EQ(extract_choice_letter("\\boxed{B} or \\boxed{D}"), std::nullopt);
  EXPECT_EQ(extract_choice_letter("The analysis is done.\n\n### Final Answer\n\n**B**"), 'B');
  // Prose answers in other languages.
  EXPECT_EQ(extract_choice_letter("La r\u00e9ponse est B."), 'B');
  EXPECT_EQ(extract_choice_letter("Die Antwort ist A."), 'A');
  EXPECT_EQ(extract_choice_letter("\u041f\u0440\u0430\u0432\u0438\u043b\u044c\u043d\u044b\u0439 \u043e\u0442\u0432\u0435\u0442: B"), 'B');
  EXPECT_EQ(extract_choice_letter("\u6b63\u89e3\u306fC\u3067\u3059\u3002"), 'C');
  EXPECT_EQ(extract_choice_letter("\u7b54\u6848\u5e94\u8be5\u662fC"), 'C');
  EXPECT_EQ(extract_choice_letter("Answer: B(42 nm)"), 'B');
  EXPECT_EQ(extract_choice_letter("After eliminating the others, we arrive at option C."), 'C');
  EXPECT_EQ(extract_choice_letter("<answer>D) 3.2 eV</answer>"), 'D');
  // Doubts in other languages, and wrappers only mentioned after the answer.
  for (const char* r : {"La r\u00e9ponse est C si on n\u00e9glige le spin; sinon D.", "Die Antwort ist A oder C.",
                        "\u6b63\u89e3\u306fC\u3067\u306f\u3042\u308a\u307e\u305b\u3093\u3002", "<answer>C or D</answer>",
                        "\u9009\u62e9C\u662f\u9519\u8bef\u7684"})
    EXPECT_EQ(extract_choice_letter(r), std::nullopt) << r;
  EXPECT_EQ(extract_choice_letter("The answer is (B). I skipped the <thinking> step."), 'B');
  // Doubt words: "I doubt", "nobody would say", "unlikely"; "no doubt" affirms; "false" is no doubt word (a question
  // may ask which statement is false).
  EXPECT_EQ(extract_choice_letter("The false statement is C, so the answer is C."), 'C');
  for (const char* r : {"I doubt the answer is C.", "Nobody would say the answer is C."})
    EXPECT_EQ(extract_choice_letter(r), std::nullopt) << r;
  EXPECT_EQ(extract_choice_letter("No doubt the answer is C."), 'C');
  EXPECT_EQ(extract_choice_letter("Without a doubt, the answer is C."), 'C');
  EXPECT_EQ(extract_choice_letter("Since A is false, the answer is C."), 'C');
  // A denied belief denies the statement it introduces, not the next sentence's or the contrast's.
  for (const char* r : {"I don't think the answer is C.", "I do not believe C is correct."})
    EXPECT_EQ(extract_choice_letter(r), std::nullopt) << r;
  EXPECT_EQ(extract_choice_letter("I don't think the answer is C; it's D."), 'D');
  EXPECT_EQ(extract_choice_letter("I don't think that's right. The answer is C."), 'C');
  EXPECT_EQ(extract_choice_letter("I didn't think so at first, but the answer is C."), 'C');
  for (const char* r : {"Consider option C.", "Let's look at option C.", "Answer: C\u2086H\u2086",
                        "Answer: D\u00b2", "Answer: C(s)", "Answer: B/2", "Answer: C\u2013H"})
    EXPECT_EQ(extract_choice_letter(r), std::nullopt) << r;
}

// A closing list that judges options names the one judged right, when it is the only one and every option it
// names is judged.
TEST(ChoiceLetter, VerdictListsNameTheOptionJudgedRight) {
  for (const char* r : {"A: incorrect\nB: incorrect\nC: correct\nD: incorrect", "A) False\nB) False\nC) True\nD) False",
                        "A - false\nB - false\nC - true\nD - false", "Let's evaluate each option:\n\n(A) Incorrect.\n(B) "
                        "Incorrect.\n(C) Correct.\n(D) Incorrect.", "A is wrong. B is wrong. D is wrong. C.",
                        "Option A is incorrect. Option B is incorrect. Option D is incorrect. Option C must be correct.",
                        "\xe2\x9c\x85 C\n\xe2\x9d\x8c A\n\xe2\x9d\x8c B", "A \xe2\x9d\x8c\nC \xe2\x9c\x85\nD \xe2\x9d\x8c",
                        "- [ ] A\n- [x] C\n- [ ] D", "| Option | Verdict |\n|---|---|\n| A | wrong |\n| C | correct |",
                        "A: no. B: no. D: no. C: yes.", "Not A, not B, not D. C.", "C \xe2\x9c\x93"})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
  for (const char* r : {"A: correct\nB: correct\nC: incorrect",              // two judged right
                        "A: incorrect\nB: incorrect\nC and D: correct",     // two named at once
                        "A is wrong. C is correct only if the solvent is protic.",  // a judgement for a case
                        "A: wrong, B: wrong, C: wrong",                         // none right
                        "C: correct. C: wrong."})                               // judged both ways
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), std::nullopt) << r;
}

// A last line restating one option, a lone letter closing the last sentence, a line labelled "Verdict:" or
// "Answer letter:".
TEST(ChoiceLetter, ClosingLinesWithoutAnAnswerSentence) {
  for (const char* r : {"The wavelength is 42 nm.\n\nC) 42 nm", "So the energy is 4.2 eV.\n\n**C.** 4.2 eV", "(C) 42 nm",
                        "The answer is 4.2 eV. C.", "Verdict: C", "**Conclusion:** C", "By elimination: C",
                        "Final verdict: C) 4.2 eV", "Answer letter: C", "(c)", "My pick: C"})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
  for (const char* r : {"The options are:\nA) 1.2 eV\nC) 4.2 eV",        // the end of a list of options
                        "The options were:\n\nC) 4.2 eV",                // introduced as a list
                        "Let's analyze each option.\n\nC) This would require",  // the analysis starts
                        "The energy is 4.2 eV.\n\nC) 4.2 eV is wrong",   // judged
                        "Verdict: C or D", "Result: C = 4.2 eV",            // alternatives, a quantity
                        "It dissolves in vitamin C."})                       // no sentence of its own
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), std::nullopt) << r;
  // The restated option is the weakest form: an answer line wins.
  EXPECT_EQ(extract_choice_letter("</think>\n\nAnswer: B\n\nC) 4.2 eV"), 'B');
}

// A base model that went on to the next few-shot question answered before it; the next item's answer is not
// this one's.
TEST(ChoiceLetter, TheNextFewShotQuestionIsNotTheAnswer) {
  EXPECT_EQ(extract_choice_letter("The answer is (B).\n\nQuestion: Which gas is heaviest?\n(A) He\n(B) Ne\nThe answer is (D)."), 'B');
  EXPECT_EQ(extract_choice_letter(" B\n\nQuestion: x\nAnswer: D"), 'B');
  EXPECT_EQ(extract_choice_letter("It is aromatic. The answer is (B).\n\nQ: next\nA: The answer is (D)."), 'B');
  // A question restated before any answer is the response's own.
  EXPECT_EQ(extract_choice_letter("Let me restate it.\n\nQuestion: which is larger?\n\nAnswer: C"), 'C');
}

// Letters written in other ways: LaTeX spacing and styles, angle brackets, struck-out letters, circled and
// full-width forms.
TEST(ChoiceLetter, MoreWaysToWriteTheLetter) {
  for (const char* r : {"\\boxed{\\; C \\;}", "\\boxed{\\rm C}", "\\boxed{\\boldsymbol{C}}", "Answer: <C>", "<C>",
                        "Answer: ~~A~~ C", "~~A~~ C", "Answer: \xe2\x92\xb8", "Answer: \xf0\x9f\x85\xb2",
                        "Answer: \xef\xbd\x83", "> **C**", "\xe9\x80\x89\xe6\x8b\xa9 C"})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
}

// Statements limited to a case are weaker than plain ones; a set-aside option, a quantity and a list of
// alternatives are no answer.
TEST(ChoiceLetter, QualifiedStatementsAndSetAsides) {
  for (const char* r : {"The answer is C. D is the answer in vacuum.", "The answer is C. The answer in vacuum is D.",
                        "The answer is C. In vacuum the answer is D.", "C is correct. D is the answer for the gas phase.",
                        "The correct answer is C. Option D is correct for the trans isomer.",
                        "\\boxed{C}\n\n(D would be \\boxed{D} in vacuum.)", "Answer: \\boxed{C}\n\nIf spin were ignored we'd get \\boxed{D}.",
                        "It's C rather than D.", "C, not B.", "Only C remains.", "Only option C survives.",
                        "C is the only one left.", "C is the only correct statement.", "The correct answer is not B but C.",
                        "So the answer is... C!", "The answer is, of course, C.", "I'd go for C.", "My guess would be C.",
                        "Answer: The third option, C.", "Answer: i.e. C", "For small x the answer is C."})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
  for (const char* r : {"Answer: B; D", "Answer: B | D", "Answer: B\\D", "Answer: (A|B|C|D)", "Answer: [A, B, C, or D]",
                        "Answer: one of A, B, C, D", "The answer is A \xc3\x97 10^3.", "The answer is B * 2.",
                        "It is false that the answer is C.", "The worst option is C.", "C is the only one that is wrong."})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), std::nullopt) << r;
}

// Closing forms weigh less than a plain statement before them; each reads only what it is sure of. (From a probe
// of the closing forms: every response here was read wrongly by their first version.)
TEST(ChoiceLetter, ClosingFormsDoNotOverrideAStatement) {
  for (const char* r :
       {"The correct answer is **C**.\n\nWhy not the others?\n- A: True, but it does not explain the shift.\n- B: False.\n- D: False.",
        "Thus, C is correct.\n\nA \xe2\x80\x93 true but incomplete\nB \xe2\x80\x93 false\nD \xe2\x80\x93 false",
        "The answer is C.\n\nAromatic?\nA: no\nB: yes\nD: no",
        "So the answer is C.\n\nRecall the options:\nA) Yes, at all temperatures\nB) No, it needs heating",
        "The answer is C.\n\nSanity check:\n\xe2\x9c\x93 D eliminated (wrong stereochemistry)",
        "**C**\n\nA) 2.0 eV is just the work function.", "C it is.\n\nD) 6.2 eV corresponds to the photon energy.",
        "The answer is C.\n\n**Conclusion:** (a) the reaction is exothermic and (b) entropy-driven.",
        "So C is correct.\n\nResult: B) would need a catalyst.", "The answer is C.\n\nPick: A) would be a common trap.",
        "For the conditions given in the problem, the answer is C; for the gas phase, the answer is A.",
        "Under the stated conditions (high pressure), the correct answer is C. Note that at low pressure the answer is B.",
        "At room temperature, which the problem specifies, C is correct. At 0 K, D is correct.",
        "C is the answer. In vacuum, B is the answer.",
        "C is correct because the free energy falls at all temperatures. D is correct only below 200 K.",
        "The answer is C. B is correct too if we ignore spin-orbit coupling.",
        "Analyzing each option:\n\nA) 2.1 eV corresponds to 590 nm.\n\nB) 3.4 eV corresponds to 365 nm.\n\nThe lamp emits at "
        "295 nm, so it's C.",
        "Initial guess: B.\n\nProblem: does spin-orbit coupling matter here? At Z = 82 it does, so the answer is C.",
        "The correct choice is therefore:\nC) 42 nm", "Putting it all together:\n\n**(C) trans-2-butene**",
        "After the kinetics, the rate law is first order.\n\n**C) rate = k[A]**", "I'm fairly confident: (C).",
        "The answer is not B but rather C.", "B (not C) is wrong; the answer is C.", "It's C, not B or D.",
        "Only B and C remain. B fails the NMR test, leaving C.", "Answer: the photon energy is 4.2 eV, C",
        "| Option | Energy (eV) | Matches? |\n|---|---|---|\n| A | 2.1 | No |\n| C | 4.2 | Yes |\n| D | 8.4 | No |",
        "| Option | Energy | Verdict |\n|---|---|---|\n| A | 2.1 eV | \xe2\x9d\x8c |\n| C | 4.2 eV | \xe2\x9c\x85 |",
        "| Final answer | **C** |\n|---|---|"})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
  for (const char* r :
       {"A: correct sign, wrong magnitude\nB: wrong sign\nC: wrong units\nD: wrong sign",
        "Looking at each option:\n\nA) The SN1 pathway requires a stable carbocation.\n\nB) SN2 is plausible.\n\nD) E1 needs "
        "a carbocation.",
        "The signals depend on symmetry.\n\nb) meta has 3 signals; the question asks about ortho.",
        "This analysis follows Landau & Lifshitz and Jackson, J. D.", "The orbitals fill in the order s, p, d. D.",
        "Only C fits the mass spectrum, but only D fits the NMR. I can't reconcile these.", "Final answer: B\\&D",
        "Answer: A*10^3", "**Answer:** The unknown element is boron, B", "Answer: the limiting reagent is carbon, C",
        " The\n\nQuestion: Which gas is diatomic?\nChoices:\n(A) He\n(B) Ne\n(C) N2\n(D) Ar\nAnswer: (C)"})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), std::nullopt) << r;
  // A response checking itself writes "Question:" and "Q:"/"A:" lines too; italics and a sum after the letter are prose.
  for (const char* r : {"The answer is B.\n\nHmm, let me double-check by re-reading the question.\n\nQuestion: Which gas is "
                        "noble?\n(A) N2\n(B) O2\n(C) Ne\n(D) H2\n\nWait, O2 is not noble. Ne is a noble gas, so the answer is C.",
                        "The answer is B.\n\nQ: Is O2 really a noble gas?\nA: No. Ne is. So the answer is C.",
                        "The correct answer is C *because the dipole moment vanishes*.",
                        "Answer: C *since only this isomer is chiral*", "The answer is C + the catalyst has no effect."})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
}

// From a probe of realistic final answers (R1 and distills, QwQ, Qwen3, o1, GPT-4o, Claude, Gemini, Llama, base models):
// a revision after an answer line, option check lists with the option's text, more languages; a response cut off
// in a list of steps names no answer by a step's result.
TEST(ChoiceLetter, RealisticEndings) {
  for (const char* r :
       {"**Answer: B**\n\nHmm, actually, on re-reading, B describes the divergence-only case. The answer is C.",
        "Answer: A\n\nCorrection: I misread the options. The correct answer is C.",
        "Going through the options:\n\n- (A) 1/4, \xce\xbb^(-3): \xe2\x9c\x97 \xe2\x80\x94 wrong power\n- (C) 1/4, "
        "\xce\xbb^(-4): \xe2\x9c\x93 \xe2\x80\x94 as for dipole radiation\n- (D) 3/4, \xce\xbb^(-6): \xe2\x9c\x97",
        "- **A**: \xe2\x9c\x97 repeats are filtered\n- **B**: \xe2\x9c\x97 not random\n- **C**: \xe2\x9c\x93 open regions",
        "- B) baz: incorrect\n- C) qux: correct", "La bonne r\xc3\xa9ponse est donc **C**.", "Die Antwort lautet C.",
        "\xd0\x98\xd1\x82\xd0\xb0\xd0\xba, \xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82 C.", "The correct statement is (C).",
        "The correct response is C.", "Option C it is."})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
  for (const char* r :
       {"1. Deprotonation gives B.\n2. Alkylation with bromoethane gives C.\n3. The Wittig reaction then gives the four CH2",
        "Answer: C\n\nThe correct answer is D."})  // contradictory without a revision: the answer line stands
    EXPECT_NE(extract_choice_letter(std::string("</think>\n\n") + r), 'D') << r;
  // What those rules must leave alone (from a review): a later plain answer after an early revision, "error" as
  // subject matter, a closing line without a period, a revision within a step's own line.
  for (const char* r : {"Wait, so the answer is B. Let me re-check the numbers with the photon energy, E = hc/lambda, which "
                        "for 300 nm gives about 4.1 eV, above the work function of each metal in the options.\n\nTherefore, "
                        "the answer is C.",
                        "Considering the standard error of the mean, the answer is B for the small sample. With the photon "
                        "energy of about 4.1 eV against each work function in the options, the large sample settles it.\n\n"
                        "The correct answer is C.",
                        "So it's C.\n\nLet me know if you need more details on the mechanism",
                        "**C**\n\nThe Diels-Alder adduct forms with endo selectivity under kinetic control",
                        "So the answer is B.\n\nActually, no: the reduction leads to C."})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
  EXPECT_EQ(extract_choice_letter("</think>\n\n1. Deprotonation gives B.\n2. Alkylation gives C.\n3. The Wittig reaction then "
                                  "gives the four CH2 carbons"),
            std::nullopt);
}

// A result matched to an option closes many chat answers without the word "answer"; a hedged closing answer is still
// the answer given. Both weigh less than a statement, and a match that is a step, a doubt or one of two is none.
TEST(ChoiceLetter, ResultsMatchedToAnOptionAndHedgedClosers) {
  for (const char* r : {"The energy is 2.4 eV. This corresponds to B.", "So the answer corresponds to (B).",
                        "The wavelength works out to 517 nm, which corresponds to choice B in the list provided.",
                        "That matches option B: 2.4 eV.", "This corresponds to answer choice B in the list.",
                        "The computed gap matches choice B, 2.4 eV.", "It matches option B exactly.",
                        "This corresponds to option B, not D.", "The result is consistent with option (B).",
                        "I think it's B, but I'm not sure.", "Most likely B.", "Probably B, though I'm not 100% certain.",
                        "It should be B.", "Likely B.", "So it's B, I think.", "It's B (not sure)."})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'B') << r;
  for (const char* r : {"The answer is C.\n\nThe 2.4 eV photon corresponds to option B, which is the emission line.",
                        "The correct option is C. The first step matches B.", "Answer: C\n\nProbably B is a distractor."})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), 'C') << r;
  for (const char* r : {"This corresponds to B or D.", "This does not correspond to option B.",
                        "If spin is ignored, this would correspond to option B.", "It might match option B.",
                        "The peak at 1700 cm^-1 corresponds to a C=O stretch.", "This matches both A and C.",
                        "Does this correspond to option B?", "This also matches option B.",
                        "The data correspond to A mixture of isomers."})
    EXPECT_EQ(extract_choice_letter(std::string("</think>\n\n") + r), std::nullopt) << r;
}

}  // namespace
}  // namespace r1eval::graders
