// The result of grading one response against one reference. Graders are pure functions
// (response, reference) -> Verdict and depend on no other module.
#pragma once
#include <optional>
#include <string>

namespace r1eval::graders {

struct Verdict {
  bool correct = false;
  std::optional<std::string> extracted;  // the answer found in the response, as written; nullopt = none found
  std::string reason;                    // short, e.g. "numeric equal", "no boxed answer"
};

}  // namespace r1eval::graders
