// `r1eval merge`: joins the folders of a run's shards into the folder one process would have written.
#pragma once
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/scoring.h"
#include "results/metrics.h"

namespace r1eval::harness::run {

struct MergeOptions {
  bool allow_partial = false;  // absent shards and unfinished shards are allowed; the result is marked partial
  RatingInputs ratings;        // as the run was given them, so the merged scores match a single process's
};

struct MergeOutcome {
  std::size_t samples = 0;           // in the merged samples.jsonl
  std::size_t missing_samples = 0;   // planned by the shards given, not in their folders
  int shards_given = 0, shard_count = 0;
  bool partial = false;
  std::vector<results::TaskScores> scores;
};

// The `provenance` of a merge made by this process: build (version, git hash), machine, "merged_at".
nlohmann::json merge_provenance();

// Checks that `shard_dirs` are shards of one run (run.json configs equal apart from "shard", one folder
// per shard index, every index present, problems planned by exactly one shard, every sample in its
// shard's plan and present, a sample written twice only with the same response) and writes into
// `out_dir` samples.jsonl (tasks in config order, problems in data order, then sample index), scores.json,
// report.md, report.html with the bytes a single process's run of the whole plan writes, and run.json:
// the config without the shard, `provenance` (of this merge) and `merged_from` (each shard's folder,
// shard and provenance). An `out_dir` holding an earlier merge is replaced; one holding any other run is
// refused. Throws std::invalid_argument (one line naming the folder and what is wrong) on any failed check,
// before anything is written.
MergeOutcome merge_shards(const std::vector<std::filesystem::path>& shard_dirs, const std::filesystem::path& out_dir,
                          const MergeOptions& options, const nlohmann::json& provenance);

}  // namespace r1eval::harness::run
