// Pairs the problems of two runs for `r1eval report NEW --compare OLD`.
#pragma once
#include <vector>

#include "results/compare.h"
#include "results/sample_record.h"

namespace r1eval::harness {

// Per task present in either run (registry order): per-problem pass@1 of both runs on the problems both graded,
// and counts of problems only one of them graded.
std::vector<results::PairedTask> pair_runs(const std::vector<results::SampleRecord>& old_run,
                                           const std::vector<results::SampleRecord>& new_run);

}  // namespace r1eval::harness
