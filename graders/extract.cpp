#include "graders/extract.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <tuple>
#include <vector>

#include "graders/math_grader.h"

namespace r1eval::graders {
namespace {

// The wrappers other reasoning models open their response with (OpenThoughts and Sky-T1's thought markers,
// Kimi's, Seed-OSS's, Magistral's [THINK], gpt-oss's analysis channel). R1/Qwen3's <think> is apart: its
// template opens it in the prompt, so a response may hold only the closing tag.
struct ReasoningTags {
  std::string_view open, close;
};
constexpr std::string_view kThinkOpen = "<think>";
constexpr std::string_view kThinkClose = "</think>";
constexpr ReasoningTags kReasoningTags[] = {
    {"<thinking>", "</thinking>"},
    {"<reasoning>", "</reasoning>"},
    {"<|begin_of_thought|>", "<|end_of_thought|>"},
    {"\xe2\x97\x81think\xe2\x96\xb7", "\xe2\x97\x81/think\xe2\x96\xb7"},
    {"<seed:think>", "</seed:think>"},
    {"[THINK]", "[/THINK]"},
    {"<|channel|>analysis<|message|>", "<|channel|>final<|message|>"},  // gpt-oss (harmony)
};
constexpr size_t kShortResponseChars = 100;

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Index one past the brace matching the '{' at `open`, or npos when it is never closed. Escaped braces
// (\{ \}) do not count.
size_t match_brace(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      ++i;  // skip the escaped character
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

// The box commands of a text in order ("\boxed" or "\fbox" not followed by a letter). Each command's next
// occurrence is looked up only once it has been passed, so a scan of the whole text stays linear however
// many boxes it holds (a response caught in a loop repeats one 10,000 times).
class BoxCommands {
 public:
  explicit BoxCommands(std::string_view s) : s_(s) {}
  // The next box command at or after `from`, or npos; its length in *command_len.
  size_t next(size_t from, size_t* command_len) {
    while (from < s_.size()) {
      if (boxed_ < from || boxed_ == kUnknown) boxed_ = s_.find("\\boxed", from);
      if (fbox_ < from || fbox_ == kUnknown) fbox_ = s_.find("\\fbox", from);
      const size_t at = std::min(boxed_, fbox_);
      if (at == std::string_view::npos) return at;
      const size_t len = at == boxed_ ? 6 : 5;
      if (at + len >= s_.size() || !is_letter(s_[at + len])) {
        *command_len = len;
        return at;
      }
      from = at + len;
    }
    return std::string_view::npos;
  }

 private:
  static constexpr size_t kUnknown = std::string_view::npos - 1;
  std::string_view s_;
  size_t boxed_ = kUnknown, fbox_ = kUnknown;
};

// True when the gap holds separators and spacing only ("$ and $", ", ", " or ", "\quad").
bool only_separators(std::string_view gap) {
  static constexpr std::array<std::string_view, 10> kJoiners = {
      "\\text{ and }", "\\text{and}", "\\quad", "\\,", "\\(", "\\)", "and", "or", "\\;", "\\text{ or }"};
  size_t i = 0;
  while (i < gap.size()) {
    const char c = gap[i];
    if (is_space(c) || c == ',' || c == '$' || c == ';' || c == '&') {
      ++i;
      continue;
    }
    bool matched = false;
    for (std::string_view j : kJoiners) {
      if (gap.substr(i, j.size()) == j) {
        i += j.size();
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}

// The lower-case words of the text between two boxes, one space apart, command names (\\text) left out.
std::string gap_words(std::string_view gap) {
  std::string words;
  for (size_t i = 0; i < gap.size(); ++i) {
    if (gap[i] == '\\') {
      while (i + 1 < gap.size() && is_letter(gap[i + 1])) ++i;
      continue;
    }
    if (is_letter(gap[i])) words += static_cast<char>(std::tolower(static_cast<unsigned char>(gap[i])));
    else if (!words.empty() && words.back() != ' ') words += ' ';
  }
  while (!words.empty() && words.back() == ' ') words.pop_back();
  return words;
}

// True when the text between two boxes only joins them: separators and spacing only, or a short clause
// without a sentence end that contains "and" / "or" / a comma ("} papers and \\boxed{",
// "} \\text{ for part (a) and } \\boxed{"), unless it revises ("not", "but").
bool is_list_joiner(std::string_view gap) {
  if (only_separators(gap)) return true;
  if (gap.size() > 40 || gap.find('\n') != std::string_view::npos) return false;
  for (size_t k = 0; k + 1 < gap.size(); ++k)
    if ((gap[k] == '.' || gap[k] == '!' || gap[k] == '?' || gap[k] == ':') && is_space(gap[k + 1])) return false;
  std::string words(1, ' ');  // built with += (gcc 12 warns falsely on " " + std::string)
  words += gap_words(gap);
  words += ' ';
  // A verb makes the text a clause of its own ("$ km/h and the walk takes $", "$, giving $m + n = $").
  for (std::string_view veto : {" not ", " but ", " wrong ", " instead ", " incorrect ", " correct ", " is ", " are ",
                                " takes ", " take ", " gives ", " giving ", " equals ", " makes ", " has ", " so ", " then ",
                                " hence ", " thus ", " therefore ", " total ", " sum ", " answer "})
    if (words.find(veto) != std::string::npos) return false;
  return words.find(" and ") != std::string::npos || words.find(" or ") != std::string::npos ||
         gap.find(',') != std::string_view::npos;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

std::string ascii_lower_word(std::string_view w) {
  std::string out(w);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A command whose argument is text (\text, \textbf, \mathrm, \mbox).
bool is_text_command(std::string_view name) { return name.starts_with("text") || name == "mathrm" || name == "mbox"; }

// Short words that begin a condition or a description after an answer ("5 if x > 0", "(2, 3) as an
// ordered pair", "12 in total"): with `linking_words`, first_prose_word stops at them too.
bool is_linking_word(std::string_view lower) {
  static constexpr std::array<std::string_view, 14> kWords = {"if", "is", "of", "in", "at", "on", "by",
                                                              "as", "to", "so", "we", "it", "be", "an"};
  return std::find(kWords.begin(), kWords.end(), lower) != kWords.end();
}

// Where the first prose word of `s` starts: a word of three or more letters outside math ($..$) and outside
// \commands, other than "and", which joins answers ("$12$ and $13$"); with `linking_words`, also a short
// linking word. A one-word text argument ("\text{Monday}", "\text{ cm}") is an answer, not prose; a longer
// one ("\textbf{Total: 12}", "\text{(after removing duplicates)}") is read as text. npos when there is none.
size_t first_prose_word(std::string_view s, bool linking_words = false) {
  bool in_dollars = false;
  int in_brackets = 0;  // inside \( .. \) or \[ .. \]
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\\') {  // a command name, or one escaped character
      const size_t name = ++i;
      while (i < s.size() && is_letter(s[i])) ++i;
      if (i == name && i < s.size()) {
        if (s[i] == '(' || s[i] == '[') ++in_brackets;
        if ((s[i] == ')' || s[i] == ']') && in_brackets > 0) --in_brackets;
        ++i;
        continue;
      }
      const std::string_view command = s.substr(name, i - name);
      const bool text_command = is_text_command(command);
      const bool name_argument = command == "begin" || command == "end" || command == "operatorname";
      if ((text_command || name_argument) && i < s.size() && s[i] == '{') {
        const size_t close = match_brace(s, i);
        // An environment's or operator's name ({pmatrix}), or a one-word text: not prose, skipped whole.
        if (close != std::string_view::npos &&
            (name_argument || trim(s.substr(i + 1, close - i - 2)).find(' ') == std::string::npos))
          i = close;
      }
      continue;
    }
    if (c == '$') in_dollars = !in_dollars;
    const bool in_math = in_dollars || in_brackets > 0;
    if (!in_math && is_letter(c)) {
      size_t e = i;
      while (e < s.size() && is_letter(s[e])) ++e;
      const std::string word = ascii_lower_word(s.substr(i, e - i));
      if ((word.size() >= 3 && word != "and") || (linking_words && is_linking_word(word))) return i;
      i = e;
      continue;
    }
    ++i;
  }
  return std::string_view::npos;
}

bool has_prose_word(std::string_view s) { return first_prose_word(s) != std::string_view::npos; }

// `s` trimmed, without quotes around it ("\"$12$ and $13$\"").
std::string unquote(std::string_view s) {
  std::string unquoted = trim(s);
  for (std::string_view q : {std::string_view("\\\""), std::string_view("\""), std::string_view("'")}) {
    if (unquoted.size() >= 2 * q.size() && unquoted.compare(0, q.size(), q) == 0 &&
        unquoted.compare(unquoted.size() - q.size(), q.size(), q) == 0)
      unquoted = trim(std::string_view(unquoted).substr(q.size(), unquoted.size() - 2 * q.size()));
  }
  return unquoted;
}

std::optional<std::string> answer_in_prose(std::string_view x);
std::optional<std::string> stated_after_verb(std::string_view sentence);

// The length of the number `s` starts with ("1024", "-3/4", "1,000.5"), 0 when it starts with none.
size_t leading_number_length(std::string_view s) {
  size_t e = s.starts_with("-") ? 1 : 0;
  const size_t digits = e;
  while (e < s.size() && (std::isdigit(static_cast<unsigned char>(s[e])) ||
                          ((s[e] == ',' || s[e] == '.' || s[e] == '/') && e + 1 < s.size() &&
                           std::isdigit(static_cast<unsigned char>(s[e + 1])))))
    ++e;
  return e == digits ? 0 : e;
}

// The number or math span `s` starts with ("1024", "$\frac{1}{2}$", "-3/4"), or none.
std::optional<std::string> opening_value(std::string_view s) {
  size_t b = 0;
  while (b < s.size() && (is_space(s[b]) || s[b] == ',' || s[b] == ':')) ++b;
  s = s.substr(b);
  if (s.starts_with("$")) {
    const size_t close = s.find('$', 1);
    if (close != std::string_view::npos && close > 1) return std::string(s.substr(0, close + 1));
    return std::nullopt;
  }
  const size_t e = leading_number_length(s);
  if (e == 0) return std::nullopt;
  return std::string(s.substr(0, e));
}

// The value the rest of an answer sentence restates its answer as, when it goes on computing it: after
// "i.e.", or after an "=" that ends a computation ("5 choose 2 = 10", "2 to the power of 10, i.e., 1024").
// Not when the rest justifies the answer ("6, because the roots of $x^2 - 5x + 6 = 0$ ...", "4, since
// $f(4) = 0$"), nor the "=" of an assignment ("attained at x = 3").
std::optional<std::string> restated_value(std::string_view rest) {
  std::string lower(1, ' ');
  lower += ascii_lower_word(rest);
  lower += ' ';
  for (std::string_view why : {" since ", " because ", " as ", " where ", " which ", " for ", " if ", " when ",
                               " given ", " from ", " so ", " and ", " but ", " not ", " with "})
    if (lower.find(why) != std::string::npos) return std::nullopt;
  if (const size_t at = lower.rfind("i.e."); at != std::string::npos)
    return opening_value(rest.substr(at + 3));  // `lower` has one leading space
  const size_t eq = rest.rfind('=');
  if (eq == std::string_view::npos) return std::nullopt;
  size_t before = eq;
  while (before > 0 && is_space(rest[before - 1])) --before;
  if (before == 0) return std::nullopt;
  const char c = rest[before - 1];
  if (std::isdigit(static_cast<unsigned char>(c)) || c == ')' || c == '}') return opening_value(rest.substr(eq + 1));
  return std::nullopt;
}

// The answer a phrase's remainder states first: all of it when it holds no prose, else what comes before
// its first prose word ("7 (from 3 + 4)" -> "7"; "$12$, attained at $x = 3$" -> "$12$"; "12 ways (out of
// 30)" -> "12"), or a lone word ("Monday"). None when the remainder starts with prose ("The largest $n$
// is 34", "reasonable, since ...").
std::optional<std::string> leading_answer(std::string_view remainder) {
  std::string x = unquote(remainder);
  // A plain-text currency sign ("$18 per day", "$32,348 in the account") opens no math.
  if (x.size() > 1 && x[0] == '$' && std::isdigit(static_cast<unsigned char>(x[1])) && x.find('$', 1) == std::string::npos)
    x.erase(0, 1);
  const size_t prose = first_prose_word(x, /*linking_words=*/true);
  if (prose == std::string_view::npos) return x.empty() ? std::nullopt : std::optional<std::string>(x);
  std::string lead = x.substr(0, prose);
  // A bracket the prose opened ("204 (in base 10)", "\text{(after ...)}") is not part of the answer, nor
  // is a command left without its argument.
  int open = 0;
  for (size_t k = lead.size(); k-- > 0;) {
    if (lead[k] == ')' || lead[k] == ']' || lead[k] == '}') ++open;
    if (lead[k] == '(' || lead[k] == '[' || lead[k] == '{') {
      if (open == 0) lead.resize(k);
      else --open;
    }
  }
  const size_t command = lead.rfind('\\');
  if (command != std::string::npos) {
    const std::string_view name = std::string_view(lead).substr(command + 1);
    if (is_text_command(name)) lead.resize(command);
  }
  // Drop what only led into the prose: separators, a joining "and" / "or".
  static constexpr std::array<std::string_view, 2> kLinking = {" and", " or"};
  for (bool changed = true; changed;) {
    changed = false;
    // "**204** minutes": the emphasis closing the answer is not part of it.
    while (!lead.empty() && (is_space(lead.back()) || std::string_view(",;:-*_").find(lead.back()) != std::string_view::npos)) {
      lead.pop_back();
      changed = true;
    }
    // An article after a comma opens a description ("17, a prime number"); "x = a" keeps its a.
    if (lead.size() > 3 && (lead.ends_with(", a") || lead.ends_with(", A"))) {
      lead.resize(lead.size() - 3);
      changed = true;
    }
    for (std::string_view word : kLinking) {
      if (lead.size() > word.size() && ascii_lower_word(std::string_view(lead).substr(lead.size() - word.size())) == word) {
        lead.resize(lead.size() - word.size());
        changed = true;
      }
    }
  }
  // Only short words before the prose ("a total of 12", "at least 5") is prose too.
  if (!lead.empty() && !std::all_of(lead.begin(), lead.end(), [](char c) { return is_letter(c) || is_space(c); })) {
    if (auto restated = restated_value(std::string_view(x).substr(prose))) return restated;
    return lead;
  }
  if (!lead.empty()) return std::nullopt;
  // A one-word answer: the word and nothing after it but a closing period.
  size_t word = 0;
  while (word < x.size() && is_letter(x[word])) ++word;
  if (word == x.size() || (word + 1 == x.size() && x[word] == '.')) return x.substr(0, word);
  return std::nullopt;
}

// `s` without HTML emphasis tags and code backticks around it ("<b>12</b>", "`12`").
std::string without_emphasis(std::string s) {
  for (std::string_view tag : {"<b>", "</b>", "<strong>", "</strong>", "<em>", "</em>"})
    for (size_t at = s.find(tag); at != std::string::npos; at = s.find(tag)) s.erase(at, tag.size());
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') s = s.substr(1, s.size() - 2);
  return s;
}

// True when a phrase's X only judges the answer ("the answer is reasonable", "... is correct"): a check
// written after the answer, not a statement of it.
bool judges_the_answer(std::string_view x) {
  static constexpr std::array<std::string_view, 10> kWords = {"reasonable", "correct",   "consistent", "plausible",
                                                              "right",      "valid",     "confirmed",  "verified",
                                                              "accurate",   "sound"};
  size_t e = 0;
  while (e < x.size() && is_letter(x[e])) ++e;
  const std::string first = ascii_lower_word(x.substr(0, e));
  return std::find(kWords.begin(), kWords.end(), first) != kWords.end();
}

// A second candidate offered beside the answer ("12, or possibly 13"): no one answer.
constexpr std::string_view kSecondCandidate[] = {" or possibly", " or perhaps", " or maybe", ", possibly", ", perhaps"};

// Words that turn a denial into a correction ("not 13; it is 12", "isn't 5 but 7").
constexpr std::string_view kCorrections[] = {";", ", but", " but", ", it", ", rather", ", instead"};

// What a phrase's X does when it opens with a denial or a bound: states the answer (kStates), says what it
// is not or only bounds it ("the answer is not 5", "... is less than 5": kDenies, no answer), or compares
// without a value ("the answer is at least as large as 10": kNoValue, read on).
enum class Denial { kStates, kDenies, kNoValue };
Denial denies_or_bounds(std::string_view x) {
  while (!x.empty() && (x.front() == '*' || x.front() == '_')) x.remove_prefix(1);  // "**not** 13"
  std::string lower = ascii_lower_word(x.substr(0, std::min<size_t>(x.size(), 40)));
  std::erase_if(lower, [](char c) { return c == '*' || c == '_'; });
  if (lower.starts_with("not only") || lower.starts_with("not just")) return Denial::kStates;
  for (std::string_view opening : {"not ", "not:", "never ", "no longer ", "unlikely", "cannot", "can't", "isn't", "neither "})
    if (lower.starts_with(opening)) return Denial::kDenies;
  // A bound states no value only when one follows it ("at least 5"; not "at least as large as ...").
  for (std::string_view bound : {"less than", "greater than", "more than", "fewer than", "at least", "at most",
                                 "different from", "bigger than", "smaller than", "larger than"}) {
    if (!lower.starts_with(bound)) continue;
    size_t v = bound.size();
    while (v < lower.size() && lower[v] == ' ') ++v;
    const bool value = v < lower.size() && (std::isdigit(static_cast<unsigned char>(lower[v])) || lower[v] == '$' ||
                                            lower[v] == '\\' || lower[v] == '-');
    return value ? Denial::kDenies : Denial::kNoValue;
  }
  return Denial::kStates;
}

// "the final answer is X": X up to the end of the line or a sentence end (at most kPhraseChars), from the
// last such phrase: the answer X starts with (leading_answer), else what X states (answer_in_prose: "Final
// Answer: The largest $n$ is 34" -> "34"). A last phrase that only judges the answer ("To double-check that
// the answer is reasonable, ...") defers to the phrase before it. `after_box` (the text after a response's
// last box): only "final answer is", and only an X that starts with its answer ("is $12$", "is 12",
// "is x = 3"; not "is independent of $a$", "is obtained by adding").
std::optional<std::string> answer_phrase(std::string_view text, bool after_box = false, size_t* denied_at = nullptr) {
  // The English phrases, and the ones a model slipping into Chinese or Russian writes (最终答案是, 答案是, 答案为,
  // 答案：, Ответ:, ответ:).
  static constexpr std::array<std::string_view, 12> kPhrases = {
      "final answer is", "answer is:", "answer is", "answer:",
      "\xe6\x9c\x80\xe7\xbb\x88\xe7\xad\x94\xe6\xa1\x88\xe6\x98\xaf", "\xe7\xad\x94\xe6\xa1\x88\xe6\x98\xaf",
      "\xe7\xad\x94\xe6\xa1\x88\xe4\xb8\xba", "\xe7\xad\x94\xe6\xa1\x88\xef\xbc\x9a", "\xe7\xad\x94\xe6\xa1\x88:",
      "\xd0\x9e\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82:", "\xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82:",
      "\xd0\x9e\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82 :"};
  constexpr size_t kPhraseChars = 500;
  constexpr size_t kPhrasesExamined = 8;
  const std::string lower = ascii_lower_word(text);
  // Where each phrase's X begins, latest first ("final answer is" and its "answer is" begin X at one place).
  std::vector<size_t> starts;
  for (std::string_view p : kPhrases) {
    if (after_box && p != kPhrases[0]) continue;
    for (size_t at = lower.find(p); at != std::string::npos; at = lower.find(p, at + 1)) {
      size_t i = at + p.size();
      // "the answer isn't 5", "the answer issue": a phrase ending in a word must end where the word does.
      if (is_letter(p.back()) && i < text.size() && (is_letter(text[i]) || text[i] == '\'')) continue;
      // 答案是否正确 ("whether the answer is right") states none.
      if (text.compare(i, 3, "\xe5\x90\xa6") == 0) continue;
      // "\textbf{Final Answer:} 12": the markup's closing brace belongs to the phrase.
      while (i < text.size() && (text[i] == ' ' || text[i] == ':' || text[i] == '*' || text[i] == '\t' || text[i] == '}')) ++i;
      starts.push_back(i);
    }
  }
  std::sort(starts.begin(), starts.end(), std::greater<>());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  if (starts.size() > kPhrasesExamined) starts.resize(kPhrasesExamined);
  for (size_t i : starts) {
    size_t e = i;
    bool in_math = false;
    while (e < text.size() && e - i < kPhraseChars && text[e] != '\n') {
      if (text[e] == '$' && (e == 0 || text[e - 1] != '\\')) in_math = !in_math;  // "\$18" is money, not math
      if (!in_math && text.compare(e, 3, "...") == 0) {  // "0.333..." keeps its dots
        e += 3;
        continue;
      }
      // A period followed by a space or the end ends the sentence, unless it sits inside math or a number.
      if (!in_math && text[e] == '.' && (e + 1 == text.size() || is_space(text[e + 1]))) break;
      // So do "。" and "，", and words of another script after a space ("204 分钟", "204 минуты"): a unit or prose.
      if (!in_math && (text.compare(e, 3, "\xe3\x80\x82") == 0 || text.compare(e, 3, "\xef\xbc\x8c") == 0)) break;
      if (!in_math && e + 1 < text.size() && (is_space(text[e]) || text[e] == '*')) {
        const auto next = static_cast<unsigned char>(text[e + 1]);
        if (next == 0xD0 || next == 0xD1 || (next >= 0xE3 && next <= 0xE9)) break;
      }
      ++e;
    }
    std::string x = trim(text.substr(i, e - i));
    while (!x.empty() && (x.back() == '*')) x.pop_back();
    x = without_emphasis(std::move(x));
    if (x.empty()) return std::nullopt;  // "**Final Answer:**" over the answer's own line: the fallbacks find it
    if (after_box) {
      size_t word = 0;
      while (word < x.size() && is_letter(x[word])) ++word;
      if (word >= 2) return std::nullopt;
      return leading_answer(x);
    }
    if (judges_the_answer(x)) continue;
    // "5, or possibly 6 if ...": two candidates, no one answer.
    const std::string lower_phrase = ascii_lower_word(x);
    const bool second_candidate = std::any_of(std::begin(kSecondCandidate), std::end(kSecondCandidate), [&](std::string_view w) {
      const size_t at = lower_phrase.find(w);
      if (at == std::string::npos) return false;
      size_t v = at + w.size();
      while (v < lower_phrase.size() && lower_phrase[v] == ' ') ++v;
      return v < lower_phrase.size() && (std::isdigit(static_cast<unsigned char>(lower_phrase[v])) ||
                                         lower_phrase[v] == '$' || lower_phrase[v] == '\\' || lower_phrase[v] == '-');
    });
    if (second_candidate) {
      if (denied_at && *denied_at == std::string_view::npos) *denied_at = i;
      continue;
    }
    const Denial denial = denies_or_bounds(x);
    if (denial == Denial::kNoValue) continue;
    if (denial == Denial::kDenies) {
      // "not 13; it is 12", "not 13 but 12": the correction states it.
      for (std::string_view turn : kCorrections) {
        const size_t at = lower_phrase.find(turn);
        if (at == std::string::npos) continue;
        const std::string rest = trim(std::string_view(x).substr(at + turn.size()));
        if (auto stated = stated_after_verb(rest)) return stated;
        if (!has_prose_word(rest))
          if (auto lead = leading_answer(rest)) return lead;
        break;
      }
      // An earlier phrase may still state it; a later sentence too (the caller's business).
      if (denied_at && *denied_at == std::string_view::npos) *denied_at = i;
      continue;
    }
    // "the answer is indeed 12", "... is therefore $5$": the adverb is not part of the answer.
    for (std::string_view adverb : {"indeed", "actually", "clearly", "therefore", "thus", "just", "simply",
                                    "exactly", "then", "still", "now", "hence"}) {
      if (x.size() > adverb.size() && ascii_lower_word(std::string_view(x).substr(0, adverb.size())) == adverb &&
          !is_letter(x[adverb.size()])) {
        x = trim(std::string_view(x).substr(adverb.size() + (x[adverb.size()] == ',' ? 1 : 0)));
        break;
      }
    }
    if (auto lead = leading_answer(x)) return lead;
    return answer_in_prose(x);
  }
  return std::nullopt;
}

// The last number of `s` that does not continue a word or another number ("is 1,000.99m²" -> 1,000.99;
// "AZYUK2A" has none), with its start position.
std::optional<std::pair<std::string, size_t>> last_standalone_number(std::string_view s) {
  std::optional<std::pair<std::string, size_t>> last;
  size_t i = 0;
  while (i < s.size()) {
    const bool starts = std::isdigit(static_cast<unsigned char>(s[i])) && (i == 0 || !(is_letter(s[i - 1]) ||
                        std::isdigit(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '.' || s[i - 1] == ','));
    if (!starts) {
      ++i;
      continue;
    }
    size_t b = i;
    bool unicode_minus = false;  // U+2212, as models write "−5" in prose
    if (b > 0 && s[b - 1] == '-') --b;
    else if (b >= 3 && s.substr(b - 3, 3) == "\xE2\x88\x92") b -= 3, unicode_minus = true;
    else if (b >= 3 && s.substr(b - 3, 3) == "\xE2\x88\x9A") {  // "√51" is the root, "2√3" and "−√2" with theirs
      b -= 3;
      while (b > 0 && (std::isdigit(static_cast<unsigned char>(s[b - 1])) || s[b - 1] == '.')) --b;
      if (b > 0 && s[b - 1] == '-') --b;
      else if (b >= 3 && s.substr(b - 3, 3) == "\xE2\x88\x92") b -= 3, unicode_minus = true;
      if (b > 0 && (is_letter(s[b - 1]) || s[b - 1] == '+' || s[b - 1] == '(')) {  // "x√3", "1+√3": part of more
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
        continue;
      }
    }
    size_t e = i;
    while (e < s.size()) {
      if (std::isdigit(static_cast<unsigned char>(s[e]))) ++e;
      else if ((s[e] == ',' || s[e] == '.' || s[e] == '/') && e + 1 < s.size() &&
               std::isdigit(static_cast<unsigned char>(s[e + 1])))
        ++e;  // "1,000.99", "2/3"
      else break;
    }
    // "sqrt(51)" in prose is the root.
    if (b >= 5 && s.substr(b - 5, 5) == "sqrt(" && e < s.size() && s[e] == ')') {
      b -= 5;
      ++e;
    }
    std::string number(s.substr(b, e - b));
    if (unicode_minus) number.replace(0, 3, 1, '-');
    last = std::make_pair(std::move(number), b);
    i = e;
  }
  return last;
}

// One complete math span of a text: its content (trimmed) and where it starts and ends (delimiters included).
struct MathSpan {
  std::string content;
  size_t begin = 0, end = 0;
};

// The complete, non-empty math spans ($$..$$, \[..\], \(..\), $..$) of `text`, left to right; inline spans
// ($..$, \(..\)) do not cross a line break. Escaped dollars (\$) are not delimiters.
std::vector<MathSpan> math_spans(std::string_view text) {
  std::vector<MathSpan> spans;
  // Per kind of delimiter ($$, \[, \(, $): before this position an opener has no closer (a search from an
  // earlier opener found none up to there), so a text of repeated openers is scanned once, not once each.
  std::array<size_t, 4> unclosed_until{};
  size_t i = 0;
  while (i < text.size()) {
    size_t open_len = 0;
    std::string_view close;
    bool inline_span = false;
    int kind = 0;
    if (text.compare(i, 2, "$$") == 0) {
      open_len = 2, close = "$$", kind = 0;
    } else if (text.compare(i, 2, "\\[") == 0) {
      open_len = 2, close = "\\]", kind = 1;
    } else if (text.compare(i, 2, "\\(") == 0) {
      open_len = 2, close = "\\)", inline_span = true, kind = 2;
    } else if (text[i] == '\\') {
      i += 2;  // an escaped character, e.g. \$
      continue;
    } else if (text[i] == '$') {
      open_len = 1, close = "$", inline_span = true, kind = 3;
    } else {
      ++i;
      continue;
    }
    if (i < unclosed_until[static_cast<size_t>(kind)]) {
      i += open_len;
      continue;
    }
    // Find the closing delimiter, skipping escaped characters.
    size_t j = i + open_len;
    size_t end = std::string_view::npos;
    while (j < text.size()) {
      if (text.compare(j, close.size(), close) == 0) {
        end = j;
        break;
      }
      if (inline_span && text[j] == '\n') break;
      j += text[j] == '\\' && close != "\\]" && close != "\\)" ? 2 : 1;
    }
    if (end == std::string_view::npos) {
      unclosed_until[static_cast<size_t>(kind)] = j;  // where the search stopped: the line's end, or the text's
      i += open_len;
      continue;
    }
    std::string inner = trim(text.substr(i + open_len, end - i - open_len));
    if (!inner.empty()) spans.push_back({std::move(inner), i, end + close.size()});
    i = end + close.size();
  }
  return spans;
}

std::optional<std::string> last_math_span(std::string_view text) {
  std::vector<MathSpan> spans = math_spans(text);
  if (spans.empty()) return std::nullopt;
  return std::move(spans.back().content);
}

// The answer the last math spans of a sentence state together: the last span, or the list it closes
// ("The solutions are $x = 5$ and $x = -3$" -> "x = 5, x = -3"), as boxes joined the same way are one list.
std::optional<std::string> last_math_answer(std::string_view text) {
  const std::vector<MathSpan> spans = math_spans(text);
  if (spans.empty()) return std::nullopt;
  // A span that is a lone relation ("$\\approx$", "$=$") joins nothing: "$\\frac12$ $\\approx$ $0.5$" is not a list.
  const auto lone_relation = [](const std::string& c) {
    return c.find_first_not_of("=<>") == std::string::npos ||
           (c[0] == '\\' && std::all_of(c.begin() + 1, c.end(), is_letter));
  };
  // Spans of one kind join: values, or equations of unknowns ("$x = 5$ and $x = -3$"); not a value and an equation,
  // nor an expression's value after them ("$\\frac{192}{5}$, and $m + n = 197$", "$t = 10$, and $n + t = 149$").
  const auto left_side = [](const std::string& c) {
    const size_t eq = c.find('=');
    return eq == std::string::npos ? std::string() : trim(std::string_view(c).substr(0, eq));
  };
  // An unknown's name: a letter, maybe with a subscript or primes ("x", "x_1", "a'").
  // An unknown's name: a letter or a Greek letter's command, maybe with a subscript or primes ("x", "x_1", "a'",
  // "\\lambda_1").
  const auto unknown = [](const std::string& lhs) {
    size_t i = 0;
    if (!lhs.empty() && lhs[0] == '\\') {
      i = 1;
      while (i < lhs.size() && is_letter(lhs[i])) ++i;
      if (i == 1) return false;
    } else if (!lhs.empty() && is_letter(lhs[0])) {
      i = 1;
    } else {
      return false;
    }
    return std::all_of(lhs.begin() + static_cast<std::ptrdiff_t>(i), lhs.end(), [](char c) {
      return c == '_' || c == '\'' || c == '{' || c == '}' || std::isdigit(static_cast<unsigned char>(c)) || is_letter(c);
    }) && lhs.find(' ') == std::string::npos;
  };
  const auto one_kind = [&](const std::string& a, const std::string& b) {
    const bool ea = a.find('=') != std::string::npos, eb = b.find('=') != std::string::npos;
    // Roots of one unknown ("$x = 5$ and $x = -3$", "$x = -1$ and $3$") or one value per unknown ("$a=6$, $b=31$,
    // and $c=-1$"); a value and an expression's value are two things.
    if (ea && eb) return left_side(a) == left_side(b) || (unknown(left_side(a)) && unknown(left_side(b)));
    if (ea != eb) return unknown(left_side(ea ? a : b));
    return true;
  };
  size_t first = spans.size() - 1;
  while (first > 0 && !lone_relation(spans[first].content) && !lone_relation(spans[first - 1].content) &&
         one_kind(spans[first - 1].content, spans[first].content) &&
         only_separators(text.substr(spans[first - 1].end, spans[first].begin - spans[first - 1].end)))
    --first;
  std::string joined;
  for (size_t k = first; k < spans.size(); ++k) {
    if (k > first && spans[k].content == spans[k - 1].content) continue;
    if (!joined.empty()) joined += ", ";
    joined += spans[k].content;
  }
  return joined;
}

// The part of a sentence before a reason clause (" because ", ", since ", " since ", ", as ", ", given that "), when it
// holds a number or math; else the whole sentence.
std::string_view before_reason_clause(std::string_view sentence) {
  const std::string lower = ascii_lower_word(sentence);
  size_t cut = std::string::npos;
  for (std::string_view reason : {" because ", ", since ", " since ", ", as ", ", given that "})
    cut = std::min(cut, lower.find(reason));
  if (cut == std::string::npos || cut == 0) return sentence;
  const std::string_view main = sentence.substr(0, cut);
  // Not a cut inside a math span: an even number of '$' before it.
  if (std::count(main.begin(), main.end(), '$') % 2 != 0) return sentence;
  const bool value = std::any_of(main.begin(), main.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  return value ? main : sentence;
}

// The answer inside a phrase's remainder: itself when it is plain math; when it is prose ("The largest $n$
// is 34"), whichever comes last of its last math span and its last standalone number.
std::optional<std::string> answer_in_prose(std::string_view x) {
  const std::string unquoted = unquote(x);  // quotes around the answer are not part of it
  x = unquoted;
  if (!has_prose_word(x)) return std::string(x);
  std::optional<std::string> span = last_math_answer(x);
  const size_t span_end = span ? x.rfind('$') : 0;
  auto number = last_standalone_number(x);
  if (number && (!span || number->second > span_end)) {
    // "The center is (−1, 6).", "The set is {3, 5, 7}.": the number closes a group of numbers, which is the answer.
    size_t k = number->second;  // past the number as written (a Unicode minus is three bytes there)
    if (x.compare(k, 3, "\xE2\x88\x92") == 0) k += 3;
    k += leading_number_length(x.substr(k));
    const size_t close = x.find_first_not_of(" ", k);
    if (close != std::string_view::npos && (x[close] == ')' || x[close] == '}' || x[close] == ']')) {
      const char open_bracket = x[close] == ')' ? '(' : x[close] == '}' ? '{' : '[';
      const size_t open = x.rfind(open_bracket, number->second);
      if (open != std::string_view::npos) {
        const std::string_view group = x.substr(open + 1, close - open - 1);
        const bool numbers_only = group.find(',') != std::string_view::npos &&
                                  std::all_of(group.begin(), group.end(), [](char c) {
                                    return std::isdigit(static_cast<unsigned char>(c)) || c == ',' || c == ' ' ||
                                           c == '-' || c == '.' || c == '/' || static_cast<unsigned char>(c) >= 0x80;
                                  });
        if (numbers_only) return std::string(x.substr(open, close - open + 1));
      }
    }
    return number->first;
  }
  return span;
}

// Where the first marker that only ends a turn stands (text.size() when none), from `start`.
size_t first_turn_end(std::string_view text, size_t start) {
  size_t cut = text.size();
  for (std::string_view marker : {std::string_view("<|im_start|>"), std::string_view("<|im_end|>"),
                                  std::string_view("<|endoftext|>"), std::string_view("<|eot_id|>"),
                                  std::string_view("<|eom_id|>"), std::string_view("<|start_header_id|>"),
                                  std::string_view("<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>")})
    cut = std::min(cut, text.find(marker, start));
  return cut;
}

// The text before the first end-of-turn marker: generation that ran past the end of its turn is not part
// of the response ("... is 2/3. <|im_start|>user ...", "12.</s>", "12<end_of_turn>"). A role header the
// response opens with ("<|im_start|>assistant\n", Llama 3's "<|start_header_id|>assistant<|end_header_id|>")
// is its own turn's, skipped.
std::string_view before_end_of_turn(std::string_view text) {
  size_t start = 0;
  for (const auto& [open, close] : {std::pair<std::string_view, std::string_view>{"<|im_start|>", "\n"},
                                    {"<|start_header_id|>", "<|end_header_id|>"}}) {
    size_t at = start;
    while (at < text.size() && is_space(text[at])) ++at;
    if (text.substr(at).starts_with(open)) {
      const size_t end = text.find(close, at + open.size());
      if (end != std::string_view::npos && end - at <= 40) start = end + close.size();
    }
  }
  size_t cut = first_turn_end(text, start);
  // A plain-text chat format's next turn after a blank line ("\n\nHuman: thanks! Can you ...", "\n\nUser: ...",
  // "\n\n### Human:"): the model went on to write the user's part.
  for (std::string_view role : {std::string_view("\n\nHuman:"), std::string_view("\n\nUser:"), std::string_view("\n\nUSER:"),
                                std::string_view("\n\n### Human:"), std::string_view("\n\n### User:")})
    if (const size_t at = text.find(role, start); at != std::string_view::npos && at > start) cut = std::min(cut, at);
  // Markers that are also ordinary text ("</s>" closes HTML strikethrough) end the turn only where nothing
  // follows them but spacing or another tag ("12.</s>", "12</s><s>[INST] ...").
  for (std::string_view marker : {std::string_view("</s>"), std::string_view("<end_of_turn>"), std::string_view("<|end|>"),
                                  std::string_view("<|return|>")}) {
    for (size_t at = text.find(marker, start); at != std::string_view::npos && at < cut; at = text.find(marker, at + 1)) {
      size_t next = at + marker.size();
      while (next < text.size() && is_space(text[next])) ++next;
      if (next == text.size() || text[next] == '<' || text[next] == '[') {
        cut = at;
        break;
      }
    }
  }
  return text.substr(start, cut - start);
}

// The last sentence of a text, without a closing "I hope it is correct." formula.
std::string_view last_sentence(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  static constexpr std::string_view kBoilerplate = "i hope it is correct.";
  if (t.size() >= kBoilerplate.size() &&
      ascii_lower_word(t.substr(t.size() - kBoilerplate.size())) == kBoilerplate) {
    t.remove_suffix(kBoilerplate.size());
    while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  }
  if (t.empty()) return t;
  size_t b = t.size() - 1;  // skip the sentence's own final period
  while (b > 0) {
    const char c = t[b - 1];
    if (c == '\n' || ((c == '.' || c == '!' || c == '?') && is_space(t[b]))) break;
    --b;
  }
  return t.substr(b);
}

// A closing line that is a short bare answer ("42", "**42**", "x = 5."), without math delimiters (a math
// span is taken as a span); none when it holds no digit.
std::optional<std::string> bare_statement(std::string_view sentence) {
  std::string t = without_emphasis(trim(sentence));
  // Emphasis around it ("**42**", "`42`", "<b>42</b>"), a heading's marks ("#### 42"), an answer label ("A:
  // 42") and a lead-in sign ("= 42" closing a computation, "∴ 42") are not the answer.
  while (!t.empty() && (t.back() == '*' || t.back() == '.' || t.back() == '`')) t.pop_back();
  size_t lead = 0;
  while (lead < t.size() && (t[lead] == '*' || t[lead] == '`' || t[lead] == '=' || t[lead] == ' ' || t[lead] == '#')) ++lead;
  if (t.compare(lead, 2, "A:") == 0) lead += 2;
  while (lead < t.size() && t[lead] == ' ') ++lead;
  if (t.substr(lead).starts_with("\xe2\x88\xb4")) lead += 3;  // ∴
  t = trim(std::string_view(t).substr(lead));
  if (t.empty() || t.size() > kShortResponseChars || t.find('$') != std::string::npos ||
      t.find("\\[") != std::string::npos || t.find("\\(") != std::string::npos ||
      std::none_of(t.begin(), t.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }))
    return std::nullopt;
  return t;
}

// The value a verb's object states, from `from` in `sentence` (`lower` its lower-cased copy): past adverbs and
// "equal to" ("is therefore 12", "is equal to 93"), the answer before the prose that follows ("12 when x = 3",
// "$12$, attained at ..."). None when that is no number or math, a comparison ("2 more than 10", "4 times the
// area"), or the sentence goes on to a later result ("$x = 2$ and then \[ 9 \]", "1 mod 8, namely 17").
std::optional<std::string> value_after(std::string_view sentence, const std::string& lower, size_t from) {
  static constexpr std::array<std::string_view, 16> kAdverbs = {
      "therefore", "thus",  "indeed", "actually", "now",   "exactly", "precisely",     "then",
      "hence",     "just",  "simply", "clearly",  "finally", "still", "approximately", "about"};
  for (bool skipped = true; skipped;) {
    skipped = false;
    size_t b = from;
    while (b < lower.size() && (is_space(lower[b]) || lower[b] == ',')) ++b;
    size_t e = b;
    while (e < lower.size() && is_letter(lower[e])) ++e;
    const std::string_view word = std::string_view(lower).substr(b, e - b);
    if (std::find(kAdverbs.begin(), kAdverbs.end(), word) != kAdverbs.end()) {
      from = e;
      skipped = true;
    } else if (word == "equal" && lower.compare(e, 3, " to") == 0) {
      from = e + 3;
      skipped = true;
    }
  }
  std::optional<std::string> stated = leading_answer(sentence.substr(from));
  if (!stated) return stated;
  const char c = stated->front();
  // "(C)": a choice named as the value.
  const bool choice = stated->size() >= 3 && c == '(' && std::isupper(static_cast<unsigned char>((*stated)[1])) && (*stated)[2] == ')';
  if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '$' || c == '\\' || choice)) return std::nullopt;
  size_t e = from;
  while (e < lower.size() && is_space(lower[e])) ++e;
  e = std::min(lower.size(), e + stated->size());
  size_t next_at = e;
  while (next_at < lower.size() && (is_space(lower[next_at]) || lower[next_at] == ',')) ++next_at;
  const auto word_at_pos = [&](size_t at) {
    size_t w = at;
    while (w < lower.size() && is_letter(lower[w])) ++w;
    return std::pair(std::string_view(lower).substr(at, w - at), w);
  };
  auto [next, after_next] = word_at_pos(next_at);
  for (std::string_view operation : {"times", "plus", "minus"})
    if (next == operation) return std::nullopt;
  // "2 more than 10" compares; "4 more buses" counts them.
  for (std::string_view comparison : {"more", "less", "fewer", "greater", "smaller", "larger", "higher", "lower"}) {
    if (next != comparison) continue;
    size_t at = after_next;
    for (int words = 0; words < 4; ++words) {
      while (at < lower.size() && is_space(lower[at])) ++at;
      const auto [word, end] = word_at_pos(at);
      if (word == "than") return std::nullopt;
      if (word.empty()) break;
      at = end;
    }
  }
  if (next == "namely" || lower.find(", namely", e) != std::string::npos) return std::nullopt;
  if (next == "and") {
    size_t at = after_next;
    while (at < lower.size() && is_space(lower[at])) ++at;
    std::tie(next, after_next) = word_at_pos(at);
  }
  if (next == "then") {
    size_t at = after_next;
    while (at < lower.size() && is_space(lower[at])) ++at;
    if (at < lower.size() && (lower[at] == '$' || lower[at] == '\\' || std::isdigit(static_cast<unsigned char>(lower[at]))))
      return std::nullopt;
  }
  // The sentence's own period and math delimiters are not the answer ("$x = 5$ and $x = -3$." is the list); a
  // "!" or "?" that ends the sentence is punctuation ("is 3!" is 3; "is 5!." and "is 4!, since" keep theirs).
  const bool ends_with_mark = !stated->empty() && (stated->back() == '!' || stated->back() == '?');
  while (!stated->empty() && (stated->back() == '.' || is_space(stated->back()))) stated->pop_back();
  if (ends_with_mark) {
    std::string_view rest = sentence.substr(std::min(sentence.size(), e));
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) stated->pop_back();
  }
  if (stated->empty()) return std::nullopt;
  const std::vector<MathSpan> spans = math_spans(*stated);
  if (spans.empty()) return stated;
  std::string outside(std::string_view(*stated).substr(0, spans.front().begin));
  for (size_t k = 0; k < spans.size(); ++k)
    outside += std::string_view(*stated).substr(spans[k].end, (k + 1 < spans.size() ? spans[k + 1].begin : stated->size()) - spans[k].end);
  if (only_separators(outside)) return last_math_answer(*stated);
  return stated;
}

// What a concluding sentence states after its verb: the value that follows the last verb of its main clauses
// that states one ("the minimum value is 12 when x = 3" -> 12, "there are 12 ways to choose them out of 30" ->
// 12, "there are 30 candidates, and the number of valid ones is 12" -> 12, "was 10, but the count is actually
// 12" -> 12, "we get 12" -> 12, "the total is 12, which is 4 times 3" -> 12). The verbs are "is", "are",
// "equals", "be", "get", "obtain", ...; "gives", "yields", "makes" count only in a sentence without those ("the
// count is 8; this gives 4 pairs" -> 8). The verb right after a condition word, up to a comma, is the
// condition's ("... when x is 3", "since they are weighted it is 14"), and "to be" is a requirement. None when
// no verb states a value: the caller then takes the sentence's last number. Only the last 600 characters of
// a sentence are read (a concluding sentence is short; the scan stays linear).
std::optional<std::string> stated_after_verb(std::string_view sentence) {
  constexpr size_t kStatedSentenceChars = 600;
  if (sentence.size() > kStatedSentenceChars) {
    size_t cut = sentence.size() - kStatedSentenceChars;
    while (cut < sentence.size() && !is_space(sentence[cut])) ++cut;
    sentence.remove_prefix(cut);
  }
  static constexpr std::array<std::string_view, 11> kConditions = {
      "since", "because", "if", "when", "whenever", "where", "while", "although", "unless", "given", "once"};
  static constexpr std::array<std::string_view, 11> kVerbs = {"is",  "are",  "equals", "be",  "was",     "were",
                                                              "get", "gets", "got",    "obtain", "obtains"};
  static constexpr std::array<std::string_view, 28> kWeakVerbs = {
      "gives", "give",  "yields", "yield", "makes", "becomes", "remains", "has",   "have",   "had",
      "needs", "need",  "takes",  "take",  "spent", "spends",  "costs",   "cost",  "paid",   "pays",
      "earns", "earned", "saved", "saves", "weighs", "scored", "scores",  "measures"};
  const std::string lower = ascii_lower_word(sentence);
  std::vector<size_t> verb_ends, weak_verb_ends;  // main-clause verbs, in order
  std::vector<size_t> verb_starts;                // where each of verb_ends' verbs begins
  bool in_dollars = false;
  bool condition_pending = false;  // a condition word was read: its own verb comes next, within its clause
  std::string_view previous;
  for (size_t i = 0; i < lower.size(); ++i) {
    if (lower[i] == '$') {
      // A currency sign ("costs $5, so the total is $20"): a digit follows it and its would-be closer, or nothing closes it.
      const bool digit_next = i + 1 < lower.size() && std::isdigit(static_cast<unsigned char>(lower[i + 1]));
      const size_t closer = lower.find('$', i + 1);
      const bool currency = !in_dollars && digit_next &&
                            (closer == std::string::npos ||
                             (closer + 1 < lower.size() && std::isdigit(static_cast<unsigned char>(lower[closer + 1]))));
      if (!currency) in_dollars = !in_dollars;
    }
    if (in_dollars) continue;
    if (lower[i] == ',' || lower[i] == ';') condition_pending = false;
    if ((i > 0 && is_letter(lower[i - 1])) || !is_letter(lower[i])) continue;
    size_t e = i;
    while (e < lower.size() && is_letter(lower[e])) ++e;
    const std::string_view word = std::string_view(lower).substr(i, e - i);
    // "it's 6", "that’s 12": the contracted "is" (not "let's").
    const bool contracted_is =
        word == "s" && previous != "let" &&
        ((i >= 1 && lower[i - 1] == '\'') || (i >= 3 && lower.compare(i - 3, 3, "\xe2\x80\x99") == 0));
    const bool strong = contracted_is || std::find(kVerbs.begin(), kVerbs.end(), word) != kVerbs.end();
    const bool weak = std::find(kWeakVerbs.begin(), kWeakVerbs.end(), word) != kWeakVerbs.end();
    if (std::find(kConditions.begin(), kConditions.end(), word) != kConditions.end()) {
      condition_pending = true;
    } else if (strong || weak) {
      // "cannot be 5", "is never 5" (the value follows "never"), "isn't 5": no statement of a value.
      const bool negated = previous == "not" || previous == "cannot" || previous == "never" || previous == "t";
      if (condition_pending) condition_pending = false;
      else if (!negated && !(word == "be" && previous == "to")) {
        (strong ? verb_ends : weak_verb_ends).push_back(e);
        if (strong) verb_starts.push_back(i);
      }
    }
    previous = word;
    i = e - 1;
  }
  const std::vector<size_t>& verbs = verb_ends.empty() ? weak_verb_ends : verb_ends;
  for (size_t k = verbs.size(); k-- > 0;)
    if (auto value = value_after(sentence, lower, verbs[k])) return value;
  // "Hence 34 is the smallest such $n$.", "Therefore 2 is the remainder when ...": the one main verb's subject is
  // the value (not in "2 is prime, so the answer is 3", which has two).
  if (verb_starts.size() == 1) {
    size_t b = 0;
    for (bool skipped = true; skipped;) {
      skipped = false;
      while (b < verb_starts[0] && (is_space(lower[b]) || lower[b] == ',' || lower[b] == '*')) ++b;
      for (std::string_view lead : {"so", "thus", "hence", "therefore", "then", "finally"})
        if (lower.compare(b, lead.size(), lead) == 0 && b + lead.size() < lower.size() && !is_letter(lower[b + lead.size()])) {
          b += lead.size();
          skipped = true;
        }
    }
    const std::string subject = trim(sentence.substr(b, verb_starts[0] - b));
    if (!subject.empty() && leading_number_length(subject) == subject.size()) return subject;
    if (subject.size() >= 3 && subject.front() == '$' && subject.back() == '$' && subject.find('$', 1) == subject.size() - 1 &&
        leading_number_length(subject.substr(1, subject.size() - 2)) == subject.size() - 2)
      return subject.substr(1, subject.size() - 2);
  }
  return std::nullopt;
}

// The text without closing lines that hold only markup: a closing tag ("</answer>", "</solution>"), a code
// fence, a rule ("---"). The GRPO format "<answer>\n12\n</answer>" states 12 on the line before.
std::string_view without_closing_markup(std::string_view text) {
  while (true) {
    size_t e = text.size();
    while (e > 0 && is_space(text[e - 1])) --e;
    size_t b = e;
    while (b > 0 && text[b - 1] != '\n') --b;
    const std::string_view line = text.substr(b, e - b);
    const bool tag = line.size() >= 4 && line.starts_with("</") && line.back() == '>' &&
                     std::all_of(line.begin() + 2, line.end() - 1, [](char c) { return is_letter(c) || c == '_'; });
    const bool rule = line.size() >= 3 && std::all_of(line.begin(), line.end(), [&](char c) { return c == line[0]; }) &&
                      (line[0] == '-' || line[0] == '*' || line[0] == '_' || line[0] == '=');
    const bool fence = line.starts_with("```") && std::all_of(line.begin(), line.end(), [](char c) { return c == '`'; });
    if (line.empty() || !(tag || rule || fence) || b == 0) return text.substr(0, e);
    text = text.substr(0, b);
  }
}

// GSM8K's closing line "#### 18" (also "#### $18", "#### 1,000 dollars"): the value after the marker, when it
// is the response's last line and holds a bare value (a unit word at most). A markdown heading ("#### 1.
// Setting up", "#### 3.1", "#### $x = 3$" over more text) is not an answer.
std::optional<std::string> hash_marked_answer(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  const size_t line_start = t.rfind('\n') == std::string_view::npos ? 0 : t.rfind('\n') + 1;
  std::string_view line = t.substr(line_start);
  if (!line.starts_with("####") || line.starts_with("#####")) return std::nullopt;
  std::string x = trim(line.substr(4));
  if (x.starts_with("\xe2\x88\x92")) {  // U+2212 minus sign
    x.erase(0, 2);
    x[0] = '-';
  }
  if (x.empty() || x.size() > 40) return std::nullopt;
  // A plain-text currency sign ("$18", "$70,000") opens no math.
  if (x[0] == '$' && x.find('$', 1) == std::string::npos) x.erase(0, 1);
  const size_t e = leading_number_length(x);
  if (e == 0) return std::nullopt;
  const std::string rest = trim(std::string_view(x).substr(e));
  if (!rest.empty() && !std::all_of(rest.begin(), rest.end(), [](char c) { return is_letter(c); })) return std::nullopt;
  return x.substr(0, e);
}

// True when the text stops without closing its last sentence or formula ("... However, in Step ").
bool looks_cut_off(std::string_view text) {
  size_t e = text.size();
  while (e > 0 && is_space(text[e - 1])) --e;
  if (e == 0) return false;
  const char last = text[e - 1];
  return is_letter(last) || last == ',' || last == '=' || last == '+' || last == '-' || last == '\\' || last == ':';
}

// True when the text ends on a word that cannot end a sentence ("... we solve for $x = 3$, then"): cut off
// however short it is (a colon, "There are 3 cases:", likewise).
bool ends_on_a_function_word(std::string_view text) {
  size_t e = text.size();
  while (e > 0 && is_space(text[e - 1])) --e;
  size_t b = e;
  while (b > 0 && is_letter(text[b - 1])) --b;
  const std::string word = ascii_lower_word(text.substr(b, e - b));
  static constexpr std::string_view kFunctionWords[] = {
      "the", "a", "an", "then", "so", "and", "or", "but", "we", "to", "of", "is", "are", "that", "which", "for",
      "with", "by", "in", "on", "at", "as", "if", "since", "because", "thus", "therefore", "hence", "this", "its"};
  return std::find(std::begin(kFunctionWords), std::end(kFunctionWords), word) != std::end(kFunctionWords);
}

// True when the last line is a heading the text stopped under: a '#' heading, or a bold one after a list marker
// ("1.", "-"), of a few words, at least one of them prose and no math ("1. **Case 1**", "### Step 2"). A bold
// line alone ("**12 apples**") may be the conclusion, and is not one.
bool ends_in_heading(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && is_space(t.back())) t.remove_suffix(1);
  const size_t newline = t.rfind('\n');
  std::string_view line = newline == std::string_view::npos ? t : t.substr(newline + 1);
  while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
  size_t k = 0;
  while (k < line.size() && std::isdigit(static_cast<unsigned char>(line[k])) != 0) ++k;
  bool list_item = false;
  if (k > 0 && k < line.size() && (line[k] == '.' || line[k] == ')')) {
    line.remove_prefix(k + 1);
    list_item = true;
  } else if (line.starts_with("- ") || line.starts_with("* ")) {
    line.remove_prefix(2);
    list_item = true;
  }
  while (!line.empty() && is_space(line.front())) line.remove_prefix(1);
  std::string_view inner;
  if (list_item && line.size() > 4 && line.starts_with("**") && line.ends_with("**")) {
    inner = line.substr(2, line.size() - 4);
  } else if (line.starts_with("#")) {
    const size_t title = line.find_first_not_of('#');
    if (title == std::string_view::npos) return false;
    inner = line.substr(title);
  } else {
    return false;
  }
  if (!has_prose_word(inner) || inner.find_first_of("$=\\") != std::string_view::npos) return false;
  size_t words = 0;
  bool in_word = false;
  for (const char c : inner) {
    if (!is_space(c) && !in_word) ++words;
    in_word = !is_space(c);
  }
  return words <= 4;
}

}  // namespace

namespace {

// The other wrapper `text` opens with (after spacing and gpt-oss's "<|start|>assistant"), or null.
const ReasoningTags* opening_wrapper(std::string_view text, size_t* open_end) {
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  if (text.substr(i).starts_with("<|start|>assistant")) i += std::string_view("<|start|>assistant").size();
  for (const ReasoningTags& tags : kReasoningTags) {
    if (text.substr(i).starts_with(tags.open)) {
      *open_end = i + tags.open.size();
      return &tags;
    }
  }
  return nullptr;
}

}  // namespace

std::string_view text_after_think(std::string_view response) {
  if (size_t at = response.rfind(kThinkClose); at != std::string_view::npos) {
    // A closing tag repeated after the answer ("...the answer is B.\n</think>") leaves nothing after the last
    // one: the answer is what the tags before it enclose.
    size_t end = response.size();
    auto blank = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i)
        if (!is_space(response[i])) return false;
      return true;
    };
    while (at > 0 && blank(at + kThinkClose.size(), end)) {
      const size_t previous = response.rfind(kThinkClose, at - 1);
      if (previous == std::string_view::npos) break;
      // Only a tag that closed the thinking ("...\n</think>\n", "...}</think>So"), not one mentioned inside a
      // sentence of it ("I'll end with </think> then"), and not when another <think> opens between the two
      // (that one's close is the last tag: the response ends still thinking, without an answer).
      const std::string_view between = response.substr(previous + kThinkClose.size(), at - previous - kThinkClose.size());
      size_t k = previous + kThinkClose.size();
      while (k < at && (response[k] == ' ' || response[k] == '\t' || response[k] == '\r')) ++k;
      const bool mid_sentence = previous > 0 && (response[previous - 1] == ' ' || response[previous - 1] == '\t') &&
                                k < at && response[k] != '\n';
      if (mid_sentence || between.find(kThinkOpen) != std::string_view::npos) break;
      end = at;
      at = previous;
    }
    return response.substr(at + kThinkClose.size(), end - at - kThinkClose.size());
  }
  size_t open_end = 0;
  if (const ReasoningTags* tags = opening_wrapper(response, &open_end)) {
    const size_t close = response.find(tags->close, open_end);
    if (close != std::string_view::npos) return response.substr(close + tags->close.size());
  }
  return response;
}

