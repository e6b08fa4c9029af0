#include "graders/choice_endings.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>

namespace r1eval::graders::choice {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// The length of `word` at `i` of `lower` when it is there as a whole word (or ends in a non-letter), else 0.
std::size_t word_here(std::string_view lower, std::size_t i, std::string_view word) {
  if (!starts_with(lower, i, word)) return 0;
  if (i > 0 && is_alpha(lower[i - 1]) && is_alpha(word.front())) return 0;
  const std::size_t e = i + word.size();
  if (e < lower.size() && is_alpha(lower[e]) && is_alpha(word.back())) return 0;
  return word.size();
}

std::size_t skip_spaces(std::string_view s, std::size_t i, std::size_t end) {
  while (i < end && is_space(s[i])) ++i;
  return i;
}

// One line of the text: [begin, end) without its line break.
struct Span {
  std::size_t begin = 0, end = 0;
  bool blank(std::string_view s) const {
    for (std::size_t i = begin; i < end; ++i)
      if (!is_space(s[i])) return false;
    return true;
  }
};

std::vector<Span> lines_of(std::string_view s) {
  std::vector<Span> lines;
  for (std::size_t start = 0; start <= s.size();) {
    std::size_t stop = s.find('\n', start);
    if (stop == std::string_view::npos) stop = s.size();
    lines.push_back({start, stop});
    start = stop + 1;
  }
  return lines;
}

// True when an upper-case letter of `letters` stands alone somewhere in [begin, end): the segment names an option.
bool names_a_letter(std::string_view s, std::size_t begin, std::size_t end, std::string_view letters) {
  for (std::size_t i = begin; i < end; ++i) {
    if (!is_upper(s[i]) || letters.find(s[i]) == std::string_view::npos) continue;
    if (i > 0 && is_alnum(s[i - 1])) continue;
    if (i + 1 < s.size() && is_alnum(s[i + 1])) continue;
    return true;
  }
  return false;
}

// Marks that judge an option: ✅ ✓ ✔ ☑ [x] are right; ❌ ✗ ✘ ✕ ☒ [ ] are wrong.
constexpr std::array<std::string_view, 5> kRightMarks = {"\xe2\x9c\x85", "\xe2\x9c\x93", "\xe2\x9c\x94", "\xe2\x98\x91", "[x]"};
constexpr std::array<std::string_view, 6> kWrongMarks = {"\xe2\x9d\x8c", "\xe2\x9c\x97", "\xe2\x9c\x98", "\xe2\x9c\x95",
                                                         "\xe2\x98\x92", "[ ]"};
constexpr std::string_view kVariationSelector = "\xef\xb8\x8f";  // the emoji form of ✔

// +1 for a right mark at `i`, -1 for a wrong one, 0 for none; `end` is set past it.
int mark_at(std::string_view lower, std::size_t i, std::size_t& end) {
  for (std::string_view m : kRightMarks)
    if (starts_with(lower, i, m)) {
      end = i + m.size();
      if (starts_with(lower, end, kVariationSelector)) end += kVariationSelector.size();
      return 1;
    }
  for (std::string_view m : kWrongMarks)
    if (starts_with(lower, i, m)) {
      end = i + m.size();
      if (starts_with(lower, end, kVariationSelector)) end += kVariationSelector.size();
      return -1;
    }
  return 0;
}

// +1 / -1 for a verdict word or mark at `i` ("correct", "the answer", "✓" / "incorrect", "no", "❌").
int verdict_at(std::string_view lower, std::size_t i, std::size_t& end) {
  if (const int m = mark_at(lower, i, end)) return m;
  static constexpr std::array<std::string_view, 11> kRight = {"correct", "true", "yes", "right", "valid", "accurate",
                                                              "the answer", "the correct answer", "matches", "fits",
                                                              "the correct one"};
  static constexpr std::array<std::string_view, 11> kWrong = {"incorrect", "wrong", "false", "no", "invalid", "inaccurate",
                                                              "eliminated", "ruled out", "excluded", "rejected", "not correct"};
  for (std::string_view w : kWrong)
    if (const std::size_t n = word_here(lower, i, w)) {
      end = i + n;
      return -1;
    }
  for (std::string_view w : kRight)
    if (const std::size_t n = word_here(lower, i, w)) {
      end = i + n;
      return 1;
    }
  return 0;
}

// Decoration between a letter and what it is judged with: "A) ", "**B**: ", "C - ", "D — ", "| ", "=> ".
std::size_t skip_separators(std::string_view s, std::size_t i, std::size_t end) {
  static constexpr std::array<std::string_view, 6> kDashes = {"\xe2\x80\x94", "\xe2\x80\x93", "\xe2\x86\x92", "=>", "->", "\xef\xbc\x9a"};
  for (;;) {
    while (i < end && (is_space(s[i]) || s[i] == ')' || s[i] == ']' || s[i] == '*' || s[i] == '_' || s[i] == ':' ||
                       s[i] == '-' || s[i] == '|' || s[i] == '=' || s[i] == '.' || s[i] == '$' || s[i] == '}'))
      ++i;
    bool more = false;
    for (std::string_view d : kDashes)
      if (starts_with(s, i, d)) {
        i += d.size();
        more = true;
      }
    if (!more) return i;
  }
}

// One judged option of a verdict list.
struct Judged {
  Letter letter;
  int verdict = 0;   // +1 right, -1 wrong, 0 a lone letter ("... D is wrong. C.")
};

// Reads one segment of a list ("Option A is incorrect", "B: yes", "✅ B", "not D", "C") in [b, e).
std::optional<Judged> judged_option(std::string_view s, std::string_view lower, std::size_t b, std::size_t e,
                                    std::string_view letters) {
  const std::string_view seg = s.substr(0, e);  // letters are read inside the segment only
  const std::string_view low = lower.substr(0, e);
  std::size_t i = skip_spaces(s, b, e);
  while (i < e && (s[i] == '*' || s[i] == '_' || s[i] == '-' || s[i] == '>' || s[i] == '|')) i = skip_spaces(s, i + 1, e);
  // "(D is correct only in water)": an aside, unless the parenthesis only labels the letter ("(C) Correct").
  if (i + 2 < e && s[i] == '(' && s[i + 2] != ')') return std::nullopt;
  if (starts_with(s, i, "\xe2\x80\xa2")) i = skip_spaces(s, i + 3, e);  // •
  std::size_t after_mark = i;
  int verdict = mark_at(low, i, after_mark);
  bool negated = false;
  if (verdict != 0) i = skip_spaces(s, after_mark, e);
  else if (const std::size_t n = word_here(low, i, "not")) negated = true, i = skip_spaces(s, i + n, e);
  if (const std::size_t d = skip_decoration(seg, i, false); d != kNone)
    for (std::string_view w : {"option", "choice"})
      if (const std::size_t n = word_here(low, d, w)) i = d + n;
  const Letter l = decorated_letter(seg, i, letters, {});
  if (!l.found()) return std::nullopt;
  std::size_t k = skip_separators(s, l.end, e);
  if (verdict != 0 || negated) {  // "✅ B", "not D": the letter is all there is, or its option's text follows
    if (names_a_letter(s, l.end, e, letters)) return std::nullopt;
    return Judged{l, negated ? -1 : verdict};
  }
  if (k >= e) return Judged{l, 0};
  // "A is wrong", "C must be correct", "B seems right", "D is not correct", "C is definitely correct".
  static constexpr std::array<std::string_view, 7> kCopulas = {"is", "must be", "seems", "looks", "appears", "is definitely",
                                                               "is clearly"};
  for (int round = 0; round < 2; ++round) {
    bool moved = false;
    for (auto it = kCopulas.rbegin(); it != kCopulas.rend(); ++it)
      if (const std::size_t n = word_here(low, k, *it)) {
        k = skip_spaces(s, k + n, e);
        moved = true;
        break;
      }
    if (const std::size_t n = word_here(low, k, "not")) k = skip_spaces(s, k + n, e), negated = !negated;
    if (!moved) break;
  }
  std::size_t verdict_end = k;
  verdict = verdict_at(low, k, verdict_end);
  if (verdict == 0 || names_a_letter(s, verdict_end, e, letters)) return std::nullopt;
  // "D is correct only if the solvent is protic", "B is right for the gas phase": a judgement for a case.
  static constexpr std::array<std::string_view, 12> kLimits = {"only", "if", "unless", "when", "provided", "assuming",
                                                               "under", "for", "in", "at", "with", "except"};
  const std::size_t next = skip_spaces(s, verdict_end, e);
  for (std::string_view w : kLimits)
    if (word_here(low, next, w)) return std::nullopt;
  return Judged{l, negated ? -verdict : verdict};
}

// Cuts a line into the segments a list is written in: sentences, clauses after ";" or ",", table cells joined.
std::vector<Span> segments_of(std::string_view s, Span line) {
  std::vector<Span> out;
  std::size_t start = line.begin;
  for (std::size_t i = line.begin; i < line.end; ++i) {
    const char c = s[i];
    const bool stop = c == ';' || c == ',' || ((c == '.' || c == '!') && (i + 1 >= line.end || is_space(s[i + 1])));
    if (!stop) continue;
    out.push_back({start, i});
    start = i + 1;
  }
  out.push_back({start, line.end});
  std::erase_if(out, [&](const Span& sp) { return sp.blank(s); });
  return out;
}

// A table's rule line ("|---|:---:|") or a header without letters is no verdict and no prose.
bool table_rule(std::string_view s, Span line) {
  bool bar = false;
  for (std::size_t i = line.begin; i < line.end; ++i) {
    if (s[i] == '|') bar = true;
    else if (!(s[i] == '-' || s[i] == ':' || is_space(s[i]))) return false;
  }
  return bar;
}

// The last paragraph, when every segment of it that names an option judges it and exactly one option is
// judged right ("A: incorrect\nB: incorrect\nC: correct", "A is wrong. B is wrong. D is wrong. C.", "| B |
// correct |"). Segments without a letter ("Let's evaluate each option:", "| Option | Verdict |") are passed over.
std::optional<Letter> verdict_list(std::string_view s, std::string_view lower, std::string_view letters) {
  std::vector<Span> lines = lines_of(s);
  while (!lines.empty() && lines.back().blank(s)) lines.pop_back();
  std::size_t first = lines.size();
  while (first > 0 && !lines[first - 1].blank(s)) --first;
  std::vector<Judged> judged;
  std::vector<Span> segments;
  for (std::size_t n = first; n < lines.size(); ++n) {
    if (table_rule(s, lines[n])) continue;
    // A table row "| B | correct |" reads as "B: correct": its bars are separators.
    for (const Span& seg : segments_of(s, lines[n])) segments.push_back(seg);
  }
  for (std::size_t n = 0; n < segments.size(); ++n) {
    const std::optional<Judged> j = judged_option(s, lower, segments[n].begin, segments[n].end, letters);
    if (!j) {
      if (names_a_letter(s, segments[n].begin, segments[n].end, letters)) return std::nullopt;
      continue;
    }
    if (j->verdict == 0 && n + 1 != segments.size()) return std::nullopt;  // a lone letter only closes the list
    judged.push_back(*j);
  }
  if (judged.empty()) return std::nullopt;
  std::optional<Letter> right;
  int wrong = 0;
  for (const Judged& j : judged) {
    const bool is_right = j.verdict > 0 || (j.verdict == 0 && judged.size() > 1);
    if (j.verdict == 0 && judged.size() == 1) return std::nullopt;  // a lone letter is the lone-line rule's
    for (const Judged& other : judged)  // judged both ways, or two different options right: no one answer
      if (other.letter.letter == j.letter.letter && (other.verdict < 0) != (j.verdict < 0)) return std::nullopt;
    if (is_right) {
      if (right && right->letter != j.letter.letter) return std::nullopt;
      if (!right) right = j.letter;
    } else {
      ++wrong;
    }
  }
  if (!right) return std::nullopt;
  // Lone letters after judgements need the others judged wrong: "A is wrong. B is wrong. D is wrong. C."
  if (judged.back().verdict == 0 && wrong == 0) return std::nullopt;
  return right;
}

// True when a line is an option's label and its text: "C) 4.2 eV", "(B) 42 nm", "**B.** 2.4 eV", "a) 1.2 eV".
Letter option_line(std::string_view s, Span line, std::string_view letters) {
  const std::string_view upto = s.substr(0, line.end);
  std::size_t i = skip_spaces(s, line.begin, line.end);
  if (starts_with(s, i, "> ")) i += 2;
  const Letter l = decorated_letter(upto, i, letters, {.lower_case = true});
  if (!l.found() || !is_label(upto, l)) return {};
  return l;
}

// The last line restating one option ("C) 4.2 eV" after the working; not the last of a list of options), a
// lower-case letter alone on the last line ("(a)", "b)"), or a last sentence that is only the letter
// ("The answer is 4.2 eV. C.").
std::optional<Letter> restated_option(std::string_view s, std::string_view lower, std::string_view letters) {
  std::vector<Span> lines = lines_of(s);
  std::erase_if(lines, [&](const Span& sp) { return sp.blank(s); });
  if (lines.empty()) return std::nullopt;
  const Span last = lines.back();
  const std::string_view upto = s.substr(0, last.end);
  const std::size_t start = skip_spaces(s, last.begin, last.end);
  if (const Letter lone = decorated_letter(upto, start, letters, {.lower_case = true});
      lone.found() && ends_its_line(upto, lone.end))
    return lone;
  if (const Letter l = option_line(s, last, letters); l.found()) {
    std::size_t k = l.end;
    while (k < last.end && (s[k] == ')' || s[k] == '.' || s[k] == ':' || s[k] == '*' || s[k] == '$')) ++k;
    const std::string_view rest = lower.substr(k, last.end - k);
    const bool listed = lines.size() > 1 && option_line(s, lines[lines.size() - 2], letters).found();
    const std::size_t prev_end = lines.size() > 1 ? lines[lines.size() - 2].end : 0;
    std::size_t p = prev_end;
    while (p > 0 && is_space(s[p - 1])) --p;
    // "The options were:\nD) 8.4 eV", "Let's analyze each option.\n\nA) This would ...": the start of a list.
    bool introduced = p > 0 && s[p - 1] == ':';
    if (lines.size() > 1) {
      const std::string_view prev = lower.substr(lines[lines.size() - 2].begin, prev_end - lines[lines.size() - 2].begin);
      for (std::string_view w : {"each option", "each choice", "each of the", "every option", "the options", "the choices"})
        introduced = introduced || prev.find(w) != std::string_view::npos;
    }
    bool judged = names_a_letter(s, k, last.end, letters);
    for (std::string_view word : {"wrong", "incorrect", "false", "not ", "eliminat", "too ", "\xe2\x9d\x8c", "\xe2\x9c\x97"})
      judged = judged || rest.find(word) != std::string_view::npos;
    if (!listed && !introduced && !judged && rest.find_first_not_of(" \t\r*") != std::string_view::npos && rest.size() <= 160)
      return l;
  }
  // The last sentence of the last line is the letter alone.
  std::size_t e = last.end;
  while (e > last.begin && (is_space(s[e - 1]) || s[e - 1] == '.' || s[e - 1] == '*' || s[e - 1] == ')' || s[e - 1] == '!'))
    --e;
  if (e == last.begin || letters.find(s[e - 1]) == std::string_view::npos) return std::nullopt;
  std::size_t b = e - 1;
  while (b > last.begin && (s[b - 1] == '*' || s[b - 1] == '(')) --b;
  if (b < last.begin + 2 || s[b - 1] != ' ' || std::string_view(".!?").find(s[b - 2]) == std::string_view::npos)
    return std::nullopt;
  const Letter l = decorated_letter(upto, b, letters, {});
  if (!l.found() || !ends_its_line(upto, l.end)) return std::nullopt;
  return l;
}

// "Verdict: C", "**Conclusion:** C", "By elimination: B", "Answer letter: A": a line labelled as the answer
// with other words than "Answer:" alone, the letter alone after it or labelling its option's text.
void label_lines(std::string_view s, std::string_view lower, std::string_view letters, std::vector<Ending>& out) {
  static constexpr std::array<std::string_view, 24> kLabels = {
      "final verdict", "verdict", "final conclusion", "conclusion", "final result", "result", "solution", "my pick",
      "final pick", "pick", "final selection", "selection", "by elimination", "correct letter", "final letter",
      "letter", "correct response", "final response", "response", "selected option", "chosen option", "my guess",
      "best guess", "final"};
  static constexpr std::array<std::string_view, 6> kAnswerLabels = {"final answer letter", "final answer choice",
                                                                    "correct answer letter", "answer letter",
                                                                    "answer choice", "answer option"};
  for (const Span& line : lines_of(s)) {
    std::size_t i = line.begin;
    while (i < line.end && (is_space(s[i]) || s[i] == '*' || s[i] == '#' || s[i] == '>' || s[i] == '-' || s[i] == '_')) ++i;
    std::size_t n = 0;
    EndingKind kind = EndingKind::kAnswerLabelLine;
    for (std::string_view w : kAnswerLabels)
      if ((n = word_here(lower, i, w))) break;
    if (n == 0) {
      kind = EndingKind::kLabelLine;
      for (std::string_view w : kLabels)
        if ((n = word_here(lower, i, w))) break;
    }
    if (n == 0) continue;
    std::size_t k = i + n;
    while (k < line.end && (is_space(s[k]) || s[k] == '*' || s[k] == '_')) ++k;
    if (starts_with(s, k, "\xef\xbc\x9a")) k += 3;  // ：
    else if (k < line.end && s[k] == ':') ++k;
    else continue;
    const std::string_view upto = s.substr(0, line.end);
    const Letter l = decorated_letter(upto, k, letters, {.lower_case = true});
    if (!l.found()) continue;
    if (ends_its_line(upto, l.end) || (is_label(upto, l) && !names_a_letter(s, l.end, line.end, letters)))
      out.push_back({l, kind});
  }
}

}  // namespace

std::vector<Ending> find_endings(std::string_view text, std::string_view lower, std::string_view letters) {
  std::vector<Ending> out;
  if (const std::optional<Letter> l = verdict_list(text, lower, letters)) out.push_back({*l, EndingKind::kVerdictList});
  if (const std::optional<Letter> l = restated_option(text, lower, letters)) out.push_back({*l, EndingKind::kRestatedOption});
  label_lines(text, lower, letters, out);
  return out;
}

}  // namespace r1eval::graders::choice
