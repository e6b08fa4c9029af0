#include "harness/report_output.h"

#include "results/report.h"

namespace r1eval::harness {

const results::ReferenceTable* find_reference(const std::string& name) {
  if (name.empty()) return nullptr;
  return &results::reference_table(name);
}

void print_scores(std::ostream& out, const std::vector<results::TaskScores>& scores,
                  const results::ReferenceTable* reference, const std::string& format) {
  if (format == "json")
    out << results::scores_to_json(scores).dump(2) << '\n';
  else
    out << results::render_markdown(scores, reference);
}

}  // namespace r1eval::harness