bool thinking_unfinished(std::string_view answer_text) {
  size_t open_end = 0;
  return answer_text.find(kThinkOpen) != std::string_view::npos || opening_wrapper(answer_text, &open_end) != nullptr;
}

std::vector<BoxSpan> find_boxes(std::string_view text, bool* unclosed_last) {
  std::vector<BoxSpan> boxes;
  if (unclosed_last) *unclosed_last = false;
  size_t pos = 0;
  size_t len = 0;
  BoxCommands commands(text);
  while ((pos = commands.next(pos, &len)) != std::string_view::npos) {
    size_t i = pos + len;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i < text.size() && text[i] == '{') {
      const size_t close = match_brace(text, i);
      if (close == std::string_view::npos) {
        if (unclosed_last) *unclosed_last = true;
        break;
      }
      // An empty box ("put the answer inside \boxed{}" echoed from the prompt) holds no answer.
      std::string content(text.substr(i + 1, close - i - 2));
      if (content.find_first_not_of(" \t\n") != std::string::npos) boxes.push_back({std::move(content), pos, close});
      pos = close;
      continue;
    }
    // "\boxed 5": one TeX token, i.e. a run of characters up to a space, '$' or a closing delimiter.
    if (i == pos + len && i < text.size() && is_letter(text[i])) {  // "\boxedx" is another command
      pos = i;
      continue;
    }
    size_t e = i;
    if (e < text.size() && text[e] == '\\') {
      ++e;
      while (e < text.size() && is_letter(text[e])) ++e;
    } else {
      while (e < text.size() && !is_space(text[e]) && text[e] != '$' && text[e] != '}' && text[e] != '\\') ++e;
    }
    std::string content(text.substr(i, e - i));
    while (!content.empty() && (content.back() == '.' || content.back() == ',')) content.pop_back();
    if (content.empty()) {
      if (unclosed_last) *unclosed_last = true;
      break;
    }
    boxes.push_back({std::move(content), pos, e});
    pos = e;
  }
  return boxes;
}

