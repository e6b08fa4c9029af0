#include "graders/choice_grader.h"

#include <array>
#include <cctype>
#include <string>

#include "graders/extract.h"

namespace r1eval::graders {
namespace {

constexpr size_t kNone = std::string_view::npos;

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }
char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }
bool starts_with(std::string_view s, size_t i, std::string_view p) { return s.compare(i, p.size(), p) == 0; }

constexpr std::string_view kFullWidthColon = "\xef\xbc\x9a";   // ：
constexpr std::string_view kFullWidthA = "\xef\xbc\xa1";       // Ａ; Ｂ..Ｚ follow in the last byte
constexpr std::string_view kNoBreakSpace = "\xc2\xa0";
constexpr std::string_view kZeroWidthSpace = "\xe2\x80\x8b";
constexpr std::array<std::string_view, 2> kDashes = {"\xe2\x80\x93", "\xe2\x80\x94"};  // – —

constexpr std::array<std::string_view, 2> kOptionWords = {"option", "choice"};

// How firmly a letter is stated. The strongest kind found wins, the last of that kind among equals: an
// "Answer: B" line is not overridden by a unit "\text{C}" or an aside "(option D is wrong)" after it.
enum class Strength { kLoneLine = 1, kTextLabel = 2, kOptionPhrase = 3, kAnswer = 4 };

// A letter found in the text: where it is, which letter, and where the text after it starts.
struct Letter {
  size_t pos = kNone;
  size_t end = kNone;
  char letter = 0;
};

// Skips what may sit between "Answer:" and its letter: spaces, markdown ("**", "_", "#", "`"), quotes, "$",
// opening brackets, \( \[ and formatting commands (\boxed, \text, \textbf, \mathbf, ...); newlines too when
// `newlines`. Returns the position of the first other character (kNone past a command it does not know).
size_t skip_decoration(std::string_view s, size_t i, bool newlines) {
  static constexpr std::array<std::string_view, 13> kFormatting = {
      "\\boxed", "\\fbox", "\\text", "\\textbf", "\\textrm", "\\textit", "\\textsf", "\\mathrm", "\\mathbf",
      "\\mathit", "\\emph", "\\bf", "\\mathsf"};
  for (int rounds = 0; rounds < 32 && i < s.size(); ++rounds) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '*' || c == '_' || c == '#' || c == '`' || c == '"' || c == '\'' ||
        c == '$' || c == '(' || c == '[' || c == '{' || (newlines && (c == '\n' || c == '\r'))) {
      ++i;
      continue;
    }
    if (starts_with(s, i, kNoBreakSpace) || starts_with(s, i, kZeroWidthSpace)) {
      i += starts_with(s, i, kNoBreakSpace) ? kNoBreakSpace.size() : kZeroWidthSpace.size();
      continue;
    }
    if (c != '\\') return i;
    size_t e = i + 1;
    while (e < s.size() && is_alpha(s[e])) ++e;
    if (e == i + 1 && e < s.size() && (s[e] == '(' || s[e] == '[')) {  // \( \[
      i = e + 1;
      continue;
    }
    const std::string_view command = s.substr(i, e - i);
    bool known = false;
    for (std::string_view f : kFormatting) known = known || command == f;
    if (!known) return kNone;
    i = e;
  }
  return i;
}

// The answer letter at `i` (one of `letters`, upper case, or its full-width form "Ｂ").
Letter letter_at(std::string_view s, size_t i, std::string_view letters) {
  if (i >= s.size()) return {};
  char c = 0;
  size_t end = i + 1;
  if (std::isupper(static_cast<unsigned char>(s[i]))) {
    c = s[i];
  } else if (starts_with(s, i, kFullWidthA.substr(0, 2)) && i + 2 < s.size()) {
    const unsigned char last = static_cast<unsigned char>(s[i + 2]);
    const unsigned char first = static_cast<unsigned char>(kFullWidthA[2]);
    if (last >= first && last < first + 26) c = static_cast<char>('A' + (last - first));
    end = i + 3;
  }
  if (c == 0 || letters.find(c) == std::string_view::npos) return {};
  return {i, end, c};
}

