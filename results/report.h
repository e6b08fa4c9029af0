// Renders scores (and optionally published numbers beside them) as Markdown or JSON.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "results/metrics.h"
#include "results/reference.h"

namespace r1eval::results {

// {"tasks": [{task, problems, min_samples, max_samples, pass1, pass_at: {"k": estimate}, cons_at, length,
// breakdowns}]}, estimates as {value, stderr, ci_low, ci_high} fractions. scores_from_json(scores_to_json(x))
// gives x back exactly; malformed input throws std::invalid_argument naming the task and field.
nlohmann::json scores_to_json(const std::vector<TaskScores>& scores);
std::vector<TaskScores> scores_from_json(const nlohmann::json& j);

// Markdown report: one table per task (pass@1 with SE and 95% CI, pass@k, cons@k, lengths), the
// breakdowns, and, when `reference` is given, each published number of the same task and metric with
// the delta to ours and whether it lies inside our CI. Deterministic: the same input gives the same bytes.
std::string render_markdown(const std::vector<TaskScores>& scores, const ReferenceTable* reference = nullptr);

}  // namespace r1eval::results
