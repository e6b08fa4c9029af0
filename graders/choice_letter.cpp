#include "graders/choice_letter.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace r1eval::graders::choice {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::string_view kFullWidthA = "\xef\xbc\xa1";  // Ａ; Ｂ..Ｚ follow in the last byte

// Multi-byte decoration: Unicode spaces, curly quotes, full-width brackets, HTML bold.
constexpr std::array<std::string_view, 18> kSkippedSequences = {
    "\xc2\xa0",     "\xe2\x80\x8b", "\xe3\x80\x80", "\xe2\x80\x89", "\xe2\x80\xaf", "\xe2\x80\x82",
    "\xe2\x80\x83", "\xe2\x80\x98", "\xe2\x80\x9c", "\xef\xbc\x88", "\xe3\x80\x90", "<b>",
    "<strong>",     "<em>",         "<i>",          "<u>",          "<code>",       "&nbsp;"};

constexpr std::array<std::string_view, 32> kFormatting = {
    "\\boxed",  "\\fbox",   "\\text",      "\\textbf",      "\\textrm",   "\\textit",  "\\textsf",  "\\mathrm",
    "\\mathbf", "\\mathit", "\\emph",      "\\bf",          "\\mathsf",   "\\underline", "\\bm",    "\\large",
    "\\Large",  "\\rm",     "\\it",        "\\boldsymbol",  "\\pmb",      "\\texttt",  "\\mathtt",  "\\textup",
    "\\textnormal", "\\displaystyle", "\\small", "\\huge", "\\Huge",     "\\quad",    "\\qquad",   "\\textsc"};

// Words after the letter A that keep it a letter ("A is correct", "A due to ..."); any other lower-case word
// makes it the article ("A mixture of both").
constexpr std::array<std::string_view, 29> kAfterLetter = {
    "is",  "was", "because", "since", "as",    "and",  "or",   "seems", "appears", "fits",  "matches", "would", "due",  "for",
    "in",  "only", "if",     "given", "over",  "here", "then", "with",  "under",   "at",    "on",      "from",  "which", "that", "not"};

}  // namespace

std::size_t skip_decoration(std::string_view s, std::size_t i, bool newlines) {
  for (int rounds = 0; rounds < 32 && i < s.size(); ++rounds) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '*' || c == '_' || c == '#' || c == '`' || c == '"' || c == '\'' || c == '$' ||
        c == '(' || c == '[' || c == '{' || (newlines && (c == '\n' || c == '\r' || c == '>' || c == '-' || c == '|'))) {
      ++i;
      continue;
    }
    // "<C>": a letter in angle brackets (HTML tags such as "<b>" are lower case and skipped below).
    if (c == '<' && i + 2 < s.size() && s[i + 2] == '>' && s[i + 1] >= 'A' && s[i + 1] <= 'Z') {
      ++i;
      continue;
    }
    // "~~A~~ C": a struck-out letter is withdrawn; what follows it on the line is read.
    if (c == '~' && starts_with(s, i, "~~")) {
      const std::size_t close = s.find("~~", i + 2);
      if (close != std::string_view::npos && close - i <= 40 && s.substr(i, close - i).find('\n') == std::string_view::npos) {
        i = close + 2;
        continue;
      }
    }
    bool skipped = false;
    if (c == '<' || c == '&' || static_cast<unsigned char>(c) >= 0x80)
      for (std::string_view seq : kSkippedSequences)
        if (starts_with(s, i, seq)) {
          i += seq.size();
          skipped = true;
          break;
        }
    if (skipped) continue;
    if (c != '\\') return i;
    std::size_t e = i + 1;
    while (e < s.size() && is_alpha(s[e])) ++e;
    if (e == i + 1 && e < s.size() && (s[e] == ';' || s[e] == ',' || s[e] == ':' || s[e] == '!' || s[e] == ' ')) {
      i = e + 1;  // LaTeX spacing: "\boxed{\; B \;}"
      continue;
    }
    if (e == i + 1 && e < s.size() && (s[e] == '(' || s[e] == '[')) {  // \( \[
      i = e + 1;
      continue;
    }
    const std::string_view command = s.substr(i, e - i);
    if (command == "\\color" || command == "\\textcolor") {  // \color{blue}{B}: skip the colour's argument
      if (e < s.size() && s[e] == '{') {
        const std::size_t close = s.find('}', e);
        if (close == std::string_view::npos) return kNone;
        e = close + 1;
      }
      i = e;
      continue;
    }
    bool known = false;
    for (std::string_view f : kFormatting) known = known || command == f;
    if (!known) return kNone;
    i = e;
  }
  return i;
}