// True when the letter ending at `end` stands alone rather than starting a word or a formula: "D-glucose",
// "C=O", "C_6H_6", "B'", "A mixture of both" are not answers; "A is correct", "B) 3.2 eV", "C." are.
bool stands_alone(std::string_view s, const Letter& l) {
  if (l.end >= s.size()) return true;
  const char next = s[l.end];
  const bool quoted = next == '\'' && l.pos > 0 && s[l.pos - 1] == '\'';  // 'B', not the prime B'
  if (is_alnum(next) || next == '-' || next == '=' || next == '_' || next == '^' || (next == '\'' && !quoted) ||
      next == '+')
    return false;
  if (l.letter == 'A' && next == ' ' && l.end + 1 < s.size() && is_lower(s[l.end + 1])) {
    // "A" is also the article: after it only a verb or a connective keeps it a letter.
    size_t e = l.end + 1;
    while (e < s.size() && is_alpha(s[e])) ++e;
    const std::string_view word = s.substr(l.end + 1, e - l.end - 1);
    static constexpr std::array<std::string_view, 12> kAfterLetter = {
        "is", "was", "because", "since", "as", "and", "or", "seems", "appears", "fits", "matches", "would"};
    for (std::string_view w : kAfterLetter)
      if (word == w) return true;
    return false;
  }
  return true;
}

// The decorated letter at `i` ("**(B)**", "$\boxed{B}$"), when it stands alone; newlines skipped when allowed.
Letter decorated_letter(std::string_view s, size_t i, std::string_view letters, bool newlines) {
  const size_t at = skip_decoration(s, i, newlines);
  if (at == kNone) return {};
  const Letter l = letter_at(s, at, letters);
  if (l.pos == kNone || !stands_alone(s, l)) return {};
  return l;
}

// True when only closing decoration (")", "]", "}", "*", "$", ".", spaces) follows `i` up to the line's end.
bool ends_its_line(std::string_view s, size_t i) {
  for (; i < s.size() && s[i] != '\n'; ++i) {
    const char c = s[i];
    if (!(c == ')' || c == ']' || c == '}' || c == '*' || c == '$' || c == '.' || c == ' ' || c == '\t' ||
          c == '\r' || c == '_' || c == '`' || c == '\\'))
      return false;
  }
  return true;
}

// The length of the word at `i` when it is one of `words` (ASCII, case-insensitive via `lower`), else 0.
template <size_t N>
size_t word_at(std::string_view lower, size_t i, const std::array<std::string_view, N>& words) {
  for (std::string_view w : words)
    if (starts_with(lower, i, w) && (i + w.size() >= lower.size() || !is_alpha(lower[i + w.size()]))) return w.size();
  return 0;
}

size_t skip_blanks(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '*' || s[i] == '_')) ++i;
  return i;
}

// A lower-case letter that ends its line after an answer statement ("answer: b", "Answer: (c)"); elsewhere
// a lower-case letter is a word ("Answer: a bit unclear").
Letter lower_case_letter(std::string_view text, size_t i, std::string_view letters, bool newlines) {
  const size_t at = skip_decoration(text, i, newlines);
  if (at == kNone || at >= text.size() || !is_lower(text[at])) return {};
  const Letter l{at, at + 1, upper(text[at])};
  if (letters.find(l.letter) == std::string_view::npos || !ends_its_line(text, l.end)) return {};
  return l;
}

// True when another letter follows `l` as an alternative: "B and C", "B or D", "B/C" state no one answer.
bool hedged(std::string_view text, std::string_view lower, const Letter& l, std::string_view letters) {
  size_t k = l.end;
  while (k < text.size() && (text[k] == ')' || text[k] == '*' || text[k] == ' ' || text[k] == '$' || text[k] == '}')) ++k;
  if (k < text.size() && (text[k] == '/' || text[k] == '&')) ++k;
  else if (starts_with(lower, k, "or ")) k += 3;
  else if (starts_with(lower, k, "and ")) k += 4;
  else return false;
  return decorated_letter(text, k, letters, false).pos != kNone;
}

