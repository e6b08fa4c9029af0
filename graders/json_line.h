// Parsing one JSON line of untrusted input (judge requests, generations): nesting is bounded, because a value
// nested 100,000 deep parses but overflows the stack when it is written back out (echoed fields).
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace r1eval::graders {

constexpr int kMaxJsonDepth = 256;

// Thrown by parse_json_line for a value nested deeper than kMaxJsonDepth.
class JsonTooDeep : public std::invalid_argument {
 public:
  JsonTooDeep() : std::invalid_argument("nested deeper than " + std::to_string(kMaxJsonDepth) + " levels") {}
};

// nlohmann::json::parse(text), except that nesting past kMaxJsonDepth throws JsonTooDeep. Malformed text
// throws nlohmann's exceptions as parse() does.
nlohmann::json parse_json_line(std::string_view text);

}  // namespace r1eval::graders
