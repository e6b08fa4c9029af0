#include "graders/extract.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "graders/math_grader.h"

namespace r1eval::graders {
namespace {

constexpr std::string_view kThinkEnd = "</think>";

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

// The position of the next box command at or after `from` (a "\boxed" or "\fbox" not followed by a letter).
size_t next_box_command(std::string_view s, size_t from, size_t* command_len) {
  while (from < s.size()) {
    const size_t b = s.find("\\boxed", from);
    const size_t f = s.find("\\fbox", from);
    const size_t at = std::min(b, f);
    if (at == std::string_view::npos) return at;
    const size_t len = at == b ? 6 : 5;
    if (at + len >= s.size() || !is_letter(s[at + len])) {
      *command_len = len;
      return at;
    }
    from = at + len;
  }
  return std::string_view::npos;
}

// True when the text between two boxes only joins them ("$ and $", ", ", " or ").
bool is_list_joiner(std::string_view gap) {
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

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

// "the final answer is X": the last such phrase, X up to the end of the line or a sentence end.
std::optional<std::string> answer_phrase(std::string_view text) {
  static constexpr std::array<std::string_view, 4> kPhrases = {"final answer is", "answer is:", "answer is",
                                                               "answer:"};
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  size_t best = std::string::npos, best_len = 0;
  for (std::string_view p : kPhrases) {
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
  return x;
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
  while ((pos = next_box_command(text, pos, &len)) != std::string_view::npos) {
    size_t i = pos + len;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i < text.size() && text[i] == '{') {
      const size_t close = match_brace(text, i);
      if (close == std::string_view::npos) {
        if (unclosed_last) *unclosed_last = true;
        break;
      }
      boxes.push_back({std::string(text.substr(i + 1, close - i - 2)), pos, close});
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

ExtractedAnswer extract_final_answer(std::string_view response) {
  const std::string_view text = text_after_think(response);
  bool unclosed = false;
  const std::vector<BoxSpan> boxes = find_boxes(text, &unclosed);
  if (unclosed) return {};
  if (!boxes.empty()) {
    size_t first = boxes.size() - 1;
    while (first > 0 && is_list_joiner(text.substr(boxes[first - 1].end, boxes[first].begin - boxes[first - 1].end)))
      --first;
    if (first == boxes.size() - 1) return {boxes.back().content, AnswerSource::kBox};
    std::string joined;
    for (size_t k = first; k < boxes.size(); ++k) {
      if (!joined.empty()) joined += ", ";
      joined += boxes[k].content;
    }
    return {joined, AnswerSource::kBoxList};
  }
  if (auto phrase = answer_phrase(text)) return {std::move(phrase), AnswerSource::kFinalAnswerPhrase};
  return {};
}

std::optional<std::string> extract_boxed_answer(std::string_view response) {
  ExtractedAnswer a = extract_final_answer(response);
  if (a.source != AnswerSource::kBox && a.source != AnswerSource::kBoxList) return std::nullopt;
  return std::move(a.answer);
}

}  // namespace r1eval::graders
