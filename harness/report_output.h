// Printing scores for the commands that end in a table.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "results/metrics.h"
#include "results/reference.h"

namespace r1eval::harness {

// nullptr for an empty name; throws std::invalid_argument (listing known tables) for an unknown one.
const results::ReferenceTable* find_reference(const std::string& name);
// format "md" (Markdown tables) or "json" (the scores.json document).
void print_scores(std::ostream& out, const std::vector<results::TaskScores>& scores,
                  const results::ReferenceTable* reference, const std::string& format);

}  // namespace r1eval::harness
