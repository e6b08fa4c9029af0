// `r1eval report RUN`: re-scores a run folder's samples and prints the tables.
#include <iostream>

#include "harness/commands/commands.h"
#include "harness/report_output.h"
#include "harness/scoring.h"
#include "results/store.h"

namespace r1eval::harness {

void add_report_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string run, reference, format = "md";
  };
  auto options = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("report", "Print the scores of a run folder (or samples.jsonl file)");
  cmd->add_option("run", options->run, "Run folder or samples.jsonl")->required();
  cmd->add_option("--reference", options->reference, "Print published numbers beside ours (e.g. r1-paper, open-r1)");
  cmd->add_option("--format", options->format, "md or json")->check(CLI::IsMember({"md", "json"}));
  cmd->callback([options, &exit_code] {
    const results::ReferenceTable* reference = find_reference(options->reference);
    const auto records = results::load_samples(options->run);
    if (records.empty()) throw std::invalid_argument(options->run + ": the run has no samples");
    print_scores(std::cout, score_records(records), reference, options->format);
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