namespace {

// True when the words right before a box deny it ("is not $\boxed{5}$", "isn't \boxed{5}").
bool denied_box(std::string_view text, size_t box_begin) {
  size_t e = box_begin;
  while (e > 0 && (is_space(text[e - 1]) || text[e - 1] == '$' || text[e - 1] == '(' || text[e - 1] == '\\')) --e;
  size_t b = e;
  while (b > 0 && (is_letter(text[b - 1]) || text[b - 1] == '\'')) --b;
  const std::string word = ascii_lower_word(text.substr(b, e - b));
  return word == "not" || word.ends_with("n't");
}

// The answer held by the boxes of `text`: the last box, or the list its closing sentence's boxes form.
ExtractedAnswer boxed_answer(std::vector<BoxSpan> boxes, std::string_view text) {
  // A denied box takes earlier boxes of the same content with it ("\boxed{4} ... the answer is not \boxed{4}").
  while (!boxes.empty() && denied_box(text, boxes.back().begin)) {
    const std::string denied = boxes.back().content;
    std::erase_if(boxes, [&](const BoxSpan& b) { return b.content == denied; });
  }
  while (boxes.size() >= 2 &&
         sets_next_box_aside(text.substr(boxes[boxes.size() - 2].end, boxes.back().begin - boxes[boxes.size() - 2].end)))
    boxes.pop_back();
  if (boxes.empty()) return {};
  size_t first = boxes.size() - 1;
  while (first > 0 && is_list_joiner(text.substr(boxes[first - 1].end, boxes[first].begin - boxes[first - 1].end)))
    --first;
  if (first == boxes.size() - 1) return {boxes.back().content, AnswerSource::kBox};
  // The same box repeated ("\boxed{5} or \boxed{5}", a response caught in a loop) states one answer.
  if (std::all_of(boxes.begin() + static_cast<std::ptrdiff_t>(first), boxes.end(),
                  [&](const BoxSpan& b) { return b.content == boxes.back().content; }))
    return {boxes.back().content, AnswerSource::kBox};
  std::string joined;
  for (size_t k = first; k < boxes.size(); ++k) {
    if (!joined.empty()) joined += ", ";
    joined += boxes[k].content;
  }
  return {joined, AnswerSource::kBoxList};
}

}  // namespace

