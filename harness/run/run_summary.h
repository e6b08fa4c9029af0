// The summaries of a run folder (scores.json, report.md, report.html) from its sample records: one
// function for a single process's run and for shards merged, so both write the same bytes.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/scoring.h"
#include "results/metrics.h"
#include "results/reference.h"
#include "results/sample_record.h"

namespace r1eval::harness::run {

struct RunSummary {
  std::vector<results::TaskScores> scores;
  nlohmann::json scores_json;
  std::string markdown, html;
};

// Scores `records` (in plan order, each sample once), attaches each task's problems set aside as ungradable
// (`excluded`, by task name), rates code tasks from `ratings` (harness/scoring.h) and renders the reports. A non-empty `partial_note` (e.g. "shard 1/4") marks
// every file as partial: scores.json gets "partial": note, the reports a first line saying so. With a
// `reference` table the reports show its published numbers beside ours.
RunSummary summarize_run(const std::vector<results::SampleRecord>& records,
                         const std::map<std::string, std::vector<std::string>>& excluded,
                         const RatingInputs& ratings, const std::string& partial_note,
                         const results::ReferenceTable* reference = nullptr);

// Writes scores.json, report.md and report.html into `out_dir`, each atomically.
void write_summary(const std::filesystem::path& out_dir, const RunSummary& summary);

}  // namespace r1eval::harness::run