namespace {

// The Unicode forms of a letter that name it unmistakably: full-width lower case "ｃ", circled "Ⓒ" "ⓒ",
// negative squared "🅲" and negative circled "🅒". 0 when none is at `i`; `end` is set past it.
char letter_symbol(std::string_view s, std::size_t i, std::size_t& end) {
  struct Block {
    std::string_view prefix;  // the bytes before the last one
    unsigned char first;      // the last byte of the form of "A"
  };
  static constexpr std::array<Block, 5> kBlocks = {{{"\xef\xbd", 0x81},        // ａ U+FF41
                                                    {"\xe2\x92", 0xb6},        // Ⓐ U+24B6 (Ⓐ..Ⓙ share the block)
                                                    {"\xe2\x93", 0x90},        // ⓐ U+24D0
                                                    {"\xf0\x9f\x85", 0xb0},   // 🅰 U+1F170
                                                    {"\xf0\x9f\x85", 0x90}}};  // 🅐 U+1F150
  for (const Block& b : kBlocks) {
    if (!starts_with(s, i, b.prefix) || i + b.prefix.size() >= s.size()) continue;
    const auto last = static_cast<unsigned char>(s[i + b.prefix.size()]);
    // Only the letters that fit in the last byte's range (up to 0xbf) are read: enough for A..J.
    if (last < b.first || last > 0xbf) continue;
    end = i + b.prefix.size() + 1;
    return static_cast<char>('A' + (last - b.first));
  }
  return 0;
}

// The letter at `i` (upper case, or its full-width form "Ｂ"; lower case when the rules allow).
Letter letter_at(std::string_view s, std::size_t i, std::string_view letters, bool lower_case) {
  if (i >= s.size()) return {};
  char c = 0;
  std::size_t end = i + 1;
  if (std::isupper(static_cast<unsigned char>(s[i]))) {
    c = s[i];
  } else if (lower_case && is_lower(s[i])) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(s[i])));
  } else if (starts_with(s, i, kFullWidthA.substr(0, 2)) && i + 2 < s.size()) {
    const auto last = static_cast<unsigned char>(s[i + 2]);
    const auto first = static_cast<unsigned char>(kFullWidthA[2]);
    if (last >= first && last < first + 26) c = static_cast<char>('A' + (last - first));
    end = i + 3;
  } else if (const char symbol = letter_symbol(s, i, end)) {
    c = symbol;
  }
  if (c == 0 || letters.find(c) == std::string_view::npos) return {};
  return {i, end, c};
}

