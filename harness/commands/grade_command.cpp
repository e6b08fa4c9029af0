// `r1eval grade`: scores completions produced elsewhere and prints the table.
#include <iostream>
#include <set>

#include "harness/commands/commands.h"
#include "harness/data_options.h"
#include "harness/grade_generations.h"
#include "harness/grading.h"
#include "harness/option_checks.h"
#include "harness/rating_histogram.h"
#include "harness/rating_options.h"
#include "harness/report_output.h"
#include "harness/scoring.h"
#include "harness/task_lookup.h"
#include "results/report.h"
#include "results/report_html.h"

namespace r1eval::harness {

void add_grade_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string task, generations, out, reference, format = "md";
    std::uint64_t seed = 0;
    int threads = 0;
    bool force = false;
    DataOptions data;
    RatingOptions ratings;
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("grade", "Grade a generations file (JSONL) against a task and write a run folder");
  cmd->add_option("--task", options->task, "Task name (see `r1eval tasks`)")->required();
  cmd->add_option("--generations", options->generations,
                  "JSONL: one object per line with a problem id (or problem text) and a response "
                  "(or a list of responses); see README")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", options->out, "Run folder to write samples.jsonl, scores.json, report.md and report.html into")
      ->required();
  CLI::Option* seed = cmd->add_option("--seed", options->seed,
                                      "Run seed the prompts were made with by `r1eval prompts` (GPQA choice order, "
                                      "for lines that give neither choice_order, gold nor prompt)")
                          ->check(seed_number());
  cmd->add_option("--reference", options->reference, "Print published numbers beside ours (e.g. r1-paper)");
  cmd->add_option("--format", options->format, "Output on stdout: md or json")->check(CLI::IsMember({"md", "json"}));
  cmd->add_option("--threads", options->threads, "Grading threads (default: all cores)")->check(number_between(0, 4096));
  cmd->add_flag("--force", options->force, "Replace an existing run in --out");
  options->data.add_to(*cmd);
  options->ratings.add_to(*cmd, true);
  cmd->callback([options, seed, &exit_code] {
    const tasks::Task& task = require_task(options->task);
    options->ratings.load();
    const results::ReferenceTable* reference = find_reference(options->reference);
    auto samples = read_generations_file(options->generations);
    std::vector<std::string> excluded;
    const auto all_problems = load_problems(task, options->data.locator(), std::cerr);
    const auto problems = gradable_problems(all_problems, excluded);
    if (!excluded.empty()) {
      // Samples of problems r1eval cannot grade are left out and counted, never scored as failures.
      std::set<std::string> excluded_ids;
      for (const std::string& line : excluded) excluded_ids.insert(line.substr(0, line.find(':')));
      const auto before = samples.size();
      std::set<std::string> excluded_texts;
      for (const tasks::Problem& p : all_problems)
        if (excluded_ids.count(p.id)) excluded_texts.insert(collapse_whitespace(p.question));
      std::erase_if(samples, [&](const ExternalSample& s) {
        return (s.problem_id && excluded_ids.count(*s.problem_id)) ||
               (!s.problem_id && s.problem_text && excluded_texts.count(collapse_whitespace(*s.problem_text)));
      });
      std::cerr << "r1eval: " << excluded.size() << " problems excluded (first: " << excluded.front() << "); "
                << before - samples.size() << " of their samples left out\n";
      if (samples.empty()) throw std::invalid_argument(options->generations + ": every sample names an excluded problem");
    }
    const auto records = grade_external_samples(task, problems, samples, options->generations,
                                                {options->seed, options->threads, seed->count() > 0});
    const auto histogram = task.info().grader == tasks::GraderKind::code
                               ? load_rating_histogram(options->data.locator())
                               : std::nullopt;
    auto scores = score_records(records, options->ratings.inputs(histogram ? &*histogram : nullptr));
    options->ratings.check_standings_used(scores);
    for (auto& s : scores) s.excluded = excluded;
    const std::string markdown = results::render_markdown(scores, reference);
    write_graded_run(options->out, records, scores, markdown, results::render_html(scores, records, reference),
                     options->force);
    print_scores(std::cout, scores, reference, options->format);
    std::cerr << "r1eval: graded " << records.size() << " samples of " << scores.front().problems << " of "
              << problems.size() << " problems; run written to " << options->out << "\n";
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
