// Parsing JSON text that a person made: a key given twice in one object is an error (nlohmann keeps the
// last silently, so {"answer": "1", "answer": "2"} would grade against "2" without a word).
#pragma once
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace r1eval::tasks {

// Thrown by parse_strict_json for a repeated key; what() is "key '<key>' appears twice in one object".
class DuplicateKeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// nlohmann::json::parse(text), except that a repeated key throws DuplicateKeyError. Malformed text throws
// nlohmann's parse_error as parse() does.
nlohmann::json parse_strict_json(std::string_view text);

}  // namespace r1eval::tasks
