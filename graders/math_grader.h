// Math answers: extraction of the final answer from a reasoning response and equivalence with a gold answer.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "graders/verdict.h"

namespace r1eval::graders {

// The final answer of a response: the content of the last non-empty \boxed{...} / \fbox{...} (balanced
// braces, also "\boxed 5"), searched in the text after the last </think> when there is one, else in the
// whole response (text after an end-of-turn marker ignored); boxes of one closing sentence ("\boxed{2} and
// \boxed{3}") form one comma-separated list. nullopt when there is no complete box or the last one is
// unclosed. (grade_math also uses the fallbacks of extract_final_answer, graders/extract.h.)
std::optional<std::string> extract_boxed_answer(std::string_view response);

// True when two answer strings denote the same answer (used for gold comparison and cons@k grouping). `a` is
// the answer, `b` the gold: symmetric except that a sum of names equated with a constant in `a` ("m + n =
// 33", also inside a list or a matrix) matches that constant in `b`, never the other way round.
bool math_answers_equal(std::string_view a, std::string_view b);

// Extracts the answer of `response` (extract_final_answer's order: boxes, then "final answer is" phrases,
// then the last math span, then a short bare response) and compares it with `gold`. A gold holding
// boxes (a full reference solution) is reduced to its last box.
Verdict grade_math(std::string_view response, std::string_view gold);

}  // namespace r1eval::graders
