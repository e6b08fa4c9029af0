// Multiple-choice answers (GPQA): the letter the response commits to, and its comparison with the gold letter.
#pragma once
#include <optional>
#include <string_view>

#include "graders/verdict.h"

namespace r1eval::graders {

// The answer letter among `letters` stated in the response's answer part (graders/extract.h: after the
// last </think>, before any end-of-turn marker). The strongest kind of statement wins, the last one among
// equals: (4) the format asked for, a line opening with "Answer:" ("**Final Answer:** (B)", "## Answer\n\nB",
// "Réponse : B", "Ответ: B"), "Final answer: B" anywhere in a line, and boxes ("\boxed{B}", "\boxed{B) 3.2 eV}"); (3) prose
// ("the answer to this is B", "the correct option is B", "B is the answer", "I choose B", "so option B.",
// "Actually, B.", "答案为B"; weaker, chat closers "It's B.", "I'd say B." unless after a revision) unless
// doubted: a hedge before it ("Naively, the answer is D", "a common wrong answer is C"; up to a contrast or
// conclusion, not from a reason clause), a condition before a modal ("If it were SN1, the answer would be C";
// not "Even if ..., the answer is C"), an aside in parentheses, or a limit after it ("C? No", "D is correct
// only if ...", "C if T is low");
// (2) "\text{(B)}"; (1) a line holding only the letter ("(B)", "- B"). Closing forms (graders/choice_endings.h)
// weigh as (5) "Answer letter: A", "| Final answer | C |", (4) "Final verdict: C", as closing words a verdict list
// ("A: incorrect\nC: correct"), "Verdict: C" and "C it is.", (1) a lone last sentence "... 4.2 eV. C.", and a last line
// restating one option ("C) 42 nm") only when nothing else names a letter. A statement limited to another case ("D is the
// answer in vacuum") weighs as a closing word; one right after a revision ("Hmm, actually ... the answer is C",
// "Correction: ...") outweighs an answer line before it when no statement follows it. A response cut off
// mid-sentence names no letter by a step's result ("Alkylation gives C."). A base model's next few-shot item (a "Question:" line followed by its
// options, "Choices:" or an answer slot) ends the response. A letter that starts a word or formula
// ("A mixture", "D-glucose", "C=O", "\text{C}_6", "compound C") is no answer; a lower-case one only when
// parenthesised or followed by punctuation ("answer: b"). Several letters ("B or C", "B/C", "A, B", "A and C
// are both correct", "\boxed{C, D}") state none, nor does the first label of a list of options. Thinking that
// never closed (an opening <think> without </think>) states only a box. nullopt when none.
std::optional<char> extract_choice_letter(std::string_view response, std::string_view letters = "ABCD");

// Compares the extracted letter with `gold` (one letter, case-insensitive).
Verdict grade_choice(std::string_view response, std::string_view gold);

}  // namespace r1eval::graders
