// Multiple-choice answers (GPQA): the letter the response commits to, and its comparison with the gold letter.
#pragma once
#include <optional>
#include <string_view>

#include "graders/verdict.h"

namespace r1eval::graders {

// The rightmost answer letter among `letters` in the text after the last </think> (whole response when
// there is none): "Answer: X", "Answer: (X)", "**Answer:** X", "the answer is X" (also with "option" or
// "choice" for "answer"), "\boxed{X}", "\text{(X)}". nullopt when none.
std::optional<char> extract_choice_letter(std::string_view response, std::string_view letters = "ABCD");

// Compares the extracted letter with `gold` (one letter, case-insensitive).
Verdict grade_choice(std::string_view response, std::string_view gold);

}  // namespace r1eval::graders
