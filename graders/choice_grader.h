// Multiple-choice answers (GPQA): the letter the response commits to, and its comparison with the gold letter.
#pragma once
#include <optional>
#include <string_view>

#include "graders/verdict.h"

namespace r1eval::graders {

// The answer letter among `letters` stated in the response's answer part (graders/extract.h: after the
// last </think>, before any end-of-turn marker). The strongest kind of statement wins, the last one among
// equals: (1) answer statements ("Answer: X", "**Answer:** (X)", "the answer is: option X", "the answer should
// be X", "**Final Answer**\nX", "答案：X") and boxes ("\boxed{X}", "\boxed{X) 3.2 eV}"); (2) "the correct option
// is X", "Choice: X"; (3) "\text{(X)}", "\textbf{(X)}"; (4) a line holding only the letter ("(B)", "**B**").
// Full-width letters and colons count. A letter that starts a word or formula ("D-glucose", "C=O",
// "\text{C}_6", "A mixture") is no answer; a lower-case one only when it ends an answer statement's line
// ("answer: b"). Two letters as alternatives ("B or C", "B/C") state none. nullopt when none.
std::optional<char> extract_choice_letter(std::string_view response, std::string_view letters = "ABCD");

// Compares the extracted letter with `gold` (one letter, case-insensitive).
Verdict grade_choice(std::string_view response, std::string_view gold);

}  // namespace r1eval::graders