bool stands_alone(std::string_view s, const Letter& l, const LetterRules& rules) {
  if (l.end >= s.size()) return true;
  const char next = s[l.end];
  const bool quoted = next == '\'' && l.pos > 0 && s[l.pos - 1] == '\'';  // 'B', not the prime B'
  // "_" opens a subscript ("C_6", "C_{60}"), not markdown emphasis ("__C__", "_C_").
  const auto subscript_at = [&](std::size_t k) {
    return k < s.size() && (s[k] == '^' || (s[k] == '_' && k + 1 < s.size() && (is_alnum(s[k + 1]) || s[k + 1] == '{')));
  };
  // "C(s)", "B(OH)3", "D(t)": a formula or function; "B(42 nm)" keeps its letter.
  const auto formula_bracket = [&] {
    if (next != '(') return false;
    const std::size_t close = s.find(')', l.end);
    if (close == std::string_view::npos || close - l.end > 4) return false;
    const std::string_view inside = s.substr(l.end + 1, close - l.end - 1);
    return !inside.empty() && std::all_of(inside.begin(), inside.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
  };
  const bool times_number = next == '*' && l.end + 1 < s.size() && is_digit(s[l.end + 1]);  // "A*10^3"
  if (is_alnum(next) || next == '-' || next == '=' || subscript_at(l.end) || (next == '\'' && !quoted) || next == '+' ||
      next == '/' || formula_bracket() || times_number)
    return false;
  // A formula goes on in Unicode: "C₆H₆", "D²", "C–H", "A ≈ 2" written tight ("A≈2"), "B·H", "A×10", "D°",
  // the point group "D∞h".
  for (std::string_view continues : {"\xe2\x82", "\xe2\x81", "\xc2\xb2", "\xc2\xb3", "\xc2\xb9", "\xe2\x80\x93",
                                     "\xe2\x88\x92", "\xe2\x80\x90", "\xe2\x80\x91", "\xe2\x89\x88", "\xc2\xb7",
                                     "\xc3\x97", "\xc2\xb0", "\xe2\x8b\x85", "\xe2\x88\x9e"})
    if (s.substr(l.end).starts_with(continues)) return false;

  std::size_t after_braces = l.end;  // "\text{C}_6": the formula goes on after the text's brace
  while (after_braces < s.size() && s[after_braces] == '}') ++after_braces;
  if (after_braces > l.end && subscript_at(after_braces)) return false;
  if (is_lower(s[l.pos])) {
    // "b" is a letter only in "(b)", "b)", "b," "b." or at the end of its line.
    const bool parenthesised = l.pos > 0 && s[l.pos - 1] == '(' && next == ')';
    return parenthesised || next == ')' || next == ',' || next == '.' || next == ';' || next == ':' || ends_its_line(s, l.end);
  }
  // "A = benzoquinone, B = dimethyl fumarate": an option's text naming compounds A and B, not a choice.
  std::size_t after_blanks = l.end;
  while (after_blanks < s.size() && s[after_blanks] == ' ') ++after_blanks;
  if (after_blanks > l.end && after_blanks < s.size() && s[after_blanks] == '=' &&
      !(after_blanks + 1 < s.size() && s[after_blanks + 1] == '>'))
    return false;
  // "A 6H singlet at ~1 ppm": the article before a count with its unit or label.
  if (rules.article_check && l.letter == 'A' && next == ' ' && l.end + 1 < s.size() && is_digit(s[l.end + 1])) {
    std::size_t e = l.end + 1;
    while (e < s.size() && (is_digit(s[e]) || s[e] == '.')) ++e;
    if (e < s.size() && is_alpha(s[e])) return false;
  }
  if (rules.article_check && l.letter == 'A' && next == ' ' && l.end + 1 < s.size() && is_lower(s[l.end + 1])) {
    std::size_t e = l.end + 1;
    while (e < s.size() && is_alpha(s[e])) ++e;
    const std::string_view word = s.substr(l.end + 1, e - l.end - 1);
    for (std::string_view w : kAfterLetter)
      if (word == w) return true;
    return false;
  }
  return true;
}

}  // namespace

Letter decorated_letter(std::string_view s, std::size_t i, std::string_view letters, const LetterRules& rules) {
  const std::size_t at = skip_decoration(s, i, rules.newlines);
  if (at == kNone) return {};
  const Letter l = letter_at(s, at, letters, rules.lower_case);
  if (!l.found() || !stands_alone(s, l, rules)) return {};
  return l;
}

