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

// True when what follows a verdict word at `i` (up to `e`) leaves it the option's whole verdict: nothing, an
// explanation in brackets or after a dash or colon, or a reason ("because ...", "since ...").
bool judgement_ends(std::string_view s, std::string_view low, std::size_t i, std::size_t e) {
  std::size_t k = i;  // closing punctuation and markdown: "**B) Incorrect.**"
  while (k < e && (s[k] == '.' || s[k] == '*' || s[k] == '_' || s[k] == '!' || s[k] == ')' || is_space(s[k]))) ++k;
  if (k >= e || s.substr(i, k - i).find_first_of(".!") != std::string_view::npos) return true;  // its sentence ended
  if (s[i] == '(' || s[i] == '-' || s[i] == ':' || s[i] == '[' || s[i] == '|' || starts_with(s, i, "\xe2\x80\x94") ||
      starts_with(s, i, "\xe2\x80\x93"))
    return true;
  for (std::string_view w : {"because", "since", "as", "due", "given", "answer", "option", "choice", "statement", "one"})
    if (word_here(low, i, w)) return true;
  return false;
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
    for (std::size_t j = l.end; j < e; ++j) {  // "✓ D eliminated": the words judge it otherwise
      std::size_t word_end = j;
      if (is_alpha(low[j]) && !is_alpha(low[j - 1]) && verdict_at(low, j, word_end) != 0) return std::nullopt;
    }
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
  if (verdict == 0) {
    // "- (B) 1-(sec-butyl)-4-methylbenzene: ✓ — the COOH ...", "B) baz: correct": the option's text, then the verdict
    // (a mark anywhere after it, or a verdict word after a colon).
    for (std::size_t j = k; j < e && verdict == 0; ++j) {
      if (j > k && names_a_letter(s, j - 1, j, letters)) break;  // one character at a time: the scan stays linear
      if (static_cast<unsigned char>(s[j]) >= 0xe2 || s[j] == '[') verdict = mark_at(low, j, verdict_end);
      else if (s[j] == ':' && j + 1 < e) {
        const std::size_t v = skip_spaces(s, j + 1, e);
        verdict = verdict_at(low, v, verdict_end);
        std::size_t unused = v;
        if (verdict != 0 && mark_at(low, v, unused) == 0 && !judgement_ends(s, low, skip_spaces(s, verdict_end, e), e))
          verdict = 0;
      }
    }
    if (verdict == 0) return std::nullopt;
    return Judged{l, negated ? -verdict : verdict};
  }
  if (names_a_letter(s, verdict_end, e, letters)) return std::nullopt;
  // "D is correct only if the solvent is protic", "B is right for the gas phase": a judgement for a case;
  // "A: true but incomplete", "A: correct sign, wrong magnitude": a judgement of something else, or a mixed one.
  std::size_t mark_end = k;
  const bool mark = mark_at(low, k, mark_end) != 0;  // "A: ❌ wrong multiplicity": the mark is the verdict
  if (!mark && !judgement_ends(s, low, skip_spaces(s, verdict_end, e), e)) return std::nullopt;
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

// A table row whose first cell is an option and whose last judges it: "| C | 4.2 eV | ✅ |", "| A | 2.1 | No |".
// nullopt when the row is no such judgement; `names` tells whether it names an option at all.
std::optional<Judged> judged_row(std::string_view s, std::string_view lower, Span line, std::string_view letters, bool& names) {
  std::vector<Span> cells;
  std::size_t start = line.begin;
  while (start < line.end && is_space(s[start])) ++start;
  if (start >= line.end || s[start] != '|') return std::nullopt;
  for (std::size_t i = start + 1; i <= line.end; ++i)
    if (i == line.end || s[i] == '|') {
      if (i > start + 1 || i < line.end) cells.push_back({start + 1, i});
      start = i;
    }
  std::erase_if(cells, [&](const Span& c) { return c.blank(s); });
  names = names_a_letter(s, line.begin, line.end, letters);
  if (cells.size() < 2) return std::nullopt;
  const std::string_view upto = s.substr(0, cells.front().end);
  std::size_t i = skip_spaces(s, cells.front().begin, cells.front().end);
  if (const std::size_t d = skip_decoration(upto, i, false); d != kNone)
    for (std::string_view w : {"option", "choice"})
      if (const std::size_t n = word_here(lower, d, w)) i = d + n;
  const Letter l = decorated_letter(upto, i, letters, {});
  if (!l.found() || !ends_its_line(upto, l.end)) return std::nullopt;
  for (std::size_t c = 1; c + 1 < cells.size(); ++c)  // the cells between may describe it, not name another
    if (names_a_letter(s, cells[c].begin, cells[c].end, letters)) return std::nullopt;
  const Span last = cells.back();
  std::size_t v = last.begin;
  while (v < last.end && (is_space(s[v]) || s[v] == '*' || s[v] == '_')) ++v;
  std::size_t verdict_end = v;
  const int verdict = verdict_at(lower.substr(0, last.end), v, verdict_end);
  if (verdict == 0 || !judgement_ends(s, lower, skip_spaces(s, verdict_end, last.end), last.end)) return std::nullopt;
  return Judged{l, verdict};
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
    bool names = false;
    if (const std::optional<Judged> row = judged_row(s, lower, lines[n], letters, names)) {
      judged.push_back(*row);
      continue;
    }
    if (s.substr(lines[n].begin, lines[n].end - lines[n].begin).find('|') != std::string_view::npos && !names &&
        s[skip_spaces(s, lines[n].begin, lines[n].end)] == '|')
      continue;  // a header row: "| Option | Energy (eV) | Matches? |"
    // A line that judges one option as a whole ("- (A) 1/4, λ^(-4): ✓ — ...": commas inside its text) is one
    // segment; else its sentences and clauses are. A table row "| B | correct |" reads as "B: correct".
    if (judged_option(s, lower, lines[n].begin, lines[n].end, letters)) {
      segments.push_back(lines[n]);
      continue;
    }
    for (const Span& seg : segments_of(s, lines[n])) segments.push_back(seg);
  }
  for (std::size_t n = 0; n < segments.size(); ++n) {
    std::optional<Judged> j = judged_option(s, lower, segments[n].begin, segments[n].end, letters);
    // "A: True, but it does not explain the shift", "D: allowed, though not the ground state": a mixed verdict.
    if (j && n + 1 < segments.size()) {
      const std::size_t next = skip_spaces(s, segments[n + 1].begin, segments[n + 1].end);
      for (std::string_view w : {"but", "though", "although", "yet", "except", "only", "however"})
        if (word_here(lower, next, w)) j.reset();
    }
    if (!j) {
      if (names_a_letter(s, segments[n].begin, segments[n].end, letters)) return std::nullopt;
      // "Recall the options:", "The choices were:": what follows restates the options, it does not judge them.
      const std::string_view lead = lower.substr(segments[n].begin, segments[n].end - segments[n].begin);
      const auto has = [&](std::string_view w) { return lead.find(w) != std::string_view::npos; };
      if ((has("option") || has("choice")) && !has("evaluat") && !has("analy") && !has("verdict") && !has("check") &&
          !has("assess") && !has("each") && !has("through") && !has("look") && !has("consider") && !has("review") &&
          !has("examin"))
        return std::nullopt;
      continue;
    }
    if (j->verdict == 0 && n + 1 != segments.size()) return std::nullopt;  // a lone letter only closes the list
    judged.push_back(*j);
  }
  if (judged.empty()) return std::nullopt;
  std::optional<Letter> right;
  int wrong = 0;
  std::array<int, 26> seen{};  // per letter: 1 judged wrong, 2 judged otherwise
  for (const Judged& j : judged) {
    const bool is_right = j.verdict > 0 || (j.verdict == 0 && judged.size() > 1);
    if (j.verdict == 0 && judged.size() == 1) return std::nullopt;  // a lone letter is the lone-line rule's
    int& mark = seen[static_cast<std::size_t>(j.letter.letter - 'A') % 26];
    const int now = j.verdict < 0 ? 1 : 2;
    if (mark != 0 && mark != now) return std::nullopt;  // judged both ways: no one answer
    mark = now;
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

// True when an option's text on a line reads as a remark about it rather than the option itself: "D) 6.2 eV
// would require ...", "B) 1715 cm-1 corresponds to a ketone", "A) is wrong".
bool remark_about_option(std::string_view rest) {
  for (std::string_view w : {" is ", " are ", " was ", " would", " could", " corresponds", " require", " rules ", " means",
                             " matches", " gives", " fails", " needs", " isn't", " doesn't", "is just", " off", " has ",
                             " have ", ";"})
    if (rest.find(w) != std::string_view::npos) return true;
  return rest.starts_with("is ") || rest.starts_with("would") || rest.starts_with("was ");
}

// A lower-case letter alone on the last line ("(a)", "b)"), or a last sentence that is only the letter ("The
// answer is 4.2 eV. C.", not the initial of a name: "Jackson, J. D.").
std::optional<Letter> closing_letter(std::string_view s, std::string_view letters) {
  std::vector<Span> lines = lines_of(s);
  std::erase_if(lines, [&](const Span& sp) { return sp.blank(s); });
  if (lines.empty()) return std::nullopt;
  const Span last = lines.back();
  const std::string_view upto = s.substr(0, last.end);
  const std::size_t start = skip_spaces(s, last.begin, last.end);
  if (const Letter lone = decorated_letter(upto, start, letters, {.lower_case = true});
      lone.found() && ends_its_line(upto, lone.end))
    return lone;
  std::size_t e = last.end;
  while (e > last.begin && (is_space(s[e - 1]) || s[e - 1] == '.' || s[e - 1] == '*' || s[e - 1] == ')' || s[e - 1] == '!'))
    --e;
  if (e == last.begin || letters.find(s[e - 1]) == std::string_view::npos) return std::nullopt;
  std::size_t b = e - 1;
  while (b > last.begin && (s[b - 1] == '*' || s[b - 1] == '(')) --b;
  if (b < last.begin + 2 || s[b - 1] != ' ' || std::string_view(".!?:").find(s[b - 2]) == std::string_view::npos)
    return std::nullopt;
  // "J. D.": the sentence before ends on an initial.
  if (b >= 3 && is_alpha(s[b - 3]) && (b == 3 || !is_alnum(s[b - 4]))) return std::nullopt;
  const Letter l = decorated_letter(upto, b, letters, {});
  if (!l.found() || !ends_its_line(upto, l.end)) return std::nullopt;
  return l;
}

// The last line restating one option ("C) 4.2 eV" after the working), when the response labels no other line
// with an option (an option-by-option analysis ends on its last option) and the line is no remark about it.
std::optional<Letter> restated_option(std::string_view s, std::string_view lower, std::string_view letters) {
  std::vector<Span> lines = lines_of(s);
  std::erase_if(lines, [&](const Span& sp) { return sp.blank(s); });
  if (lines.empty()) return std::nullopt;
  const Span last = lines.back();
  for (std::size_t n = 0; n + 1 < lines.size(); ++n)
    if (option_line(s, lines[n], letters).found()) return std::nullopt;
  if (const Letter l = option_line(s, last, letters); l.found()) {
    std::size_t k = l.end;
    while (k < last.end && (s[k] == ')' || s[k] == '.' || s[k] == ':' || s[k] == '*' || s[k] == '$')) ++k;
    const std::string_view rest = lower.substr(k, last.end - k);
    const bool listed = lines.size() > 1 && option_line(s, lines[lines.size() - 2], letters).found();
    const std::size_t prev_end = lines.size() > 1 ? lines[lines.size() - 2].end : 0;
    // "The options were:\nD) 8.4 eV", "Let's analyze each option.\n\nA) This would ...": the start of a list.
    bool introduced = false;
    if (lines.size() > 1) {
      const std::string_view prev = lower.substr(lines[lines.size() - 2].begin, prev_end - lines[lines.size() - 2].begin);
      for (std::string_view w : {"each option", "each choice", "each of the", "every option", "the options", "the choices",
                                 "options:", "choices:", "options were", "options are"})
        introduced = introduced || prev.find(w) != std::string_view::npos;
    }
    bool judged = names_a_letter(s, k, last.end, letters);
    for (std::string_view word : {"wrong", "incorrect", "false", "not ", "eliminat", "too ", "\xe2\x9d\x8c", "\xe2\x9c\x97"})
      judged = judged || rest.find(word) != std::string_view::npos;
    if (!listed && !introduced && !judged && !remark_about_option(rest) &&
        rest.find_first_not_of(" \t\r*") != std::string_view::npos && rest.size() <= 160)
      return l;
  }
  return std::nullopt;
}

// "Verdict: C", "**Conclusion:** C", "By elimination: B", "Answer letter: A": a line labelled as the answer
// with other words than "Answer:" alone, the letter alone after it or labelling its option's text.
void label_lines(std::string_view s, std::string_view lower, std::string_view letters, std::vector<Ending>& out) {
  static constexpr std::array<std::string_view, 24> kLabels = {
      "final verdict", "verdict", "final conclusion", "conclusion", "final result", "result", "solution", "my pick",
      "final pick", "pick", "final selection", "selection", "by elimination", "correct letter", "final letter",
      "letter", "correct response", "final response", "response", "selected option", "chosen option", "my guess",
      "best guess", "my answer letter"};
  static constexpr std::array<std::string_view, 6> kAnswerLabels = {"final answer letter", "final answer choice",
                                                                    "correct answer letter", "answer letter",
                                                                    "answer choice", "answer option"};
  for (const Span& line : lines_of(s)) {
    std::size_t i = line.begin;
    // "| Final answer | **C** |": a table row that is an answer line.
    if (i < line.end && s[i] == '|') {
      const std::size_t bar = s.find('|', i + 1);
      if (bar == std::string_view::npos || bar >= line.end) continue;
      std::size_t c = i + 1;
      while (c < bar && (is_space(s[c]) || s[c] == '*' || s[c] == '_')) ++c;
      std::size_t ce = bar;
      while (ce > c && (is_space(s[ce - 1]) || s[ce - 1] == '*' || s[ce - 1] == '_')) --ce;
      const std::string_view cell = lower.substr(c, ce - c);
      if (cell != "answer" && cell != "final answer" && cell != "correct answer" && cell != "answer letter") continue;
      const std::string_view row = s.substr(0, line.end);
      const Letter l = decorated_letter(row, bar + 1, letters, {});
      std::size_t k = l.found() ? l.end : kNone;
      while (k != kNone && k < line.end && (s[k] == '*' || s[k] == '_' || is_space(s[k]))) ++k;
      if (k != kNone && k < line.end && s[k] == '|' && s.substr(k + 1, line.end - k - 1).find_first_not_of(" |\t\r") == std::string_view::npos)
        out.push_back({l, EndingKind::kAnswerLabelLine});
      continue;
    }
    while (i < line.end && (is_space(s[i]) || s[i] == '*' || s[i] == '#' || s[i] == '>' || s[i] == '-' || s[i] == '_')) ++i;
    // "C it is.", "Option C it is.": a chat answer's closing words.
    std::size_t at = i;
    for (std::string_view w : {"option ", "choice "})
      if (lower.substr(at).starts_with(w)) at += w.size();
    if (const Letter l = decorated_letter(s.substr(0, line.end), at, letters, {});
        l.found() && starts_with(s, l.end, " it is") && ends_its_line(s.substr(0, line.end), l.end + 6)) {
      out.push_back({l, EndingKind::kLabelLine});
      continue;
    }
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
    if (kind == EndingKind::kLabelLine && lower.substr(i, n).starts_with("final")) kind = EndingKind::kFinalLabelLine;
    if (ends_its_line(upto, l.end)) {
      out.push_back({l, kind});
      continue;
    }
    // "Solution: A. Identify ...\nB. The nucleophile ...": the first step of a list.
    if (line.end < s.size() && option_line(s, {line.end + 1, std::min(s.size(), s.find('\n', line.end + 1))}, letters).found())
      continue;
    // "Verdict: C) 4.2 eV": the option's label and its text; not "Result: B) would need a catalyst", "(a) the ...".
    std::size_t k2 = l.end;
    while (k2 < line.end && (s[k2] == ')' || s[k2] == '.' || s[k2] == ':' || s[k2] == '*')) ++k2;
    const std::string_view rest = lower.substr(k2, line.end - k2);
    if (is_upper(s[l.pos]) && is_label(upto, l) && !names_a_letter(s, l.end, line.end, letters) && !remark_about_option(rest) &&
        rest.find("wrong") == std::string_view::npos && rest.find("trap") == std::string_view::npos &&
        rest.find("not ") == std::string_view::npos)
      out.push_back({l, kind == EndingKind::kAnswerLabelLine ? kind : EndingKind::kLabelLineWithText});
  }
}

}  // namespace

std::vector<Ending> find_endings(std::string_view text, std::string_view lower, std::string_view letters) {
  std::vector<Ending> out;
  if (const std::optional<Letter> l = verdict_list(text, lower, letters)) out.push_back({*l, EndingKind::kVerdictList});
  if (const std::optional<Letter> l = restated_option(text, lower, letters)) out.push_back({*l, EndingKind::kRestatedOption});
  if (const std::optional<Letter> l = closing_letter(text, letters)) out.push_back({*l, EndingKind::kClosingLetter});
  label_lines(text, lower, letters, out);
  return out;
}

}  // namespace r1eval::graders::choice