// The letter a statement introduced at `i` names: ": B", "：B", "is B", "is: B", "should be (B)", "is clearly
// option B", or, after a heading ("**Final Answer**\n\nB"), a letter alone on its line.
Letter stated_letter(std::string_view text, std::string_view lower, size_t i, std::string_view letters) {
  static constexpr std::array<std::string_view, 2> kIs = {"is", "="};
  static constexpr std::array<std::string_view, 5> kModal = {"should", "would", "must", "will", "might"};
  static constexpr std::array<std::string_view, 1> kBe = {"be"};
  static constexpr std::array<std::string_view, 8> kAdverb = {"clearly",  "therefore", "thus",   "most likely",
                                                              "likely",   "probably",  "indeed", "definitely"};
  static constexpr std::array<std::string_view, 4> kChoiceWord = {"option", "choice", "letter", "answer"};
  i = skip_blanks(text, i);
  bool colon = false;
  if (i < text.size() && text[i] == ':') {
    ++i;
    colon = true;
  } else if (starts_with(text, i, kFullWidthColon)) {
    i += kFullWidthColon.size();
    colon = true;
  } else if (i < text.size() && text[i] == '-' && i > 0 && text[i - 1] == ' ') {
    ++i;  // "Answer - B"
  } else if (starts_with(text, i, kDashes[0]) || starts_with(text, i, kDashes[1])) {
    i += kDashes[0].size();
  } else if (size_t n = word_at(lower, i, kIs)) {
    i = skip_blanks(text, i + n);
    if (i < text.size() && text[i] == ':') ++i;
  } else if (size_t m = word_at(lower, i, kModal)) {
    i = skip_blanks(text, i + m);
    const size_t b = word_at(lower, i, kBe);
    if (b == 0) return {};
    i += b;
  } else {
    // A heading: the letter must follow on a later line and end it.
    size_t k = i;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t' || text[k] == '*' || text[k] == '#' || text[k] == '_')) ++k;
    if (k >= text.size() || (text[k] != '\n' && text[k] != '\r')) return {};
    const Letter l = decorated_letter(text, k, letters, /*newlines=*/true);
    return l.pos != kNone && ends_its_line(text, l.end) ? l : Letter{};
  }
  i = skip_blanks(text, i);
  if (size_t a = word_at(lower, i, kAdverb)) i = skip_blanks(text, i + a);
  // "option B", "choice (C)"; after a colon the letter may be on the next line ("**Answer:**\n\nB").
  const size_t before_word = skip_decoration(text, i, colon);
  if (before_word != kNone)
    if (size_t w = word_at(lower, before_word, kChoiceWord)) i = before_word + w;
  Letter l = decorated_letter(text, i, letters, colon);
  if (l.pos == kNone) l = lower_case_letter(text, i, letters, colon);
  return l.pos != kNone && !hedged(text, lower, l, letters) ? l : Letter{};
}

// Strength and position of the best statement found so far.
class Best {
 public:
  void offer(const Letter& l, Strength s) {
    if (l.pos == kNone) return;
    if (found_.pos == kNone || s > strength_ || (s == strength_ && l.pos > found_.pos)) {
      found_ = l;
      strength_ = s;
    }
  }
  std::optional<char> letter() const {
    if (found_.pos == kNone) return std::nullopt;
    return found_.letter;
  }

 private:
  Letter found_;
  Strength strength_ = Strength::kLoneLine;
};

