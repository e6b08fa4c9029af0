// Locating the final answer inside a model response (boxes, </think>, fallbacks).
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace r1eval::graders {

// The part of `response` after its reasoning: after the last closing tag of the wrappers models put it in
// ("</think>", "</thinking>", "</reasoning>", "<|end_of_thought|>", "◁/think▷", "</seed:think>", "[/THINK]"),
// or the whole response when there is none. A "</think>" repeated after the answer with nothing after it is
// passed over: the text between it and the closing tag before is the answer's.
std::string_view text_after_think(std::string_view response);

// The assistant's turn as the model wrote it, when a file gives the prompt and the completion apart: a prompt that
// ends by opening the thinking ("...<｜Assistant｜><think>\n", as the R1 template and Qwen3's do) makes the completion
// a continuation of it, so "<think>\n" is put back in front (unless the completion repeats it). A completion cut by
// the length limit before "</think>" then states no answer but a box, as one from `r1eval run` does.
std::string response_as_written(std::string_view prompt, std::string_view response);

// True when `answer_text` (text_after_think's result) still opens reasoning that never closed: the response
// was cut while thinking, and states no answer but a box.
bool thinking_unfinished(std::string_view answer_text);

// Where a response states its final answer: gpt-oss's final channel when it has one; the text before its first
// end-of-turn marker (<|im_end|>, <|eot_id|>, ...: generation that ran past its turn is not the response),
// after its reasoning (text_after_think).
std::string_view answer_part(std::string_view response);

// Where a base model that finished its answer went on to write the next few-shot item: the start of the first line
// after some text that opens with "Question:", "Q:", "Problem:" or "Question 2" / "Problem 2" (after markdown),
// npos when there is none. Graders read the answer before it when that states one.
size_t next_item_start(std::string_view answer_text);

// One complete \boxed{...} / \fbox{...} found in a text: its content and where the box starts and ends
// (end is one past the closing brace or the last character of a brace-less "\boxed 5").
struct BoxSpan {
  std::string content;
  size_t begin = 0;
  size_t end = 0;
};

// Every complete, non-empty box of `text`, left to right. An unclosed box ends the scan: nothing after it counts.
// `unclosed_last` (optional) is set when the scan stopped at an unclosed box.
std::vector<BoxSpan> find_boxes(std::string_view text, bool* unclosed_last = nullptr);

// True when the text between two boxes sets the second one aside ("$\\boxed{3}$, not $\\boxed{5}$", "\\boxed{3}
// rather than \\boxed{5}") or makes it an approximation of the first ("\\boxed{12\\pi} \\approx \\boxed{37.7}",
// "\\boxed{12\\pi}$, or approximately $\\boxed{37.7}"): the box before it is the answer.
bool sets_next_box_aside(std::string_view gap);

// Phrases (lower case) that correct an answer already given with the one meant: "Answer: B\n\nOops, I meant C",
// "\boxed{5} (correction: 6)", "The answer is 5. Scratch that, 6."
inline constexpr std::array<std::string_view, 4> kCorrectionPhrases = {"correction:", "i meant", "scratch that", "i mean,"};

// How the final answer was found, for the verdict's reason.
enum class AnswerSource { kBox, kBoxList, kFinalAnswerPhrase, kLastMath, kWholeResponse, kNone };

struct ExtractedAnswer {
  std::optional<std::string> answer;
  AnswerSource source = AnswerSource::kNone;
};

// The final answer of a response (text after an end-of-turn marker such as <|im_start|> ignored), in this
// order:
//  1. the last complete box after </think> (several boxes joined only by commas/"and"/"or"/$ in the closing
//     sentence become one comma-separated list; one set aside by "not" or only approximating the box before
//     it, "\boxed{12\pi} \approx \boxed{37.7}", does not count); an explicit correction after it
//     (kCorrectionPhrases followed by a value: "\boxed{5}. Oops, I meant 6.") wins, then a "final answer is X"
//     sentence after it when X starts with its answer;
//  2. when the last box is unclosed: no answer;
//  3. without any box, a correction after the last "answer" ("Answer: 5\n\nI meant 6."), else the last phrase "final answer is X" / "answer is: X" / "answer is X" / "Answer: X"
//     (one that only judges the answer, "the answer is reasonable", defers to the one before): what X
//     states before its first prose or linking word ("7 (from 3 + 4)" -> 7), or the value a computation
//     after it restates ("5 choose 2 = 10" -> 10), or a lone word; when X starts with prose, its last math
//     or number;
//  4. else, unless the text stops mid-sentence (ends in a letter, comma or colon: cut off by the length limit)
//     or under a heading ("1. **Case 1**"), or opened <think> and never closed it (thinking cut off: then only a box counts, as in step 1), what the
//     last sentence states (what follows the last verb of its main clauses when that is a value, "the
//     minimum is 12 when x = 3" -> 12; else its last math or number, "I hope it is correct." ignored; math spans
//     joined only by separators form one list; a bare closing line "42"), else the last math span ($$..$$,
//     \[..\], \(..\), $..$; inline ones within one line);
//  5. else the whole text when it is one line of at most 100 characters ("-5", "28 percent"), unless it is
//     cut off after a sentence or on a word no sentence ends with ("..., we solve for $x = 3$, then").
ExtractedAnswer extract_final_answer(std::string_view response);

}  // namespace r1eval::graders