bool sets_next_box_aside(std::string_view gap) {
  if (gap.size() > 40 || gap.find('\n') != std::string_view::npos) return false;
  if (gap.find("\\approx") != std::string_view::npos || gap.find("\xe2\x89\x88") != std::string_view::npos) return true;
  const std::string words = gap_words(gap);
  for (std::string_view rejection : {"not", "rather than", "instead of", "and not", "but not", "approximately",
                                     "or approximately", "which is approximately", "about", "or about", "roughly",
                                     "or roughly"})
    if (words == rejection) return true;
  return false;
}


std::string response_as_written(std::string_view prompt, std::string_view response) {
  while (!prompt.empty() && is_space(prompt.back())) prompt.remove_suffix(1);
  std::string_view opening = response;
  while (!opening.empty() && is_space(opening.front())) opening.remove_prefix(1);
  if (!prompt.ends_with("<think>") || opening.starts_with("<think>")) return std::string(response);
  return "<think>\n" + std::string(response);
}

std::string_view answer_part(std::string_view response) {
  // gpt-oss (harmony): the analysis channel is its reasoning, the final channel its answer.
  constexpr std::string_view kFinalChannel = "<|channel|>final<|message|>";
  // The first, and only within its own turn.
  if (const size_t at = response.find(kFinalChannel); at != std::string_view::npos && at < first_turn_end(response, 0))
    response.remove_prefix(at + kFinalChannel.size());
  return without_closing_markup(text_after_think(before_end_of_turn(response)));
}

