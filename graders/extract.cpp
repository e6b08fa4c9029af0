#include "graders/extract.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "graders/math_grader.h"

namespace r1eval::graders {
namespace {

constexpr std::string_view kThinkEnd = "</think>";
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

// True when the text between two boxes only joins them: separators and spacing only ("$ and $", ", ",
// " or "), or a short clause without a sentence end that contains "and" / "or" / a comma
// ("} papers and \\boxed{", "} \\text{ for part (a) and } \\boxed{"), unless it revises ("not", "but").
bool is_list_joiner(std::string_view gap) {
  static constexpr std::array<std::string_view, 10> kJoiners = {
      "\\text{ and }", "\\text{and}", "\\quad", "\\,", "\\(", "\\)", "and", "or", "\\;", "\\text{ or }"};
  size_t i = 0;
  bool only_separators = true;
  while (i < gap.size() && only_separators) {
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
    if (!matched) only_separators = false;
  }
  if (only_separators) return true;
  if (gap.size() > 40 || gap.find('\n') != std::string_view::npos) return false;
  for (size_t k = 0; k + 1 < gap.size(); ++k)
    if ((gap[k] == '.' || gap[k] == '!' || gap[k] == '?' || gap[k] == ':') && is_space(gap[k + 1])) return false;
  std::string words;
  for (char c : gap) words += is_letter(c) ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : ' ';
  words = " " + words + " ";
  for (std::string_view veto : {" not ", " but ", " wrong ", " instead ", " incorrect ", " correct ", " is "})
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

std::optional<std::string> answer_in_prose(std::string_view x);

// "the final answer is X": the last such phrase, X up to the end of the line or a sentence end. `after_box`
// (the text after a response's last box): only "final answer is", and only when X starts with its answer
// rather than a word ("is $12$", "is 12", "is x = 3"; not "is independent of $a$", "is obtained by adding").
std::optional<std::string> answer_phrase(std::string_view text, bool after_box = false) {
  static constexpr std::array<std::string_view, 4> kPhrases = {"final answer is", "answer is:", "answer is",
                                                               "answer:"};
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  size_t best = std::string::npos, best_len = 0;
  for (std::string_view p : kPhrases) {
    if (after_box && p != kPhrases[0]) continue;
    const size_t at = lower.rfind(p);
    if (at != std::string::npos && (best == std::string::npos || at > best)) {
      best = at;
      best_len = p.size();
    }
  }
  if (best == std::string::npos) return std::nullopt;
  size_t i = best + best_len;
  while (i < text.size() && (text[i] == ' ' || text[i] == ':' || text[i] == '*' || text[i] == '\t')) ++i;
  size_t e = i;
  bool in_math = false;
  while (e < text.size() && text[e] != '\n') {
    if (text[e] == '$') in_math = !in_math;
    // A period followed by a space or the end ends the sentence, unless it sits inside math or a number.
    if (!in_math && text[e] == '.' && (e + 1 == text.size() || is_space(text[e + 1]))) break;
    ++e;
  }
  std::string x = trim(text.substr(i, e - i));
  while (!x.empty() && (x.back() == '*')) x.pop_back();
  if (x.empty()) return std::nullopt;
  if (after_box) {
    size_t word = 0;
    while (word < x.size() && is_letter(x[word])) ++word;
    if (word >= 2) return std::nullopt;
  }
  return answer_in_prose(x);
}

std::string ascii_lower_word(std::string_view w) {
  std::string out(w);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// True when `s` holds a word of three or more letters outside math ($..$) and outside \commands.
bool has_prose_word(std::string_view s) {
  bool in_math = false;
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '$') in_math = !in_math;
    if (c == '\\') {  // skip the command name
      ++i;
      while (i + 1 < s.size() && is_letter(s[i + 1])) ++i;
      run = 0;
      continue;
    }
    if (!in_math && is_letter(c)) {
      ++run;
      continue;
    }
    // "and" / "or" join answers ("$12$ and $13$"); any other word of 3+ letters is prose.
    if (run >= 3 && !(run == 3 && ascii_lower_word(s.substr(i - 3, 3)) == "and")) return true;
    run = 0;
  }
  return run >= 3 && !(run == 3 && ascii_lower_word(s.substr(s.size() - 3)) == "and");
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
    if (b > 0 && s[b - 1] == '-') --b;
    size_t e = i;
    while (e < s.size()) {
      if (std::isdigit(static_cast<unsigned char>(s[e]))) ++e;
      else if ((s[e] == ',' || s[e] == '.' || s[e] == '/') && e + 1 < s.size() &&
               std::isdigit(static_cast<unsigned char>(s[e + 1])))
        ++e;  // "1,000.99", "2/3"
      else break;
    }
    last = std::make_pair(std::string(s.substr(b, e - b)), b);
    i = e;
  }
  return last;
}

// The content of the last complete math span ($$..$$, \[..\], \(..\), $..$) of `text`; inline spans
// ($..$, \(..\)) do not cross a line break. Escaped dollars (\$) are not delimiters.
std::optional<std::string> last_math_span(std::string_view text) {
  std::optional<std::string> last;
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
    if (!inner.empty()) last = std::move(inner);
    i = end + close.size();
  }
  return last;
}

