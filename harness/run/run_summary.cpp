#include "harness/run/run_summary.h"

#include "harness/scoring.h"
#include "results/html_text.h"
#include "results/report.h"
#include "results/report_html.h"
#include "results/store.h"

namespace r1eval::harness::run {

RunSummary summarize_run(const std::vector<results::SampleRecord>& records,
                         const std::map<std::string, std::vector<std::string>>& excluded,
                         const RatingInputs& ratings, const std::string& partial_note,
                         const results::ReferenceTable* reference) {
  RunSummary s;
  s.scores = score_records(records, ratings);
  for (results::TaskScores& t : s.scores)
    if (auto it = excluded.find(t.task); it != excluded.end()) t.excluded = it->second;
  s.scores_json = results::scores_to_json(s.scores);
  s.markdown = results::render_markdown(s.scores, reference);
  s.html = results::render_html(s.scores, records, reference);
  if (!partial_note.empty()) {
    s.scores_json["partial"] = partial_note;
    s.markdown = "> Partial results: " + partial_note + ". Join all shards with `r1eval merge` for the run's scores.\n\n" +
                 s.markdown;
    // The page is ours (report_html.h), so its <body> tag is known to be there once.
    if (const auto body = s.html.find("<body>"); body != std::string::npos)
      s.html.insert(body + 6, "\n<p><strong>Partial results: " + results::html_escape(partial_note) +
                                  ".</strong> Join all shards with <code>r1eval merge</code> for the run's scores.</p>");
  }
  return s;
}

void write_summary(const std::filesystem::path& out_dir, const RunSummary& summary) {
  results::write_file_atomic(out_dir / "scores.json", summary.scores_json.dump(2) + "\n");
  results::write_file_atomic(out_dir / "report.md", summary.markdown);
  results::write_file_atomic(out_dir / "report.html", summary.html);
}

}  // namespace r1eval::harness::run