size_t next_item_start(std::string_view text) {
  // A response checking itself ("Hmm, let me re-read the question.\n\nQuestion: ...", "Q: Is O2 really a noble
  // gas?") writes such lines too: words of doubt in the item's line or just before it keep it the response's.
  static constexpr std::array<std::string_view, 14> kSelfCheck = {
      "let me", "double-check", "double check", "re-read", "reread", "recheck", "verify", "check", "really", "again",
      "wait", "hmm", "is that right", "guess"};
  const auto doubts = [&](std::string_view s) {
    const std::string lower = ascii_lower_word(s);
    for (std::string_view w : kSelfCheck)
      if (lower.find(w) != std::string::npos) return true;
    return false;
  };
  bool text_before = false;
  for (size_t start = 0; start < text.size();) {
    size_t stop = text.find('\n', start);
    if (stop == std::string_view::npos) stop = text.size();
    size_t i = start;
    while (i < stop && (text[i] == '#' || text[i] == '*' || text[i] == ' ' || text[i] == '\t')) ++i;
    const std::string_view line = text.substr(i, stop - i);
    const auto numbered = [&](std::string_view word) {
      return line.starts_with(word) && line.size() > word.size() + 1 && line[word.size()] == ' ' &&
             line[word.size() + 1] >= '0' && line[word.size() + 1] <= '9';
    };
    const bool opens_item = line.starts_with("Question:") || line.starts_with("Q:") || line.starts_with("Problem:") ||
                            numbered("Question") || numbered("Problem");
    if (opens_item && text_before && !doubts(line) && !doubts(text.substr(start > 200 ? start - 200 : 0, std::min<size_t>(start, 200))))
      return start;
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) text_before = true;
    start = stop + 1;
  }
  return std::string_view::npos;
}

