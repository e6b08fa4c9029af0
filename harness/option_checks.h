// Checks of numeric command-line options. CLI11's own (PositiveNumber, NonNegativeNumber, Range) let nan
// and inf through, and describe their bound as a 300-digit number; these refuse anything but a finite
// number in range and say so in words: "--top-p: expected a number from 0 to 1, got 'nan'".
#pragma once
#include <CLI/CLI.hpp>

namespace r1eval::harness {

CLI::Validator positive_number();                          // > 0
CLI::Validator non_negative_number();                      // >= 0
CLI::Validator number_between(double lowest, double highest);  // lowest <= x <= highest
CLI::Validator nucleus_mass();                              // 0 < x <= 1 (top-p)
CLI::Validator seed_number();                              // an integer from 0 to 2^64 - 1, digits only

}  // namespace r1eval::harness
