// Turns the records of a run into per-task scores (the harness knows which grader decides answer equality).
#pragma once
#include <vector>

#include "results/metrics.h"
#include "results/rating.h"
#include "results/sample_record.h"

namespace r1eval::harness {

// One TaskScores per task present in `records`, in registry order. Code tasks whose problems carry a "rating"
// attribute also get a rating estimate, with its percentile when `histogram` is given. Throws
// std::invalid_argument when a record names an unknown task.
std::vector<results::TaskScores> score_records(const std::vector<results::SampleRecord>& records,
                                               const results::RatingHistogram* histogram = nullptr);

}  // namespace r1eval::harness