std::string ascii_lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void find_answer_statements(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  // "Answer: B", "the correct answer is (B)", "The answer should be B", "**Final Answer**\nB", "答案：B".
  for (size_t at = lower.find("answer"); at != kNone; at = lower.find("answer", at + 1)) {
    if (at > 0 && is_alpha(lower[at - 1])) continue;
    size_t i = at + 6;
    if (i < lower.size() && lower[i] == 's') ++i;  // "answers"
    best.offer(stated_letter(text, lower, i, letters), Strength::kAnswer);
  }
  static constexpr std::string_view kDaAn = "\xe7\xad\x94\xe6\xa1\x88";  // 答案
  static constexpr std::string_view kShi = "\xe6\x98\xaf";              // 是
  for (size_t at = text.find(kDaAn); at != kNone; at = text.find(kDaAn, at + 1)) {
    size_t i = skip_blanks(text, at + kDaAn.size());
    if (starts_with(text, i, kShi)) i += kShi.size();
    else if (starts_with(text, i, kFullWidthColon)) i += kFullWidthColon.size();
    else if (i < text.size() && text[i] == ':') ++i;
    else continue;
    best.offer(decorated_letter(text, i, letters, true), Strength::kAnswer);
  }
  // "The correct option is C", "Choice: B": weaker, since an aside may name an option after the answer.
  for (std::string_view word : {std::string_view("option"), std::string_view("choice")}) {
    for (size_t at = lower.find(word); at != kNone; at = lower.find(word, at + 1)) {
      if (at > 0 && is_alpha(lower[at - 1])) continue;
      size_t i = skip_blanks(text, at + word.size());
      if (i < text.size() && text[i] == ':') ++i;
      else if (starts_with(lower, i, "is ")) i += 3;
      else continue;
      best.offer(decorated_letter(text, i, letters, false), Strength::kOptionPhrase);
    }
  }
  // "I would choose B.", "So I select option (C)".
  static constexpr std::array<std::string_view, 3> kVerbs = {"choose", "select", "pick"};
  for (std::string_view verb : kVerbs) {
    for (size_t at = lower.find(verb); at != kNone; at = lower.find(verb, at + 1)) {
      if (at > 0 && is_alpha(lower[at - 1])) continue;
      size_t i = skip_blanks(text, at + verb.size());
      if (size_t w = word_at(lower, i, kOptionWords)) i += w;
      const Letter l = decorated_letter(text, i, letters, false);
      if (l.pos != kNone && !hedged(text, lower, l, letters)) best.offer(l, Strength::kOptionPhrase);
    }
  }
  // "Therefore, B is the correct answer.", "Thus, option B is correct.", "**B** is correct."
  for (size_t at = lower.find(" is "); at != kNone; at = lower.find(" is ", at + 1)) {
    size_t k = at + 4;
    if (starts_with(lower, k, "the ")) k += 4;
    if (!(starts_with(lower, k, "correct") || starts_with(lower, k, "right") || starts_with(lower, k, "best"))) continue;
    size_t b = at;
    while (b > 0 && (text[b - 1] == '*' || text[b - 1] == ')' || text[b - 1] == '$' || text[b - 1] == '}')) --b;
    if (b == 0) continue;
    const Letter l = letter_at(text, b - 1, letters);
    if (l.pos == kNone || (l.pos > 0 && is_alnum(text[l.pos - 1]))) continue;
    best.offer(l, Strength::kOptionPhrase);
  }
}

void find_boxes_and_labels(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  // "\boxed{B}", "\boxed{(B)}", "\boxed{\text{B}}", "\boxed{B) 3.2 eV}": a letter that opens the box and is
  // either all of it or a label followed by the option's text.
  for (std::string_view cmd : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
    for (size_t at = text.find(cmd); at != kNone; at = text.find(cmd, at + 1)) {
      size_t i = skip_decoration(text, at, false);
      if (i == kNone) continue;
      if (size_t w = word_at(lower, i, kOptionWords)) {  // "\boxed{\text{Option B}}", "\boxed{\text{Option } B}"
        i += w;
        while (i < text.size() && (text[i] == ' ' || text[i] == '}')) ++i;
      }
      const Letter l = decorated_letter(text, i, letters, false);
      if (l.pos == kNone) continue;
      size_t k = l.end;
      if (k < text.size() && (text[k] == ')' || text[k] == '.' || text[k] == ':')) {
        best.offer(l, Strength::kAnswer);
        continue;
      }
      while (k < text.size() && (text[k] == ')' || text[k] == ' ' || text[k] == ']' || text[k] == '$' || text[k] == '*')) ++k;
      if (k < text.size() && text[k] == '}') best.offer(l, Strength::kAnswer);
    }
  }
  // "\text{(C)}", "\textbf{(D)}": a labelled option; the parentheses keep units ("\text{C}") and element
  // symbols out.
  for (size_t at = text.find("{("); at != kNone; at = text.find("{(", at + 1)) {
    size_t b = at;
    while (b > 0 && is_alpha(text[b - 1])) --b;
    if (b == 0 || text[b - 1] != '\\' || b == at) continue;
    const Letter l = letter_at(text, at + 2, letters);
    if (l.pos != kNone && starts_with(text, l.end, ")}")) best.offer(l, Strength::kTextLabel);
  }
  // A line that is only a letter: "B", "(B)", "**B**", "$\mathbf{B}$".
  for (size_t start = 0; start < text.size();) {
    size_t stop = text.find('\n', start);
    if (stop == kNone) stop = text.size();
    const std::string_view line = text.substr(0, stop);
    const Letter l = decorated_letter(line, start, letters, false);
    if (l.pos != kNone && ends_its_line(line, l.end)) best.offer(l, Strength::kLoneLine);
    start = stop + 1;
  }
}

}  // namespace

std::optional<char> extract_choice_letter(std::string_view response, std::string_view letters) {
  const std::string_view text = answer_part(response);
  const std::string lower = ascii_lower_copy(text);
  Best best;
  find_answer_statements(text, lower, letters, best);
  find_boxes_and_labels(text, lower, letters, best);
  return best.letter();
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
