// Reading one answer letter at a position of a response: the decoration around it ("**(B)**",
// "$\boxed{\text{B}}$", "<b>B</b>", "Ｂ") and whether it stands alone as a letter rather than starting a word
// or a formula ("A mixture", "D-glucose", "C=O", "C_6"). The statements around letters are choice_grader's.
#pragma once
#include <cstddef>
#include <string_view>

namespace r1eval::graders::choice {

inline constexpr std::size_t kNone = std::string_view::npos;

inline bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool starts_with(std::string_view s, std::size_t i, std::string_view p) { return s.compare(i, p.size(), p) == 0; }

// A letter found in the text: where it is, which letter, and where the text after it starts.
struct Letter {
  std::size_t pos = kNone;
  std::size_t end = kNone;
  char letter = 0;
  bool found() const { return pos != kNone; }
};

// How a letter must look where it is read.
struct LetterRules {
  bool newlines = false;      // decoration may span line breaks ("**Answer:**\n\n> B")
  bool article_check = false;  // "A" followed by a word that is not a verb or connective is the article
  bool lower_case = false;     // "b" counts when it is parenthesised or followed by punctuation or the line's end
};

// Skips decoration from `i`: spaces (Unicode ones too), markdown, quotes, "$", opening brackets, HTML bold,
// \( \[ and formatting commands (\boxed, \text, \textbf, \mathbf, \underline, \color{...}, ...). Returns the
// position of the first other character, kNone past a command it does not know.
std::size_t skip_decoration(std::string_view s, std::size_t i, bool newlines);

// The letter of `letters` at `i` after decoration, when it stands alone; not found otherwise.
Letter decorated_letter(std::string_view s, std::size_t i, std::string_view letters, const LetterRules& rules);

// True when an upper-case letter of `letters` stands bare at `i`: no letter or digit touches it ("B", "(B)", "B,"; not
// "Bo", "B2"), and it is no concentration "[A]".
bool bare_letter_at(std::string_view s, std::size_t i, std::string_view letters);

// True when a bare letter stands anywhere in [begin, end): the text names an option.
bool names_a_letter(std::string_view s, std::size_t begin, std::size_t end, std::string_view letters);

// True when only closing decoration follows `i` up to the end of its line.
bool ends_its_line(std::string_view s, std::size_t i);

// Past a set-aside of another option right after a letter at `i`: "B, not C", "B rather than D", "B (not D)";
// `i` itself when none follows.
std::size_t past_set_aside(std::string_view s, std::size_t i, std::string_view letters);

// True when an operation on the letter follows it ("A × 10^3", "B * 2", "A ≈ 2"): a quantity, not a choice.
bool operated_on(std::string_view s, std::size_t i);

// True when the letter is a label followed by its option's text ("B) 3.2 eV", "B. ester", "B: ...").
bool is_label(std::string_view s, const Letter& l);

}  // namespace r1eval::graders::choice
