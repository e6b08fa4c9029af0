// The `grade` path: completions produced elsewhere are matched to a task's problems, graded, and written
// to a run folder (samples.jsonl, scores.json, report.md).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/generations_file.h"
#include "results/metrics.h"
#include "results/sample_record.h"
#include "tasks/task.h"

namespace r1eval::harness {

// `text` with runs of whitespace made one space and none at the ends: problem texts are matched this way,
// since exporters often re-wrap them.
std::string collapse_whitespace(std::string_view text);

struct GradeOptions {
  std::uint64_t run_seed = 0;  // the seed the prompts were made with (choice order of GPQA)
  int threads = 0;             // grading workers; 0 = all cores
  bool seed_given = false;     // run_seed was named: a choice sample without its order takes that seed's prompt
};

// Matches each external sample to a problem (by id, else by problem text; an id and a text of two different
// problems is an error), assigns sample indices (explicit, else the next free one of its problem in file
// order), settles its gold (choice tasks: see resolve_choice_order in the source; math tasks: a "gold" must
// agree with the task's answer) and grades it. Throws std::invalid_argument with the count and first ids of
// samples naming unknown problems, or file:line for duplicate (problem, sample index) pairs, invalid or
// missing choice orders and disagreeing golds.
std::vector<results::SampleRecord> grade_external_samples(const tasks::Task& task,
                                                          const std::vector<tasks::Problem>& problems,
                                                          const std::vector<ExternalSample>& samples,
                                                          const std::filesystem::path& source,
                                                          const GradeOptions& options);

// The text of a samples.jsonl holding `records`, one line each, in the given order (invalid UTF-8 in a
// response replaced, as the store writes it).
std::string samples_jsonl(const std::vector<results::SampleRecord>& records);

// Writes records, scores and the Markdown and HTML reports into `out_dir` (created). The four files are
// replaced together or not at all (results::write_files_atomic); a folder this call created is removed
// again on failure. An existing samples.jsonl is an error unless `overwrite`.
void write_graded_run(const std::filesystem::path& out_dir, const std::vector<results::SampleRecord>& records,
                      const std::vector<results::TaskScores>& scores, const std::string& report_markdown,
                      const std::string& report_html, bool overwrite);

}  // namespace r1eval::harness
