// `r1eval report RUN`: re-scores a run folder's samples and prints the tables.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "harness/commands/commands.h"
#include <nlohmann/json.hpp>

#include "harness/data_options.h"
#include "harness/rating_histogram.h"
#include "harness/rating_options.h"
#include "harness/report_output.h"
#include "harness/run_comparison.h"
#include "results/compare.h"
#include "results/report_html.h"
#include "harness/run/run_summary.h"
#include "harness/scoring.h"
#include "results/store.h"
#include "tasks/task.h"

namespace r1eval::harness {
namespace {

void keep_planned_samples(const std::string& path, std::vector<results::SampleRecord>& records);

// The samples of a run, each once: a folder two processes wrote into, or shards joined with `cat`, may hold
// a sample twice; the first copy counts (as in `run`) and stderr says how many were dropped.
std::vector<results::SampleRecord> load_run(const std::string& path) {
  auto records = results::load_samples(path);
  if (records.empty()) throw std::invalid_argument(path + ": the run has no samples");
  for (const results::SampleRecord& r : records)
    if (!tasks::find_task(r.task))
      throw std::invalid_argument(path + ": sample " + std::to_string(r.sample_index) + " of problem '" + r.problem_id +
                                  "' names unknown task '" + r.task + "'; known: " + tasks::known_task_names());
  std::set<std::tuple<std::string, std::string, int>> seen;
  const std::size_t before = records.size();
  std::erase_if(records, [&](const results::SampleRecord& r) {
    return !seen.insert({r.task, r.problem_id, r.sample_index}).second;
  });
  if (records.size() < before)
    std::cerr << "r1eval: " << path << ": " << before - records.size()
              << " duplicate sample line(s) ignored: each sample counts once (its first copy)" << std::endl;
  keep_planned_samples(path, records);
  return records;
}

// A run folder's samples outside its current plan (run.json's tasks and k per task: a --resume that
// narrowed the run keeps the older samples in samples.jsonl) are left out, as the run's own scores leave
// them out; stderr says how many. A samples file, or a folder without run.json, is taken whole; a run.json that
// holds no plan is refused (one line).
void keep_planned_samples(const std::string& path, std::vector<results::SampleRecord>& records) {
  const std::filesystem::path run_json = std::filesystem::path(path) / "run.json";
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec) || !std::filesystem::exists(run_json, ec)) return;
  // A run.json that is not the run's plan would leave the report to guess which samples count: refused.
  const auto refuse = [&](const std::string& what) {
    throw std::invalid_argument(run_json.string() + ": expected the run's plan, {\"config\": {\"tasks\": [{\"name\", "
                                "\"samples\"}, ...]}}: " + what);
  };
  if (!std::filesystem::is_regular_file(run_json, ec)) refuse("not a regular file");
  std::ifstream in(run_json);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) refuse("not valid JSON");
  if (!j.is_object() || !j.contains("config") || !j["config"].is_object()) refuse("no config object");
  if (!j["config"].contains("tasks") || !j["config"]["tasks"].is_array()) refuse("config.tasks is not a list");
  std::map<std::string, int> samples_of_task;
  for (const nlohmann::json& t : j["config"]["tasks"]) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string() || !t.contains("samples") ||
        !t["samples"].is_number_integer())
      refuse("a task without its name and samples");
    samples_of_task[t["name"].get<std::string>()] = t["samples"].get<int>();
  }
  const std::size_t before = records.size();
  std::erase_if(records, [&](const results::SampleRecord& r) {
    const auto it = samples_of_task.find(r.task);
    return it == samples_of_task.end() || r.sample_index < 0 || r.sample_index >= it->second;
  });
  if (records.size() < before)
    std::cerr << "r1eval: " << path << ": " << before - records.size()
              << " sample line(s) outside run.json's plan (its tasks and samples per problem) left out, as the "
                 "run's own scores leave them out" << std::endl;
  if (records.empty()) throw std::invalid_argument(path + ": no sample of the run's plan (run.json)");
}

// The note a run folder's own scores.json carries when it is partial (a shard, a partial merge), else "".
std::string partial_note_of(const std::string& path) {
  const std::filesystem::path scores = std::filesystem::path(path) / "scores.json";
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec) || !std::filesystem::exists(scores, ec)) return "";
  std::ifstream in(scores);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("partial") || !j["partial"].is_string()) return "";
  return j["partial"].get<std::string>();
}

}  // namespace

void add_report_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string run, reference, format = "md", compare;
    bool fail_on_regression = false;
    DataOptions data;  // where a Codeforces rating histogram may be found (percentiles)
    RatingOptions ratings;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("report", "Print the scores of a run folder (or samples.jsonl file)");
  cmd->add_option("run", options->run, "Run folder or samples.jsonl")->required();
  cmd->add_option("--reference", options->reference, "Print published numbers beside ours (e.g. r1-paper, open-r1)");
  cmd->add_option("--format", options->format, "md, json or html (a self-contained page with charts)")
      ->check(CLI::IsMember({"md", "json", "html"}));
  cmd->add_option("--compare", options->compare,
                  "An earlier run (folder or samples.jsonl): print the change in pass@1 per task and overall on the "
                  "problems both runs graded, with a 95% interval of what sampling alone could produce");
  cmd->add_flag("--fail-on-regression", options->fail_on_regression,
                "With --compare: exit 1 when any task, or the overall score, is significantly worse");
  options->data.add_to(*cmd);
  options->ratings.add_to(*cmd, true);
  cmd->callback([options, &exit_code] {
    options->ratings.load();
    const results::ReferenceTable* reference = find_reference(options->reference);
    const auto records = load_run(options->run);
    auto data = options->data;
    data.offline = true;  // a report never downloads
    const auto histogram = load_rating_histogram(data.locator());
    const results::RatingHistogram* percentiles = histogram ? &*histogram : nullptr;
    exit_code = 0;
    if (options->compare.empty()) {
      if (options->fail_on_regression) throw std::invalid_argument("--fail-on-regression needs --compare OLD_RUN");
      const run::RunSummary summary = run::summarize_run(records, {}, options->ratings.inputs(percentiles),
                                                         partial_note_of(options->run), reference);
      options->ratings.check_standings_used(summary.scores);
      if (options->format == "html") std::cout << summary.html;
      else if (options->format == "json") std::cout << summary.scores_json.dump(2) << '\n';
      else std::cout << summary.markdown;
      return;
    }
    const auto comparisons = results::compare_runs(pair_runs(load_run(options->compare), records));
    if (options->format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& c : comparisons)
        out.push_back({{"task", c.task}, {"problems", c.problems}, {"old_pass1", c.old_pass1},
                       {"new_pass1", c.new_pass1}, {"delta", c.delta.value}, {"delta_stderr", c.delta.stderr_},
                       {"delta_ci_low", c.delta.ci_low}, {"delta_ci_high", c.delta.ci_high},
                       {"verdict", results::to_string(c.change)}, {"only_in_old", c.only_in_old},
                       {"only_in_new", c.only_in_new}});
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << "# " << options->run << " compared with " << options->compare << "\n\n"
                << "pass@1 in percent, on the problems both runs graded; delta = new - old with a 95% interval "
                   "against what the runs' sampling alone produces (one solve rate per problem for both runs, from "
                   "the Jeffreys posterior of their pooled samples; overall: mean over tasks).\n\n"
                << results::render_comparison_markdown(comparisons);
    }
    for (const auto& c : comparisons)
      if (options->fail_on_regression && c.change == results::Change::worse) exit_code = 1;
  });
}

}  // namespace r1eval::harness
