// Parsing JSON text that a person made: a key given twice in one object is an error (nlohmann keeps the
// last silently, so {"answer": "1", "answer": "2"} would grade against "2" without a word), and so is
// nesting deeper than any real record.
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace r1eval::tasks {

// Thrown by parse_strict_json for text that parses but is refused; what() says why.
class StrictJsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A repeated key; what() is "key '<key>' appears twice in one object".
class DuplicateKeyError : public StrictJsonError {
 public:
  using StrictJsonError::StrictJsonError;
};

// Thrown by parse_strict_json for a value nested deeper than kMaxDepth levels.
class TooDeepError : public StrictJsonError {
 public:
  using StrictJsonError::StrictJsonError;
};
constexpr int kMaxDepth = 256;

// nlohmann::json::parse(text), except that a repeated key throws DuplicateKeyError and nesting past kMaxDepth
// TooDeepError. Malformed text throws nlohmann's parse_error as parse() does.
nlohmann::json parse_strict_json(std::string_view text);

}  // namespace r1eval::tasks
