#include "graders/normalize.h"

#include <array>
#include <cctype>

namespace r1eval::graders {
namespace {

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }

bool starts_with_at(std::string_view s, size_t i, std::string_view p) { return s.substr(i, p.size()) == p; }

// Index one past the '}' closing the '{' at `open` (npos when unbalanced).
size_t closing_brace(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '{') ++depth;
    if (s[i] == '}' && --depth == 0) return i + 1;
  }
  return std::string_view::npos;
}

// Commands dropped together with nothing else: they only change spacing or size.
constexpr std::array<std::string_view, 14> kDropped = {
    "\\displaystyle", "\\textstyle", "\\scriptstyle", "\\left", "\\right", "\\bigl", "\\bigr", "\\Bigl", "\\Bigr",
    "\\big", "\\Big", "\\limits", "\\nolimits", "\\middle"};
// Wrappers whose braces are dropped but whose content is kept.
constexpr std::array<std::string_view, 12> kWrappers = {"\\text", "\\textbf", "\\textit", "\\textrm", "\\mathrm",
                                                        "\\mathbf", "\\mbox", "\\mathit", "\\operatorname",
                                                        "\\textnormal", "\\boldsymbol", "\\mathsf"};

// One pass of command-level rewriting; whitespace is removed outside \text wrappers' words only at the end.
std::string rewrite_commands(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '$') {
      ++i;
      continue;
    }
    if (c != '\\') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 < s.size() && !is_letter(s[i + 1])) {
      const char n = s[i + 1];
      // Spacing (\, \; \: \! "\ ") and display-math delimiters vanish.
      if (n == ',' || n == ';' || n == ':' || n == '!' || n == ' ' || n == '(' || n == ')' || n == '[' ||
          n == ']') {
        i += 2;
        continue;
      }
      out += c;
      out += n;
      i += 2;
      continue;
    }
    size_t e = i + 1;
    while (e < s.size() && is_letter(s[e])) ++e;
    const std::string_view cmd = s.substr(i, e - i);
    bool dropped = false;
    for (std::string_view d : kDropped)
      if (cmd == d) dropped = true;
    if (dropped) {
      // \left. and \right. are invisible delimiters.
      if ((cmd == "\\left" || cmd == "\\right") && e < s.size() && s[e] == '.') ++e;
      i = e;
      continue;
    }
    if (cmd == "\\dfrac" || cmd == "\\tfrac") {
      out += "\\frac";
      i = e;
      continue;
    }
    if (cmd == "\\quad" || cmd == "\\qquad") {
      out += ' ';
      i = e;
      continue;
    }
    bool wrapper = false;
    for (std::string_view w : kWrappers)
      if (cmd == w) wrapper = true;
    size_t b = e;
    while (b < s.size() && s[b] == ' ') ++b;
    if (wrapper && b < s.size() && s[b] == '{') {
      const size_t close = closing_brace(s, b);
      if (close != std::string_view::npos) {
        out += rewrite_commands(s.substr(b + 1, close - b - 2));
        i = close;
        continue;
      }
    }
    out += cmd;
    i = e;
  }
  return out;
}

std::string strip_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '~') {
      // A space that ends a command name ("\pi r") must keep the two tokens apart.
      if (!out.empty() && is_letter(out.back()) && i + 1 < s.size() && is_letter(s[i + 1])) {
        size_t k = out.size();
        while (k > 0 && is_letter(out[k - 1])) --k;
        if (k > 0 && out[k - 1] == '\\') out += ' ';
      }
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

bool ends_with_cut_decimal(std::string_view s) {
  if (!s.ends_with("...")) return false;
  size_t i = s.size() - 3;
  const size_t digits_end = i;
  while (i > 0 && std::isdigit(static_cast<unsigned char>(s[i - 1]))) --i;
  return i < digits_end && i >= 2 && s[i - 1] == '.' && std::isdigit(static_cast<unsigned char>(s[i - 2]));
}

namespace {

void strip_trailing_punctuation(std::string& s) {
  while (!s.empty()) {
    // "0.333...": the ellipsis of a repeating or cut-off decimal is part of it.
    if (ends_with_cut_decimal(s)) break;
    const char c = s.back();
    if (c == '.' || c == ',' || c == ';' || c == ':') {  // not '!': "5!" is a factorial
      s.pop_back();
      continue;
    }
    if (s.size() >= 2 && (starts_with_at(s, s.size() - 2, "\\.") || starts_with_at(s, s.size() - 2, "\\,"))) {
      s.resize(s.size() - 2);
      continue;
    }
    break;
  }
}

// "x=5" -> "5" when the left side is one variable name (a letter, maybe with a subscript or a Greek
// command) and there is no other '=' or inequality.
// Drops a leading "x=" and returns the name it dropped ("x", "a_1", "\theta"), or "" when there was none.
std::string drop_variable_prefix(std::string& s) {
  const size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || s.find('=', eq + 1) != std::string::npos) return "";
  if (s.find('<') != std::string::npos || s.find('>') != std::string::npos) return "";
  const std::string_view lhs = std::string_view(s).substr(0, eq);
  size_t i = 0;
  if (lhs[0] == '\\') {
    ++i;
    while (i < lhs.size() && is_letter(lhs[i])) ++i;
    if (i == 1) return "";
  } else if (is_letter(lhs[0])) {
    i = 1;
  } else {
    return "";
  }
  if (i < lhs.size() && lhs[i] == '_') {
    ++i;
    if (i < lhs.size() && lhs[i] == '{') {
      const size_t close = closing_brace(lhs, i);
      if (close == std::string_view::npos) return "";
      i = close;
    } else if (i < lhs.size()) {
      ++i;
    }
  }
  if (i != lhs.size()) return "";
  std::string name(lhs);
  s.erase(0, eq + 1);
  return name;
}

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string normalize_answer(std::string_view answer, std::string* variable) {
  std::string s = strip_spaces(rewrite_commands(answer));
  strip_trailing_punctuation(s);
  std::string dropped = drop_variable_prefix(s);
  if (variable) *variable = std::move(dropped);
  strip_trailing_punctuation(s);
  return s;
}

}  // namespace r1eval::graders
