#include "graders/code/extract_code.h"

#include <vector>

#include "graders/extract.h"

namespace r1eval::graders::code {
namespace {

struct Line {
  std::string_view text;
  std::size_t begin;  // offset of the line in the scanned text
  std::size_t end;    // offset just past its newline (or the text end)
};

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::size_t stop = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, stop - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, pos, nl == std::string_view::npos ? text.size() : nl + 1});
    pos = stop + 1;
  }
  return lines;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Fence {
  char mark;
  std::size_t length;
  std::string_view info;
  std::size_t indent;  // spaces before the fence
};

// Spaces a fence may be indented by: CommonMark's three, plus the content offset of list items nested a
// few deep ("1. Code:\n   ```python"), where models often put the solution.
constexpr std::size_t kMaxFenceIndent = 12;

// A fence line: up to kMaxFenceIndent spaces, then three or more ` or ~, then an optional info string.
std::optional<Fence> parse_fence(std::string_view line) {
  std::size_t indent = 0;
  while (indent < line.size() && line[indent] == ' ') ++indent;
  if (indent > kMaxFenceIndent || indent >= line.size()) return std::nullopt;
  char mark = line[indent];
  if (mark != '`' && mark != '~') return std::nullopt;
  std::size_t run = indent;
  while (run < line.size() && line[run] == mark) ++run;
  if (run - indent < 3) return std::nullopt;
  std::string_view info = trim(line.substr(run));
  if (mark == '`' && info.find('`') != std::string_view::npos) return std::nullopt;
  return Fence{mark, run - indent, info, indent};
}

// A fenced block's body without the fence's own indentation, as Markdown renders a block inside a list
// item (Python's indentation must start at column 0), when every non-blank line carries it; else as is.
std::string dedent(std::string_view body, std::size_t indent) {
  if (indent == 0) return std::string(body);
  for (const Line& line : split_lines(body)) {
    if (trim(line.text).empty()) continue;
    if (line.text.size() < indent || line.text.substr(0, indent).find_first_not_of(' ') != std::string_view::npos)
      return std::string(body);
  }
  std::string out;
  out.reserve(body.size());
  for (const Line& line : split_lines(body)) {
    std::string_view full = body.substr(line.begin, line.end - line.begin);
    std::size_t strip = 0;
    while (strip < indent && strip < full.size() && full[strip] == ' ') ++strip;
    out.append(full.substr(strip));
  }
  return out;
}

// A closing fence: the opening one's mark, at least as long, no info string, and indented at most three
// spaces more than it (an indented ``` inside the code does not close the block).
bool closes(const Fence& open, std::string_view line) {
  auto fence = parse_fence(line);
  return fence && fence->mark == open.mark && fence->length >= open.length && fence->info.empty() &&
         fence->indent <= open.indent + 3;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// The part of the response that holds the final answer.
std::optional<std::string_view> answer_region(std::string_view response) {
  const std::string_view after = text_after_think(response);
  if (thinking_unfinished(after)) return std::nullopt;  // still thinking when it stopped
  return after;
}

// Source that only C++ compiles: its headers, namespaces, streams, templates or classes.
bool looks_like_cpp_only(std::string_view source) {
  for (std::string_view mark : {"std::", "using namespace", "<iostream>", "<bits/stdc++.h>", "<vector>", "<string>",
                                "<algorithm>", "template <", "template<", "cout", "cin >>", "class ", "nullptr"})
    if (contains(source, mark)) return true;
  return false;
}

}  // namespace

std::optional<Language> guess_language(std::string_view source) {
  if (contains(source, "#include") || contains(source, "int main") ||
      contains(source, "std::") || contains(source, "using namespace")) {
    return Language::Cpp;
  }
  for (const Line& line : split_lines(source)) {
    std::string_view t = trim(line.text);
    if (t.starts_with("def ") || t.starts_with("import ") ||
        (t.starts_with("from ") && contains(t, " import ")) || t.starts_with("print(") ||
        contains(t, "input()") || contains(t, "sys.stdin") || (t.starts_with("for ") && t.ends_with(":"))) {
      return Language::Python;
    }
  }
  return std::nullopt;
}

std::optional<ExtractedCode> extract_code(std::string_view response, std::vector<std::string>* skipped_tags) {
  auto region = answer_region(response);
  if (!region) return std::nullopt;
  std::vector<Line> lines = split_lines(*region);
  std::optional<ExtractedCode> last, last_guessed;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto open = parse_fence(lines[i].text);
    if (!open) continue;
    std::size_t j = i + 1;
    while (j < lines.size() && !closes(*open, lines[j].text)) ++j;
    if (j == lines.size()) break;  // unclosed: the response was cut off inside this block
    std::size_t body_begin = lines[i].end;
    std::size_t body_end = lines[j].begin;
    const std::string body = dedent(region->substr(body_begin, body_end - body_begin), open->indent);
    std::string_view tag = open->info.substr(0, open->info.find_first_of(" \t{"));
    if (tag.empty()) {
      if (auto language = guess_language(body)) last_guessed = ExtractedCode{*language, body};
    } else if (auto language = language_from_tag(tag)) {
      // A ```c block that is C++ (iostream, std::, templates) is judged as the C++ it is.
      if (*language == Language::C && looks_like_cpp_only(body)) language = Language::Cpp;
      last = ExtractedCode{*language, body};
    } else if (skipped_tags) {
      skipped_tags->emplace_back(tag);
    }
    i = j;
  }
  // A block the response tagged as a program wins over one whose language was only guessed (a usage
  // line "print(solve(1, 2))" after the solution).
  return last ? last : last_guessed;
}

}  // namespace r1eval::graders::code
