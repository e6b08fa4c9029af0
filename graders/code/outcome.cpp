#include "graders/code/outcome.h"

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace r1eval::graders::code {
namespace {
constexpr std::array<std::pair<Outcome, std::string_view>, 8> kNames{{
    {Outcome::AC, "AC"}, {Outcome::WA, "WA"}, {Outcome::TLE, "TLE"}, {Outcome::MLE, "MLE"},
    {Outcome::RE, "RE"}, {Outcome::CE, "CE"}, {Outcome::OLE, "OLE"}, {Outcome::SE, "SE"},
}};
}  // namespace

std::string_view outcome_name(Outcome outcome) {
  for (const auto& [value, name] : kNames) {
    if (value == outcome) return name;
  }
  return "SE";
}

Outcome parse_outcome(std::string_view name) {
  for (const auto& [value, known] : kNames) {
    if (known == name) return value;
  }
  throw std::invalid_argument("verdict: expected one of AC WA TLE MLE RE CE OLE SE, got '" +
                              std::string(name) + "'");
}

}  // namespace r1eval::graders::code
