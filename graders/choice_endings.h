// How a multiple-choice response may close without an answer sentence: a list that judges every option
// ("A: incorrect\nB: incorrect\nC: correct", "✅ B\n❌ A", "- [x] B", "| C | correct |", "Not A, not B. C."),
// a last line that restates one option ("C) 4.2 eV", "**B.** 2.4 eV", "(a)"), a last sentence that is only a
// letter ("The wavelength is 42 nm. C."), or a line labelled with a word other than "Answer" ("Verdict: C",
// "Conclusion: C", "By elimination: B", "Answer letter: A"). choice_grader weighs what these find against
// the answer statements it finds itself.
#pragma once
#include <string_view>
#include <vector>

#include "graders/choice_letter.h"

namespace r1eval::graders::choice {

enum class EndingKind {
  kRestatedOption,     // the last line restates one option: a fallback when nothing else states one
  kClosingLetter,      // a lower-case letter alone on the last line, or a last sentence that is the letter alone
  kVerdictList,        // the last paragraph judges options, exactly one of them right
  kFinalLabelLine,     // "Final verdict: C", "Final conclusion: C"
  kLabelLine,          // "Verdict: C", "Conclusion: C", "My pick: C"
  kLabelLineWithText,  // "Verdict: C) 4.2 eV"
  kAnswerLabelLine,    // "Answer letter: A", "Answer choice: (B)": the requested format with one more word
};

struct Ending {
  Letter letter;
  EndingKind kind;
};

// Every closing form found in `text` (a response's answer part; `lower` its ASCII lower-case copy).
std::vector<Ending> find_endings(std::string_view text, std::string_view lower, std::string_view letters);

}  // namespace r1eval::graders::choice