namespace {

// An explicit correction after the answer names the value meant instead: "\\boxed{5}. Oops, I meant 6.",
// "Answer: 5 (correction: 6)", "The answer is 5. Scratch that, 6." The last one in `text` that opens its
// sentence (or follows only an interjection: "Oops, I meant 6") and states nothing but the value ("I meant to
// say ...", "I meant 3 apples in step 2", "continuity correction: 0.48" are no corrections), with no number
// or math after it, and where its phrase starts.
std::optional<std::pair<std::string, size_t>> last_correction(std::string_view text) {
  const std::string lower = ascii_lower_word(text);
  static constexpr std::array<std::string_view, 9> kInterjections = {"oops", "sorry", "wait", "no", "whoops",
                                                                     "actually", "ah", "hmm", "err"};
  const auto opens_its_sentence = [&](size_t at) {
    size_t b = at;
    while (b > 0 && (text[b - 1] == ' ' || text[b - 1] == '*' || text[b - 1] == '\t')) --b;
    if (b == 0 || std::string_view(".!?\n(").find(text[b - 1]) != std::string_view::npos) return true;
    if (text[b - 1] != ',') return false;
    size_t w = b - 1;
    while (w > 0 && is_letter(text[w - 1])) --w;
    const std::string_view word = std::string_view(lower).substr(w, b - 1 - w);
    size_t before = w;
    while (before > 0 && (text[before - 1] == ' ' || text[before - 1] == '*')) --before;
    const bool word_opens = before == 0 || std::string_view(".!?\n(").find(text[before - 1]) != std::string_view::npos;
    return word_opens && std::find(kInterjections.begin(), kInterjections.end(), word) != kInterjections.end();
  };
  std::optional<std::pair<std::string, size_t>> last;
  for (std::string_view phrase : kCorrectionPhrases) {
    for (size_t at = lower.find(phrase); at != std::string::npos; at = lower.find(phrase, at + 1)) {
      if ((at > 0 && is_letter(lower[at - 1])) || (last && last->second > at) || !opens_its_sentence(at)) continue;
      size_t i = at + phrase.size();
      while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == ':' || text[i] == '*')) ++i;
      size_t e = i;
      while (e < text.size() && text[e] != '\n') ++e;
      std::string x = trim(text.substr(i, e - i));
      if (x.empty() || !(std::isdigit(static_cast<unsigned char>(x[0])) || x[0] == '$' || x[0] == '\\' || x[0] == '-'))
        continue;
      while (!x.empty() && (x.back() == '.' || x.back() == ')' || x.back() == '!' || x.back() == '*' || x.back() == ' '))
        x.pop_back();
      const std::optional<std::string> value = leading_answer(x);
      if (!value || trim(*value) != x) continue;  // the value and nothing else
      // Nothing computed after it: a later number or formula would be a statement of its own.
      const std::string_view after = text.substr(e);
      if (after.find_first_of("0123456789$\\") != std::string_view::npos) continue;
      last = {{*value, at}};
    }
  }
  return last;
}

}  // namespace

