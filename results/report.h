// Renders scores (and optionally published numbers beside them) as Markdown or JSON.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/metrics.h"
#include "results/reference.h"

namespace r1eval::results {

nlohmann::json scores_to_json(const std::vector<TaskScores>& scores);
std::vector<TaskScores> scores_from_json(const nlohmann::json& j);

// Markdown report: one table per task (pass@1 with SE and 95% CI, pass@k, cons@k, lengths), the
// breakdowns, and, when `reference` is given, each published number of the same task and metric with
// the delta to ours and whether it lies inside our CI.
std::string render_markdown(const std::vector<TaskScores>& scores, const ReferenceTable* reference = nullptr);

}  // namespace r1eval::results
