// Verdicts of the code judge. SE is the judge's own failure (sandbox or toolchain broken) and must be
// reported apart from the model's failures; every other outcome is the program's.
#pragma once
#include <string_view>

namespace r1eval::graders::code {

enum class Outcome { AC, WA, TLE, MLE, RE, CE, OLE, SE };

// The short upper-case name ("AC", "WA", ...).
std::string_view outcome_name(Outcome outcome);

// Parses a short name; throws std::invalid_argument naming the text when it is not one.
Outcome parse_outcome(std::string_view name);

}  // namespace r1eval::graders::code
