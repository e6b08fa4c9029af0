// The evaluation run: expands problems x samples, skips what the folder already holds, streams the rest to
// a generator, grades each completion on a worker pool as it arrives, appends it to samples.jsonl, and
// writes scores.json and report.md at the end (also when stopped early, for what is done).
#pragma once
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/generator.h"
#include "harness/run/run_config.h"
#include "harness/scoring.h"
#include "results/metrics.h"
#include "tasks/task.h"

namespace r1eval::harness::run {

struct TaskInput {
  const tasks::Task* task = nullptr;
  std::vector<tasks::Problem> problems;  // after --limit (and the shard's choice)
  std::vector<std::string> excluded;     // problems set aside as ungradable, "id: reason"
  // Position of each problem in the task's data; empty means 0, 1, 2, ... (all problems, unsharded).
  std::vector<std::size_t> problem_indices = {};
};

struct RunInputs {
  RunConfig config;               // config.tasks[i] belongs to tasks[i]
  std::vector<TaskInput> tasks;
  nlohmann::json provenance;      // recorded in run.json beside the config (version, machine, ...)
};

struct RunLoopOptions {
  bool resume = false;
  int grade_threads = 0;          // 0 = all cores
  double progress_seconds = 10;   // between log lines (between redraws when live)
  RatingInputs ratings;           // problem ratings / histogram for code tasks' rating (pointers must outlive the run)
  bool live_progress = false;     // `log` is a terminal: redraw a block of bars in place instead of lines
};

struct RunOutcome {
  std::size_t planned = 0;        // samples in the plan
  std::size_t already_done = 0;   // of those, found in the folder at the start
  std::size_t generated = 0;      // generated and graded by this call
  bool interrupted = false;       // `stop` ended generation early
  std::vector<results::TaskScores> scores;  // of the plan's samples now in the folder
};

using GeneratorFactory = std::function<std::unique_ptr<Generator>()>;

// Keeps the problems of `shard` (shard_of_problem) in every task and records the shard in the config.
void restrict_to_shard(RunInputs& inputs, const Shard& shard);

// Runs the plan into `out_dir`. The generator is made only when something is left to generate. A shard's
// run.json also gets "shard_plan" (per task: its problems with their data positions, and the excluded
// ones) for `r1eval merge`, and its summaries are marked partial. Throws std::invalid_argument (one
// line) when the folder holds another run (see check_continuation), holds samples but no run.json, or
// `resume` is asked of a folder with no run. Progress lines (or the live block) go to `log`.
RunOutcome execute_run(const RunInputs& inputs, const GeneratorFactory& make_generator,
                       const std::filesystem::path& out_dir, const RunLoopOptions& options,
                       const std::atomic<bool>& stop, std::ostream& log);

}  // namespace r1eval::harness::run