bool ends_its_line(std::string_view s, std::size_t i) {
  while (i < s.size() && s[i] != '\n') {
    const char c = s[i];
    bool closing = false;  // closing quotes and brackets of other scripts: ’ ” ） 】 。
    for (std::string_view seq : {"\xe2\x80\x99", "\xe2\x80\x9d", "\xef\xbc\x89", "\xe3\x80\x91", "\xe3\x80\x82"})
      if (starts_with(s, i, seq)) {
        i += seq.size();
        closing = true;
        break;
      }
    if (closing) continue;
    if (c == '<' && i + 1 < s.size() && s[i + 1] == '/') {  // a closing HTML tag: "</b>"
      const std::size_t close = s.find('>', i);
      if (close == std::string_view::npos || close - i > 10) return false;
      i = close + 1;
      continue;
    }
    if (!(c == ')' || c == ']' || c == '}' || c == '*' || c == '$' || c == '.' || c == ' ' || c == '\t' || c == '\r' ||
          c == '_' || c == '`' || c == '\\' || c == '\'' || c == '"' || c == '!' || c == '>' || c == ';'))
      return false;
    ++i;
  }
  return true;
}

std::size_t past_set_aside(std::string_view s, std::size_t i, std::string_view letters) {
  std::size_t k = i;
  while (k < s.size() && (s[k] == ')' || s[k] == '*' || s[k] == '$' || s[k] == '}')) ++k;
  for (std::string_view lead : {", not ", " not ", " rather than ", ", rather than ", " (not ", " instead of ", ", not option "}) {
    if (!starts_with(s, k, lead)) continue;
    const Letter other = decorated_letter(s, k + lead.size(), letters, {});
    if (!other.found()) continue;
    std::size_t e = other.end;
    while (e < s.size() && (s[e] == ')' || s[e] == '*' || s[e] == '$')) ++e;
    // "C, not B or D", "C, not B, D or A": the rest of the list set aside.
    for (;;) {
      std::size_t k2 = e;
      if (starts_with(s, k2, ", ")) k2 += 2;
      else if (starts_with(s, k2, " or ")) k2 += 4;
      else if (starts_with(s, k2, " and ")) k2 += 5;
      else break;
      const Letter more = decorated_letter(s, k2, letters, {});
      if (!more.found()) break;
      e = more.end;
      while (e < s.size() && (s[e] == ')' || s[e] == '*' || s[e] == '$')) ++e;
    }
    return e;
  }
  return i;
}

bool operated_on(std::string_view s, std::size_t i) {
  if (i >= s.size() || s[i] != ' ') return false;
  while (i < s.size() && s[i] == ' ') ++i;
  std::size_t k = kNone;
  for (std::string_view op : {"\xc3\x97", "\xc2\xb7", "\xe2\x8b\x85", "\xe2\x89\x88", "/", "*", "^", "+", "\\times", "\\cdot"})
    if (starts_with(s, i, op) && !starts_with(s, i, "**")) {
      k = i + op.size();
      break;
    }
  if (k == kNone) return false;
  while (k < s.size() && s[k] == ' ') ++k;
  return k < s.size() && is_digit(s[k]);  // "A × 10^3", "B * 2"; not "C *because ...*" (italics), "C + the catalyst"
}

bool bare_letter_at(std::string_view s, std::size_t i, std::string_view letters) {
  if (i >= s.size() || !std::isupper(static_cast<unsigned char>(s[i])) || letters.find(s[i]) == std::string_view::npos)
    return false;
  if ((i > 0 && is_alnum(s[i - 1])) || (i + 1 < s.size() && is_alnum(s[i + 1]))) return false;
  return !(i > 0 && i + 1 < s.size() && s[i - 1] == '[' && s[i + 1] == ']');
}

bool names_a_letter(std::string_view s, std::size_t begin, std::size_t end, std::string_view letters) {
  for (std::size_t i = begin; i < end; ++i)
    if (bare_letter_at(s, i, letters)) return true;
  return false;
}

bool is_label(std::string_view s, const Letter& l) {
  std::size_t k = l.end;
  while (k < s.size() && (s[k] == '*' || s[k] == '$')) ++k;
  return k < s.size() && (s[k] == ')' || s[k] == '.' || s[k] == ':');
}

}  // namespace r1eval::graders::choice
