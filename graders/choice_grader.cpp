#include "graders/choice_grader.h"

#include <cctype>
#include <string>

#include "graders/extract.h"

namespace r1eval::graders {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

// Reads a letter of `letters` at `i` after optional decoration ("**", "$", "(", "\text{", "\boxed{",
// "\textbf{"), requiring that no letter or digit follows it. Returns the letter's position or npos.
size_t letter_after(std::string_view s, size_t i, std::string_view letters) {
  for (int rounds = 0; rounds < 8 && i < s.size(); ++rounds) {
    const char c = s[i];
    if (c == ' ' || c == '*' || c == '$' || c == '(' || c == '[' || c == '{' || c == '\t') {
      ++i;
      continue;
    }
    if (c == '\\') {
      size_t e = i + 1;
      while (e < s.size() && std::isalpha(static_cast<unsigned char>(s[e]))) ++e;
      const std::string_view cmd = s.substr(i, e - i);
      if (cmd == "\\text" || cmd == "\\textbf" || cmd == "\\boxed" || cmd == "\\mathrm" || cmd == "\\mathbf" ||
          cmd == "\\fbox" || cmd == "\\(" ) {
        i = e;
        continue;
      }
      if (e == i + 1 && e < s.size() && (s[e] == '(' || s[e] == '[')) {  // \( \[
        i = e + 1;
        continue;
      }
      return std::string_view::npos;
    }
    break;
  }
  if (i >= s.size() || letters.find(upper(s[i])) == std::string_view::npos) return std::string_view::npos;
  if (!std::isupper(static_cast<unsigned char>(s[i]))) return std::string_view::npos;
  if (i + 1 < s.size() && is_alnum(s[i + 1])) return std::string_view::npos;
  return i;
}

std::string ascii_lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<char> extract_choice_letter(std::string_view response, std::string_view letters) {
  const std::string_view text = text_after_think(response);
  const std::string lower = ascii_lower_copy(text);
  size_t best = std::string_view::npos;
  auto consider = [&](size_t letter_pos) {
    if (letter_pos != std::string_view::npos && (best == std::string_view::npos || letter_pos > best))
      best = letter_pos;
  };
  // "Answer: X", "Answer: (X)", "**Answer:** X", "Answer: $\boxed{X}$", "the answer is (X)", and the same
  // with "option" / "choice".
  for (std::string_view word : {std::string_view("answer"), std::string_view("option"), std::string_view("choice")}) {
    for (size_t at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
      size_t i = at + word.size();
      while (i < text.size() && (text[i] == '*' || text[i] == ' ')) ++i;
      if (i < text.size() && text[i] == ':') consider(letter_after(text, i + 1, letters));
      else if (lower.compare(i, 3, "is ") == 0) consider(letter_after(text, i + 3, letters));
    }
  }
  // "\boxed{X}", "\text{(X)}" anywhere.
  for (std::string_view cmd : {std::string_view("\\boxed"), std::string_view("\\text"), std::string_view("\\fbox")}) {
    for (size_t at = text.find(cmd); at != std::string_view::npos; at = text.find(cmd, at + 1)) {
      const size_t p = letter_after(text, at, letters);
      if (p == std::string_view::npos) continue;
      // The letter must be the whole content: only ")", "}" or "]" may close it.
      size_t k = p + 1;
      while (k < text.size() && (text[k] == ')' || text[k] == ' ' || text[k] == ']')) ++k;
      if (k < text.size() && text[k] == '}') consider(p);
    }
  }
  if (best == std::string_view::npos) return std::nullopt;
  return upper(text[best]);
}

Verdict grade_choice(std::string_view response, std::string_view gold) {
  Verdict v;
  std::string g;
  for (char c : gold)
    if (!std::isspace(static_cast<unsigned char>(c))) g += upper(c);
  // A gold letter past D (other multiple-choice sets) widens the accepted letters up to it.
  std::string letters = "ABCD";
  if (g.size() == 1 && g[0] > 'D' && g[0] <= 'Z')
    for (char c = 'E'; c <= g[0]; ++c) letters += c;
  const std::optional<char> letter = extract_choice_letter(response, letters);
  if (!letter) {
    v.reason = "no answer letter";
    return v;
  }
  v.extracted = std::string(1, *letter);
  if (g.size() == 1 && g[0] == *letter) {
    v.correct = true;
    v.reason = "letter equal";
  } else {
    v.reason = "letter differs";
  }
  return v;
}

}  // namespace r1eval::graders