namespace {

// Where the last revision of `text` may begin ("I made an error", "Correction:", "I forgot", "Wait,", "Rechecking"),
// npos when there is none. A check after the answer says "Wait," as often as a revision does: revised_value reads
// a value only where the text says it corrects one.
size_t last_revision(std::string_view text) {
  static constexpr std::array<std::string_view, 15> kRevisions = {
      "i made an error", "i made a mistake", "made an error", "made a mistake", "correction", "oops",
      "on second thought", "i forgot", "let me redo", "that was wrong", "i miscalculated", "i miscounted",
      "wait,", "wait.", "rechecking"};
  const std::string lower = ascii_lower_word(text);
  size_t last = std::string_view::npos;
  for (std::string_view r : kRevisions)
    if (const size_t at = lower.rfind(r); at != std::string::npos && (at == 0 || !is_letter(lower[at - 1])))
      last = last == std::string_view::npos ? at : std::max(last, at);
  return last;
}

// What a revision states: its answer phrase, else a last sentence that says it corrects ("... so there are actually
// 7", "the correct count is 7", "it should be 7"); none when the revision is cut off.
std::optional<std::string> revised_value(std::string_view tail) {
  if (looks_cut_off(tail)) return std::nullopt;
  if (auto phrase = answer_phrase(tail)) return phrase;
  const std::string_view closing = last_sentence(tail);
  const std::string lower = ascii_lower_word(closing);
  for (std::string_view w : {"actually", "instead", "correct", "should be", "really"})
    if (lower.find(w) != std::string::npos) return stated_after_verb(closing);
  return std::nullopt;
}

// The value a computation closes with: "$115 + 256 = 371$" -> "371"; none unless its last side is an integer (not
// "$\\frac{5}{36} = 0.139$", a decimal restating a box).
std::optional<std::string> computed_value(std::string_view x) {
  std::string t = trim(x);
  std::erase(t, '$');
  const size_t eq = t.rfind('=');
  if (eq == std::string::npos) return std::nullopt;
  std::string rhs = trim(std::string_view(t).substr(eq + 1));
  while (!rhs.empty() && (rhs.back() == '.' || rhs.back() == '*')) rhs.pop_back();
  if (rhs.empty() || leading_number_length(rhs) != rhs.size() || rhs.find('.') != std::string::npos) return std::nullopt;
  return rhs;
}

// A closing sentence without its asides: parenthetical remarks outside math ("takes 204 minutes (3 hours 24
// minutes)") and a participle clause that only adds to the value ("204 minutes, including the 24 minutes ...",
// "eat 5/9 of it, leaving 4/9"), when what is left still holds a number or math.
std::string without_asides(std::string_view sentence) {
  // A prose aside: its brackets hold a word of three letters or more outside commands ("(3 hours 24 minutes)",
  // "(including the 3 shown)"); "(2, 3)", "(-\\infty, 2)", "(C)" are values.
  const auto prose = [](std::string_view inside) {
    for (size_t i = 0; i < inside.size();) {
      if (!is_letter(inside[i])) {
        ++i;
        continue;
      }
      size_t e = i;
      while (e < inside.size() && is_letter(inside[e])) ++e;
      if (e - i >= 3 && (i == 0 || inside[i - 1] != '\\')) return true;
      i = e;
    }
    return false;
  };
  std::string out;
  bool in_math = false;
  for (size_t i = 0; i < sentence.size(); ++i) {
    const char c = sentence[i];
    if (c == '$' && (i == 0 || sentence[i - 1] != '\\')) in_math = !in_math;
    if (c == '\\' && i + 1 < sentence.size() && (sentence[i + 1] == '(' || sentence[i + 1] == '[')) in_math = true;
    if (c == '\\' && i + 1 < sentence.size() && (sentence[i + 1] == ')' || sentence[i + 1] == ']')) in_math = false;
    if (!in_math && c == '(' && i > 0 && is_space(sentence[i - 1])) {
      const size_t close = sentence.find(')', i);
      if (close != std::string_view::npos && sentence.substr(i, close - i).find('(', 1) == std::string_view::npos &&
          sentence.substr(i, close - i).find('$') == std::string_view::npos && prose(sentence.substr(i + 1, close - i - 1))) {
        i = close;
        continue;
      }
    }
    out += c;
  }
  const std::string lower = ascii_lower_word(out);
  for (std::string_view clause : {", including", ", leaving", ", excluding", ", not counting", ", which includes"}) {
    const size_t at = lower.find(clause);
    if (at != std::string::npos && at > 0) {
      out.resize(at);
      break;
    }
  }
  const bool value = std::any_of(out.begin(), out.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '$'; });
  return value ? out : std::string(sentence);
}

