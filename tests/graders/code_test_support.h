// Shared pieces of the code-judge tests: one judge for the process, programs as responses.
#pragma once
#include <string>

#include "graders/code/judge.h"

namespace r1eval::graders::code::testing {

// A judge writing under the build's test folder, compile limit 10 s, built once per test process.
const Judge& shared_judge();

// A problem with one test per (input, output) pair.
ProblemSpec problem(std::vector<TestCase> tests, int time_limit_ms = 1000, int memory_limit_mb = 256);

// A model-style response whose final block holds `source` tagged `tag`.
std::string response_with(const std::string& tag, const std::string& source);

}  // namespace r1eval::graders::code::testing
