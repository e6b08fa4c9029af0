// The JSONL judge protocol behind `r1eval judge math|choice`: lets anyone grade the same pairs with r1eval
// and with another grader.
#pragma once
#include <iosfwd>
#include <string_view>

namespace r1eval::graders {

enum class JudgeKind { kMath, kChoice };

// Reads one JSON object per line from `in` (blank lines skipped), each with string fields "gold" and
// "response" (and optionally "prompt": a prompt ending by opening "<think>" makes the response its continuation,
// response_as_written), and writes to `out`, one line each, the same object plus "correct" (bool), "extracted"
// (string or null), "reason" (string) and "micros" (grading time, integer microseconds). Invalid UTF-8 and
// escaped lone surrogates in a line (model output) are read as U+FFFD. Throws
// std::runtime_error with a one-line message "<source>:<line>: ..." on malformed input; lines before it
// have been written whole.
void judge_jsonl(std::istream& in, std::ostream& out, JudgeKind kind, std::string_view source = "stdin");

}  // namespace r1eval::graders
