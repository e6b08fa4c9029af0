// Facts embedded in the text of a Codeforces statement as the DeepCoder and CodeContests exports
// store it: the time and memory limits, the tag list and whether the problem is interactive.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace r1eval::tasks {

// Thrown by the parsers below when a line is present but not in a known form; the loaders add the
// file and problem index. The message names the line and what was expected.
class StatementError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The last "Time Limit: ..." line, in milliseconds: "2000 ms", "1.5 seconds", "2 s" or the
// CodeContests form "{'seconds': 2, 'nanos': 500000000}". nullopt when no such line exists;
// StatementError when one exists but is none of these forms or is not positive.
std::optional<int> statement_time_limit_ms(std::string_view statement);

// The last "Memory Limit: ..." line, in megabytes: "256 MB", "256 megabytes" or the CodeContests
// form "256000000 Bytes" (10^6 bytes per MB, as CodeContests counts). nullopt / StatementError as above.
std::optional<int> statement_memory_limit_mb(std::string_view statement);

// The list on the line after "Tags:" (a Python list literal of quoted strings, e.g.
// "['math', 'greedy']"). nullopt when there is no "Tags:" line; StatementError when the list is malformed.
std::optional<std::vector<std::string>> statement_tags(std::string_view statement);

// True when the statement announces an interactive problem ("This is an interactive problem",
// case-insensitive) or `tags` holds "interactive".
bool statement_is_interactive(std::string_view statement, const std::vector<std::string>& tags);

}  // namespace r1eval::tasks
