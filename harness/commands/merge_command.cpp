// `r1eval merge`: joins the folders of a run's shards (--shard, Slurm array tasks, MPI ranks) into one run folder.
#include <iostream>

#include "harness/commands/commands.h"
#include "harness/data_options.h"
#include "harness/rating_histogram.h"
#include "harness/rating_options.h"
#include "harness/report_output.h"
#include "harness/run/merge.h"

namespace r1eval::harness {

void add_merge_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::vector<std::string> shards;
    std::string out;
    bool allow_partial = false;
    DataOptions data;        // where the rating histogram is found (percentiles of code tasks)
    RatingOptions ratings;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("merge", "Join the shard folders of one run into the run folder a single process would write");
  cmd->add_option("shards", o->shards, "Shard folders (written by r1eval run --shard i/N, a Slurm array or mpirun)")->required();
  cmd->add_option("--out", o->out, "Merged run folder (samples.jsonl, scores.json, report.md, report.html, run.json)")->required();
  cmd->add_flag("--allow-partial", o->allow_partial, "Merge even when shards are absent or unfinished; the result is marked partial");
  o->data.add_to(*cmd);
  o->ratings.add_to(*cmd, false);
  cmd->callback([o, &exit_code] {
    o->ratings.load();
    std::vector<std::filesystem::path> dirs(o->shards.begin(), o->shards.end());
    const auto histogram = load_rating_histogram(o->data.locator());
    const run::MergeOutcome m = run::merge_shards(
        dirs, o->out, {o->allow_partial, o->ratings.inputs(histogram ? &*histogram : nullptr)}, run::merge_provenance());
    print_scores(std::cout, m.scores, nullptr, "md");
    std::cerr << "r1eval: merged " << m.shards_given << " of " << m.shard_count << " shards, " << m.samples
              << " samples" << (m.partial ? " (partial)" : "")
              << "; run written to " << o->out << "\n";
    exit_code = 0;
  });
}

}  // namespace r1eval::harness