// True when a closing sentence only checks what came before ("Indeed, ...", "As a sanity check, ...", "(Note:
// ...)"): the sentence before it states the answer.
bool checks_the_answer(std::string_view sentence) {
  std::string lower = ascii_lower_word(trim(sentence));
  while (!lower.empty() && (lower[0] == '(' || lower[0] == '*')) lower.erase(0, 1);
  for (std::string_view lead : {"as a check", "as a sanity check", "sanity check", "check:", "verification", "note:",
                                "to verify", "to check"})
    if (lower.starts_with(lead)) return true;
  // "Indeed, she walks for 3 hours and sits for 24 minutes.": a check of several numbers; "Indeed, there are 12
  // such numbers." restates the answer.
  if (lower.starts_with("indeed")) {
    int numbers = 0;
    for (size_t i = 0; i < lower.size(); ++i)
      if (std::isdigit(static_cast<unsigned char>(lower[i])) && (i == 0 || !std::isdigit(static_cast<unsigned char>(lower[i - 1])))) ++numbers;
    return numbers >= 2;
  }
  return false;
}

// True when a few-shot item holds the slot its answer goes in: a line opening with "Solution:", "My solution:",
// "Answer:", "A:" or "Final Answer:".
bool item_has_answer_slot(std::string_view item) {
  for (size_t line = 0; line < item.size();) {
    size_t stop = item.find('\n', line);
    if (stop == std::string_view::npos) stop = item.size();
    std::string_view row = item.substr(line, stop - line);
    while (!row.empty() && (row.front() == '*' || row.front() == '#' || row.front() == ' ')) row.remove_prefix(1);
    for (std::string_view slot : {"Solution:", "My solution:", "Answer:", "A:", "Final Answer:"})
      if (row.starts_with(slot)) return true;
    line = stop + 1;
  }
  return false;
}

ExtractedAnswer final_answer_of(std::string_view text) {
  bool unclosed = false;
  const std::vector<BoxSpan> boxes = find_boxes(text, &unclosed);
  if (unclosed) return {};
  // Thinking that never closed (cut by the length limit) states no answer but a box: its phrases and last
  // sentences are steps of the reasoning.
  const bool unfinished = thinking_unfinished(text);
  if (!boxes.empty()) {
    // "... \boxed{255} ... The final answer is $10,455$.": a final-answer sentence after the last box wins,
    // when what follows the phrase is an answer ("... the final answer is independent of $a$" is prose).
    if (unfinished) return boxed_answer(boxes, text);
    if (auto corrected = last_correction(text); corrected && corrected->second >= boxes.back().end)
      return {std::move(corrected->first), AnswerSource::kFinalAnswerPhrase};
    const std::string_view after = text.substr(boxes.back().end);
    if (auto later = answer_phrase(after, /*after_box=*/true)) return {std::move(later), AnswerSource::kFinalAnswerPhrase};
    // "\boxed{5}. Wait, I made an error ... so the answer is 6": an explicit revision after the last box states
    // the answer meant; "\boxed{\frac{115}{256}}, so the answer is $115 + 256 = 371$": so does a computation
    // the answer phrase closes with.
    if (const size_t rev = last_revision(after); rev != std::string_view::npos)
      if (auto revised = revised_value(after.substr(rev))) return {std::move(revised), AnswerSource::kFinalAnswerPhrase};
    if (auto phrase = answer_phrase(after))
      if (auto computed = computed_value(*phrase)) return {std::move(computed), AnswerSource::kFinalAnswerPhrase};
    return boxed_answer(boxes, text);
  }
  // Without a box, what a fallback finds is the answer, unless it is an empty box ("the answer is
  // $\boxed{}$."): that states none.
  const auto found = [](std::optional<std::string> a, AnswerSource source) -> ExtractedAnswer {
    if (a->find("\\boxed") != std::string::npos || a->find("\\fbox") != std::string::npos) return {};
    // "= 180 + 24 = 204" closing a computation: its value.
    if (a->starts_with("=")) {
      if (auto computed = computed_value(*a)) a = std::move(computed);
      else a = trim(std::string_view(*a).substr(1));
    }
    return {std::move(a), source};
  };
  if (unfinished) return {};
  // "**Answer:** 204 ... Hmm, wait. Rechecking ..., so the total is actually 216 minutes.": a revision after the
  // last answer phrase states the answer meant.
  if (const size_t last_answer = ascii_lower_word(text).rfind("answer"); last_answer != std::string::npos) {
    const std::string_view after = text.substr(last_answer);
    if (const size_t rev = last_revision(after); rev != std::string_view::npos)
      if (auto revised = revised_value(after.substr(rev))) return found(std::move(revised), AnswerSource::kFinalAnswerPhrase);
  }
  if (auto marked = hash_marked_answer(text)) return found(std::move(marked), AnswerSource::kFinalAnswerPhrase);
  // A correction after the last answer phrase ("Answer: 5\n\nOops, I meant 6.") names the answer meant.
  if (auto corrected = last_correction(text)) {
    const size_t last_answer_word = ascii_lower_word(text).rfind("answer");
    if (last_answer_word != std::string::npos && corrected->second > last_answer_word)
      return found(std::move(corrected->first), AnswerSource::kFinalAnswerPhrase);
  }
  size_t denied_at = std::string_view::npos;
  if (auto phrase = answer_phrase(text, false, &denied_at)) return found(std::move(phrase), AnswerSource::kFinalAnswerPhrase);
  // "The answer is not 5." closing the response states no answer; a sentence after it may.
  if (denied_at != std::string_view::npos) {
    const std::string_view closing = last_sentence(text);
    if (static_cast<size_t>(closing.data() - text.data()) <= denied_at) return {};
  }
  // A response cut off mid-sentence or under a heading (generation limit) is not graded by whatever math it
  // last wrote.
  if (ends_in_heading(text)) return {};
  if (!looks_cut_off(text)) {
    // The conclusion: what the last sentence states ("Therefore, there are 12 sequences.", "The minimum
    // value is 12 when x = 3."), else the last math written anywhere.
    std::string_view closing = last_sentence(text);
    // "... takes 204 minutes. Indeed, ...": a sentence that only checks the answer leaves it to the one before.
    if (checks_the_answer(closing) && closing.data() > text.data()) {
      const std::string_view before = last_sentence(text.substr(0, static_cast<size_t>(closing.data() - text.data())));
      if (!trim(before).empty()) closing = before;
    }
    const std::string without = without_asides(closing);
    const std::string_view sentence = without;
    // A verb stating a value comes first: "It is 12." has no long prose word but is a statement.
    if (auto a = stated_after_verb(sentence)) return found(std::move(a), AnswerSource::kLastMath);
    // "The answer cannot be 5.": a sentence that only denies a value states none.
    const std::string lower_sentence = ascii_lower_word(sentence);
    // Only a denial of the value the sentence closes with: "Since x is not zero, x = 5." states 5.
    for (std::string_view denial : {"cannot be ", "can't be ", "isn't ", "is not ", "is never ", "won't be ", "not equal to "}) {
      const size_t at = lower_sentence.find(denial);
      if (at == std::string::npos) continue;
      std::string rest = trim(std::string_view(sentence).substr(at + denial.size()));
      while (!rest.empty() && (rest.back() == '.' || rest.back() == '!')) rest.pop_back();
      if (rest.empty()) continue;
      const bool lone_value = leading_number_length(rest) == rest.size() ||
                              (rest.size() >= 2 && rest.front() == '$' && rest.back() == '$' && rest.find('$', 1) == rest.size() - 1);
      if (lone_value) return {};
    }
    if (has_prose_word(sentence)) {
      // "So $x = 145$ because $y = 35$.", "Thus $\\angle PQR = 145^\\circ$, since the other angle is $35^\\circ$.": the
      // value comes before the reason given for it.
      const std::string_view main = before_reason_clause(sentence);
      std::optional<std::string> a = has_prose_word(main) ? std::nullopt : last_math_answer(main);  // "So $x = 145$"
      if (!a) a = answer_in_prose(main);
      if (a) return found(std::move(a), AnswerSource::kLastMath);
    } else if (auto spans = last_math_answer(sentence)) {
      return found(std::move(spans), AnswerSource::kLastMath);  // "$x = 5$ or $x = -3$"
    } else if (auto bare = bare_statement(sentence)) {
      return found(std::move(bare), AnswerSource::kLastMath);  // "**Final Answer**\n\n42"
    }
    if (auto span = last_math_span(text)) return found(std::move(span), AnswerSource::kLastMath);
  }
  // A bare short answer ("-5", "7,425,000", "28 percent") is its own answer; not a short response cut off
  // after its first sentence ("$3 + 4 = 7$. Then we multiply by the").
  const std::string whole = trim(text);
  const bool cut_after_a_sentence =
      looks_cut_off(text) &&
      (whole.find(". ") != std::string::npos || whole.back() == ':' || ends_on_a_function_word(whole));
  if (!whole.empty() && whole.size() <= kShortResponseChars && whole.find('\n') == std::string::npos &&
      !cut_after_a_sentence) {
    if (auto a = answer_in_prose(whole)) return found(std::move(a), AnswerSource::kWholeResponse);
  }
  return {};
}

}  // namespace

ExtractedAnswer extract_final_answer(std::string_view response) {
  const std::string_view text = answer_part(response);
  // A base model that answered and went on to the next few-shot problem answered with what came before it,
  // when that states an answer firmly (a box or an answer phrase, not a fallback).
  if (const size_t next = next_item_start(text); next != std::string_view::npos && item_has_answer_slot(text.substr(next))) {
    ExtractedAnswer before = final_answer_of(text.substr(0, next));
    if (before.answer && (before.source == AnswerSource::kBox || before.source == AnswerSource::kBoxList ||
                          before.source == AnswerSource::kFinalAnswerPhrase))
      return before;
  }
  return final_answer_of(text);
}

std::optional<std::string> extract_boxed_answer(std::string_view response) {
  const std::string_view text = answer_part(response);
  bool unclosed = false;
  const std::vector<BoxSpan> boxes = find_boxes(text, &unclosed);
  if (unclosed) return std::nullopt;
  return boxed_answer(boxes, text).answer;
}

}  // namespace r1eval::graders
