#include "tasks/codeforces_statement.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace r1eval::tasks {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The rest of the last line that starts with `label` (after optional indentation), trimmed.
std::optional<std::string_view> last_labelled_line(std::string_view text, std::string_view label) {
  std::optional<std::string_view> found;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(start, end - start));
    if (line.substr(0, label.size()) == label) found = trim(line.substr(label.size()));
    start = end + 1;
  }
  return found;
}

// A non-negative decimal number ("2", "1.5") and what follows it, trimmed; nullopt when none.
std::optional<std::pair<double, std::string_view>> leading_number(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.')) ++n;
  if (n == 0) return std::nullopt;
  double value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + n, value);
  if (ec != std::errc() || ptr != s.data() + n) return std::nullopt;
  return std::make_pair(value, trim(s.substr(n)));
}

// The integer after "'<key>':" in a Python dict literal such as "{'seconds': 2, 'nanos': 0}".
std::optional<long long> dict_integer(std::string_view dict, std::string_view key) {
  std::string quoted = "'";  // built by appends: GCC 12 warns falsely (-Wrestrict) on a "'" + string chain
  quoted += key;
  quoted += "':";
  const std::size_t at = dict.find(quoted);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string_view rest = trim(dict.substr(at + quoted.size()));
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || ptr == rest.data()) return std::nullopt;
  return value;
}

[[noreturn]] void bad_line(std::string_view label, std::string_view value, std::string_view expected) {
  throw StatementError("line '" + std::string(label) + " " + std::string(value) + "': expected " + std::string(expected));
}

int positive_int(double value, std::string_view label, std::string_view raw, std::string_view expected) {
  const double rounded = std::round(value);
  if (!(rounded >= 1) || rounded > 1e9) bad_line(label, raw, expected);
  return static_cast<int>(rounded);
}

}  // namespace

std::optional<int> statement_time_limit_ms(std::string_view statement) {
  constexpr std::string_view label = "Time Limit:";
  constexpr std::string_view expected = "a positive time such as '2000 ms', '2 seconds' or \"{'seconds': 2, 'nanos': 0}\"";
  const auto raw = last_labelled_line(statement, label);
  if (!raw) return std::nullopt;
  if (!raw->empty() && raw->front() == '{') {
    const auto seconds = dict_integer(*raw, "seconds");
    const auto nanos = dict_integer(*raw, "nanos");
    if (!seconds || *seconds < 0 || (nanos && *nanos < 0)) bad_line(label, *raw, expected);
    return positive_int(static_cast<double>(*seconds) * 1000.0 + static_cast<double>(nanos.value_or(0)) / 1e6, label, *raw,
                        expected);
  }
  const auto number = leading_number(*raw);
  if (!number) bad_line(label, *raw, expected);
  const std::string unit = lower(number->second);
  if (unit == "ms" || unit == "milliseconds") return positive_int(number->first, label, *raw, expected);
  if (unit == "s" || unit == "sec" || unit == "second" || unit == "seconds") {
    return positive_int(number->first * 1000.0, label, *raw, expected);
  }
  bad_line(label, *raw, expected);
}

std::optional<int> statement_memory_limit_mb(std::string_view statement) {
  constexpr std::string_view label = "Memory Limit:";
  constexpr std::string_view expected = "a positive size such as '256 MB', '256 megabytes' or '256000000 Bytes'";
  const auto raw = last_labelled_line(statement, label);
  if (!raw) return std::nullopt;
  const auto number = leading_number(*raw);
  if (!number) bad_line(label, *raw, expected);
  const std::string unit = lower(number->second);
  if (unit == "mb" || unit == "megabytes" || unit == "mib") return positive_int(number->first, label, *raw, expected);
  if (unit == "bytes" || unit == "b") return positive_int(number->first / 1e6, label, *raw, expected);
  bad_line(label, *raw, expected);
}

std::optional<std::vector<std::string>> statement_tags(std::string_view statement) {
  // The list sits on the line after a line that is exactly "Tags:".
  std::size_t start = 0;
  std::optional<std::string_view> list;
  bool next_is_list = false;
  while (start <= statement.size()) {
    std::size_t end = statement.find('\n', start);
    if (end == std::string_view::npos) end = statement.size();
    const std::string_view line = trim(statement.substr(start, end - start));
    if (next_is_list) {
      list = line;
      next_is_list = false;
    } else if (line == "Tags:") {
      next_is_list = true;
      list = std::string_view{};
    }
    start = end + 1;
  }
  if (!list) return std::nullopt;
  const std::string expected = "line after 'Tags:': expected a list of quoted strings such as ['math', 'greedy'], found '" +
                               std::string(*list) + "'";
  std::string_view s = *list;
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') throw StatementError(expected);
  s = trim(s.substr(1, s.size() - 2));
  std::vector<std::string> tags;
  while (!s.empty()) {
    const char quote = s.front();
    if (quote != '\'' && quote != '"') throw StatementError(expected);
    std::string tag;
    std::size_t i = 1;
    for (; i < s.size() && s[i] != quote; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      tag += s[i];
    }
    if (i >= s.size()) throw StatementError(expected);
    tags.push_back(std::move(tag));
    s = trim(s.substr(i + 1));
    if (s.empty()) break;
    if (s.front() != ',') throw StatementError(expected);
    s = trim(s.substr(1));
  }
  return tags;
}

bool statement_is_interactive(std::string_view statement, const std::vector<std::string>& tags) {
  if (std::find(tags.begin(), tags.end(), "interactive") != tags.end()) return true;
  return lower(statement).find("this is an interactive problem") != std::string::npos;
}

}  // namespace r1eval::tasks
