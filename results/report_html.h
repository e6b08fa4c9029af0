// Renders a run as one self-contained HTML page: inline CSS and inline SVG charts, no script, no network.
#pragma once
#include <string>
#include <vector>

#include "results/metrics.h"
#include "results/reference.h"
#include "results/sample_record.h"

namespace r1eval::results {

// The report.html of a run. Per task (in the order of `scores`): the pass@1 ± SE [95% CI] table with pass@k
// and cons@k, the published numbers of `reference` (when given) beside ours with the delta and whether
// they lie inside our CI, a pass@k curve for k = 1..n, accuracy against response length, a response-length
// histogram with the share truncated at the token limit (finish_reason "length"), and the breakdown
// tables (subject, level, domain, ...). Curves and histograms come from the `samples` of the task (its
// name in SampleRecord::task); a task without samples gets its tables and a note instead of charts.
// All text is escaped; the page loads nothing from elsewhere. Deterministic: the same input gives the
// same bytes.
std::string render_html(const std::vector<TaskScores>& scores, const std::vector<SampleRecord>& samples,
                        const ReferenceTable* reference = nullptr);

}  // namespace r1eval::results