// The answer inside a phrase's remainder: itself when it is plain math; when it is prose ("The largest $n$
// is 34"), whichever comes last of its last math span and its last standalone number.
std::optional<std::string> answer_in_prose(std::string_view x) {
  // Quotes around the answer ("\"$12$ and $13$\"") are not part of it.
  std::string unquoted = trim(x);
  for (std::string_view q : {std::string_view("\\\""), std::string_view("\""), std::string_view("'")}) {
    if (unquoted.size() >= 2 * q.size() && unquoted.compare(0, q.size(), q) == 0 &&
        unquoted.compare(unquoted.size() - q.size(), q.size(), q) == 0)
      unquoted = trim(std::string_view(unquoted).substr(q.size(), unquoted.size() - 2 * q.size()));
  }
  x = unquoted;
  if (!has_prose_word(x)) return std::string(x);
  std::optional<std::string> span = last_math_span(x);
  const size_t span_end = span ? x.rfind('$') : 0;
  auto number = last_standalone_number(x);
  if (number && (!span || number->second > span_end)) return number->first;
  return span;
}

// The text before the first end-of-turn marker: generation that ran past the end of its turn is not part
// of the response ("... is 2/3. <|im_start|>user ...").
std::string_view before_end_of_turn(std::string_view text) {
  size_t cut = text.size();
  for (std::string_view marker : {std::string_view("<|im_start|>"), std::string_view("<|im_end|>"),
                                  std::string_view("<|endoftext|>"), std::string_view("<|eot_id|>"),
                                  std::string_view("<|eom_id|>"), std::string_view("<|start_header_id|>"), std::string_view("<\xef\xbd\x9c" "end\xe2\x96\x81" "of\xe2\x96\x81" "sentence\xef\xbd\x9c>")})
    cut = std::min(cut, text.find(marker));
  return text.substr(0, cut);
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

// True when the text stops without closing its last sentence or formula ("... However, in Step ").
bool looks_cut_off(std::string_view text) {
  size_t e = text.size();
  while (e > 0 && is_space(text[e - 1])) --e;
  if (e == 0) return false;
  const char last = text[e - 1];
  return is_letter(last) || last == ',' || last == '=' || last == '+' || last == '-' || last == '\\';
}

}  // namespace

std::string_view text_after_think(std::string_view response) {
  const size_t at = response.rfind(kThinkEnd);
  return at == std::string_view::npos ? response : response.substr(at + kThinkEnd.size());
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

// The answer held by the boxes of `text`: the last box, or the list its closing sentence's boxes form.
ExtractedAnswer boxed_answer(const std::vector<BoxSpan>& boxes, std::string_view text) {
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

std::string_view answer_part(std::string_view response) { return text_after_think(before_end_of_turn(response)); }

ExtractedAnswer extract_final_answer(std::string_view response) {
  const std::string_view text = answer_part(response);
  bool unclosed = false;
  const std::vector<BoxSpan> boxes = find_boxes(text, &unclosed);
  if (unclosed) return {};
  if (!boxes.empty()) {
    // "... \boxed{255} ... The final answer is $10,455$.": a final-answer sentence after the last box wins,
    // when what follows the phrase is an answer ("... the final answer is independent of $a$" is prose).
    if (auto later = answer_phrase(text.substr(boxes.back().end), /*after_box=*/true))
      return {std::move(later), AnswerSource::kFinalAnswerPhrase};
    return boxed_answer(boxes, text);
  }
  // Without a box, what a fallback finds is the answer, unless it is an empty box ("the answer is
  // $\boxed{}$."): that states none.
  const auto found = [](std::optional<std::string> a, AnswerSource source) -> ExtractedAnswer {
    if (a->find("\\boxed") != std::string::npos || a->find("\\fbox") != std::string::npos) return {};
    return {std::move(a), source};
  };
  if (auto phrase = answer_phrase(text)) return found(std::move(phrase), AnswerSource::kFinalAnswerPhrase);
  // A response cut off mid-sentence (generation limit) is not graded by whatever math it last wrote.
  if (!looks_cut_off(text)) {
    // The conclusion: what the last sentence states ("Therefore, there are 12 sequences."), else the last
    // math written anywhere.
    const std::string_view sentence = last_sentence(text);
    if (has_prose_word(sentence))
      if (auto a = answer_in_prose(sentence)) return found(std::move(a), AnswerSource::kLastMath);
    if (auto span = last_math_span(text)) return found(std::move(span), AnswerSource::kLastMath);
  }
  // A bare short answer ("-5", "7,425,000", "28 percent") is its own answer.
  const std::string whole = trim(text);
  if (!whole.empty() && whole.size() <= kShortResponseChars && whole.find('\n') == std::string::npos) {
    if (auto a = answer_in_prose(whole)) return found(std::move(a), AnswerSource::kWholeResponse);
  }
  return {};
}

std::optional<std::string> extract_boxed_answer(std::string_view response) {
  const std::string_view text = answer_part(response);
  bool unclosed = false;
  const std::vector<BoxSpan> boxes = find_boxes(text, &unclosed);
  if (unclosed) return std::nullopt;
  return boxed_answer(boxes, text).answer;
}

}  // namespace r1eval::graders
