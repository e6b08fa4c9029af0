#include <cstddef>
#include <string_view>
#include <unordered_map>

#include "results/metrics.h"

namespace r1eval::results {

std::vector<int> assign_answer_classes(const std::vector<std::optional<std::string>>& answers,
                                       const std::function<bool(const std::string&, const std::string&)>& equal) {
  std::vector<int> classes(answers.size(), -1);
  std::vector<const std::string*> first_members;  // index = class id
  std::unordered_map<std::string_view, int> class_of_text;  // the same text again needs no comparison
  for (std::size_t i = 0; i < answers.size(); ++i) {
    if (!answers[i]) continue;
    if (const auto seen = class_of_text.find(*answers[i]); seen != class_of_text.end()) {
      classes[i] = seen->second;
      continue;
    }
    int found = -1;
    for (std::size_t c = 0; c < first_members.size(); ++c) {
      if (equal(*first_members[c], *answers[i])) {
        found = static_cast<int>(c);
        break;
      }
    }
    if (found < 0) {
      found = static_cast<int>(first_members.size());
      first_members.push_back(&*answers[i]);
    }
    classes[i] = found;
    class_of_text.emplace(*answers[i], found);
  }
  return classes;
}

}  // namespace r1eval::results
