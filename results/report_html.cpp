#include "results/report_html.h"

#include <algorithm>
#include <sstream>
#include <string>

#include "results/html_text.h"
#include "results/rating_text.h"
#include "results/reference_match.h"
#include "results/sample_curves.h"
#include "results/svg_chart.h"

namespace r1eval::results {
namespace {

// Bins of the two length charts: accuracy needs enough samples per bin, the histogram shows the shape.
constexpr int kAccuracyBins = 10;
constexpr int kHistogramBins = 20;
constexpr int kMostPassAtKMarkers = 64;

// The page's only styling. Series colours are classes s1..s3 so lines, markers, bars and legend swatches
// of one series share a colour; the fonts are whatever the reader's system has (nothing is downloaded).
constexpr const char* kStyle = R"(body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1200px;padding:0 1em;color:#1d2330;background:#fff;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #d5dae3;padding-bottom:.2em;margin-top:2em}h3{font-size:1.05em;margin:1.4em 0 .4em}
p.note{color:#566074;margin:.3em 0}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.92em}
th,td{border:1px solid #d5dae3;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f1f3f7;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
span.se,span.ci{color:#566074}
td.yes{color:#1d7a3a;font-weight:600}td.no{color:#b3261e;font-weight:600}
div.meter{background:#e6e9ef;width:10em;height:.8em;border-radius:2px}div.meter>div{background:#3566c9;height:100%;border-radius:2px}
div.charts{display:flex;flex-wrap:wrap;gap:1em}
div.tables{display:flex;flex-wrap:wrap;gap:0 2em;align-items:flex-start}
figure{margin:0;flex:1 1 480px;max-width:640px}figcaption{font-size:.9em;color:#344054;margin-bottom:.2em}
svg.chart{width:100%;height:auto;display:block}
svg .grid line{stroke:#e6e9ef;stroke-width:1}svg .axis line{stroke:#344054;stroke-width:1}
svg text{font-size:13px;fill:#344054}svg text.label{font-size:14px}
svg polyline{fill:none;stroke-width:2}
polyline.s1{stroke:#3566c9}polyline.s2{stroke:#d9822b}polyline.s3{stroke:#b3261e}
circle.s1,rect.s1{fill:#3566c9}circle.s2,rect.s2{fill:#d9822b}circle.s3,rect.s3{fill:#b3261e}
)";

std::string percent(double fraction) { return fixed_number(fraction * 100, 1); }

std::string signed_points(double points) {
  const std::string s = fixed_number(points, 1);
  return (s == "0.0" || s.front() == '-') ? s : "+" + s;
}

std::string estimate_cells(const Estimate& e) {
  return "<td class=\"num\">" + percent(e.value) + " <span class=\"se\">± " + percent(e.stderr_) +
         "</span> <span class=\"ci\">[" + percent(e.ci_low) + ", " + percent(e.ci_high) + "]</span></td>";
}

std::string samples_per_problem(const TaskScores& s) {
  return s.min_samples == s.max_samples ? std::to_string(s.min_samples)
                                        : std::to_string(s.min_samples) + "–" + std::to_string(s.max_samples);
}

std::string truncation_text(const LengthProfile& profile) {
  if (profile.samples == 0) return "no samples";
  return percent(static_cast<double>(profile.truncated) / profile.samples) + "% (" + std::to_string(profile.truncated) +
         " of " + std::to_string(profile.samples) + ")";
}

void render_overview(std::ostringstream& out, const std::vector<TaskScores>& scores,
                     const std::vector<SampleRecord>& samples) {
  out << "<table class=\"overview\">\n<thead><tr><th>task</th><th>problems</th><th>samples per problem</th>"
         "<th>pass@1 ± SE [95% CI]</th><th>truncated at max tokens</th></tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const TaskScores& s = scores[i];
    out << "<tr><td><a href=\"#task-" << i + 1 << "\">" << html_escape(s.task) << "</a></td><td class=\"num\">"
        << problems_label(s) << "</td><td class=\"num\">" << samples_per_problem(s) << "</td>" << estimate_cells(s.pass1)
        << "<td class=\"num\">" << truncation_text(length_profile(samples, s.task, 1)) << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

void render_scores_table(std::ostringstream& out, const TaskScores& s) {
  out << "<h3>Scores</h3>\n<p class=\"note\">" << problems_label(s) << " problems, " << samples_per_problem(s)
      << " samples per problem; response length (" << html_escape(s.length.unit) << "): mean "
      << fixed_number(s.length.mean, 1) << ", median " << fixed_number(s.length.median, 1) << ".</p>\n";
  out << "<table class=\"scores\">\n<thead><tr><th>k</th><th>pass@k ± SE [95% CI]</th><th>cons@k ± SE [95% CI]</th>"
         "</tr></thead>\n<tbody>\n";
  for (const auto& [k, e] : s.pass_at) {
    const auto cons = s.cons_at.find(k);
    out << "<tr><td class=\"num\">" << k << "</td>" << estimate_cells(k == 1 ? s.pass1 : e)
        << (cons == s.cons_at.end() ? std::string("<td class=\"num\">–</td>") : estimate_cells(cons->second))
        << "</tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

// The Codeforces ratings of a code task (maximum likelihood; CodeElo per contest) and what was set aside.
void render_rating_and_exclusions(std::ostringstream& out, const TaskScores& s) {
  if (s.rating) out << "<p><strong>" << html_escape(rating_sentence(*s.rating)) << "</strong></p>\n";
  if (s.contest_rating) {
    out << "<p><strong>" << html_escape(contest_rating_sentence(*s.contest_rating)) << "</strong></p>\n"
        << "<table class=\"scores\">\n<thead><tr><th>contest</th><th>solved</th><th>score</th><th>penalty</th>"
           "<th>rank</th><th>rating</th></tr></thead>\n<tbody>\n";
    for (const ModelContestResult& one : s.contest_rating->contests) {
      out << "<tr><td>" << html_escape(one.contest_id) << "</td><td class=\"num\">" << one.solved << " / "
          << one.problems << "</td><td class=\"num\">" << fixed_number(one.score, 1) << "</td><td class=\"num\">"
          << fixed_number(one.penalty, 1) << "</td><td class=\"num\">" << fixed_number(one.rank, 1)
          << "</td><td class=\"num\">" << fixed_number(one.rating, 1) << "</td></tr>\n";
    }
    out << "</tbody>\n</table>\n";
  }
  if (!s.excluded.empty()) {
    out << "<p class=\"note\">" << s.excluded.size() << " problems set aside (not graded, not counted):";
    for (std::size_t i = 0; i < s.excluded.size() && i < 5; ++i) out << (i ? "; " : " ") << html_escape(s.excluded[i]);
    if (s.excluded.size() > 5) out << "; …";
    out << "</p>\n";
  }
}

void render_comparison(std::ostringstream& out, const TaskScores& s, const ReferenceTable& reference) {
  out << "<h3>Against " << html_escape(reference.name) << "</h3>\n";
  if (covers_part_of_task(s))
    out << "<p class=\"note\"><strong>Published numbers are over all " << s.task_problems << " problems, ours over "
        << s.problems << ": not comparable until the run is complete.</strong></p>\n";
  bool any = false;
  for (const ReferenceValue& r : reference.values) {
    if (r.task != s.task) continue;
    const std::optional<ComparableMetric> metric = parse_comparable_metric(r.metric);
    if (!metric) continue;
    if (!any) {
      out << "<table class=\"reference\">\n<thead><tr><th>model</th><th>metric</th><th>published</th><th>ours</th>"
             "<th>delta (points)</th><th>inside our 95% CI?</th></tr></thead>\n<tbody>\n";
      any = true;
    }
    out << "<tr><td>" << html_escape(r.model) << "</td><td>" << html_escape(r.metric) << "</td><td class=\"num\">"
        << fixed_number(r.value, 1) << "</td>";
    if (const Estimate* e = estimate_for(s, *metric)) {
      const bool inside = r.value >= e->ci_low * 100 && r.value <= e->ci_high * 100;
      out << "<td class=\"num\">" << percent(e->value) << "</td><td class=\"num\">"
          << signed_points(e->value * 100 - r.value) << "</td><td class=\"" << (inside ? "yes\">yes" : "no\">no")
          << "</td></tr>\n";
    } else {
      out << "<td class=\"num\">–</td><td class=\"num\">–</td><td>not measured"
          << (metric->k > s.min_samples ? " (needs " + std::to_string(metric->k) + " samples per problem)"
                                        : std::string(" at this k"))
          << "</td></tr>\n";
    }
  }
  if (any) {
    out << "</tbody>\n</table>\n";
  } else {
    out << "<p class=\"note\">No published pass@k or cons@k numbers for this task.</p>\n";
  }
  const std::vector<RatingComparison> ratings = rating_comparisons(s, reference);
  if (ratings.empty()) return;
  out << "<table class=\"reference\">\n<thead><tr><th>model</th><th>metric</th><th>published</th><th>ours</th>"
         "<th>delta</th></tr></thead>\n<tbody>\n";
  for (const RatingComparison& r : ratings) {
    out << "<tr><td>" << html_escape(r.model) << "</td><td>" << html_escape(r.metric) << "</td><td class=\"num\">"
        << fixed_number(r.published, 1) << "</td><td class=\"num\">" << (r.ours ? fixed_number(*r.ours, 1) : "–")
        << "</td><td class=\"num\">" << (r.ours ? signed_points(*r.ours - r.published) : "–") << "</td></tr>\n";
  }
  out << "</tbody>\n</table>\n";
}

std::string pass_at_k_chart(const TaskScores& s, const std::vector<double>& curve) {
  const int n = static_cast<int>(curve.size());
  SvgChart chart("pass@k of " + s.task + " for k = 1 to " + std::to_string(n), {"k (samples per problem)", 1.0, double(n), true},
                 {"accuracy (%)", 0, 100, false});
  std::vector<ChartPoint> points;
  for (int k = 1; k <= n; ++k) {
    const double value = curve[static_cast<std::size_t>(k - 1)];
    points.push_back({double(k), value * 100, "pass@" + std::to_string(k) + " = " + percent(value) + "%"});
  }
  chart.add_line(points, "s1");
  // Past a few dozen k the dots merge into a thick line; the line alone reads better.
  if (n <= kMostPassAtKMarkers) chart.add_markers(points, "s1");
  chart.add_legend_entry("pass@k", "s1");
  std::vector<ChartPoint> cons;
  for (const auto& [k, e] : s.cons_at) {
    if (k <= n) cons.push_back({double(k), e.value * 100, "cons@" + std::to_string(k) + " = " + percent(e.value) + "%"});
  }
  if (!cons.empty()) {
    chart.add_line(cons, "s2");
    chart.add_markers(cons, "s2");
    chart.add_legend_entry("cons@k", "s2");
  }
  return chart.render();
}

std::string bin_text(const LengthBin& bin) {
  std::string text = "[";  // appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "[" + std::string
  text += fixed_number(bin.low, 0);
  text += ", ";
  text += fixed_number(bin.high, 0);
  text += ")";
  return text;
}

std::string count_text(int n, const std::string& noun) {
  return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string accuracy_by_length_chart(const TaskScores& s, const LengthProfile& profile) {
  SvgChart chart("accuracy of " + s.task + " by response length", {"response length (" + profile.unit + ")", 0,
                 profile.bins.back().high, false}, {"accuracy (%)", 0, 100, false});
  std::vector<ChartPoint> points;
  for (const LengthBin& bin : profile.bins) {
    if (bin.samples == 0) continue;
    const double accuracy = static_cast<double>(bin.correct) / bin.samples;
    points.push_back({(bin.low + bin.high) / 2, accuracy * 100,
                      bin_text(bin) + ": " + percent(accuracy) + "% of " + count_text(bin.samples, "sample") + " correct"});
  }
  chart.add_line(points, "s1");
  chart.add_markers(points, "s1");
  chart.add_legend_entry("accuracy per length bin", "s1");
  return chart.render();
}

std::string length_histogram(const TaskScores& s, const LengthProfile& profile) {
  int tallest = 0;
  for (const LengthBin& bin : profile.bins) tallest = std::max(tallest, bin.samples);
  SvgChart chart("response lengths of " + s.task, {"response length (" + profile.unit + ")", 0, profile.bins.back().high, false},
                 {"samples", 0, nice_axis_end(0, std::max(tallest, 1), 5, true), true});
  for (const LengthBin& bin : profile.bins) {
    if (bin.samples == 0) continue;
    const int finished = bin.samples - bin.truncated;
    // A small gap between bars keeps neighbouring bins apart.
    const double gap = profile.bin_width * 0.04;
    if (finished > 0) {
      chart.add_bar(bin.low + gap, bin.high - gap, 0, finished, "s1",
                    bin_text(bin) + ": " + std::to_string(finished) + " finished");
    }
    if (bin.truncated > 0) {
      chart.add_bar(bin.low + gap, bin.high - gap, finished, bin.samples, "s3",
                    bin_text(bin) + ": " + std::to_string(bin.truncated) + " truncated at max tokens");
    }
  }
  chart.add_legend_entry("finished", "s1");
  chart.add_legend_entry("truncated at max tokens", "s3");
  return chart.render();
}

void render_charts(std::ostringstream& out, const TaskScores& s, const std::vector<SampleRecord>& samples) {
  const std::vector<double> curve = pass_at_k_curve(samples, s.task);
  if (curve.empty()) {
    out << "<p class=\"note\">No samples of this task were given, so there are no curves or histograms.</p>\n";
    return;
  }
  const LengthProfile coarse = length_profile(samples, s.task, kAccuracyBins);
  const LengthProfile fine = length_profile(samples, s.task, kHistogramBins);
  out << "<div class=\"charts\">\n"
      << "<figure><figcaption>pass@k for k = 1.." << curve.size()
      << " (unbiased estimator per problem, averaged over problems)" << (s.cons_at.empty() ? "" : "; cons@k (majority vote) at the reported k")
      << "</figcaption>\n"
      << pass_at_k_chart(s, curve) << "</figure>\n"
      << "<figure><figcaption>Accuracy against response length (" << html_escape(coarse.unit) << ", bins of "
      << fixed_number(coarse.bin_width, 0) << ")</figcaption>\n"
      << accuracy_by_length_chart(s, coarse) << "</figure>\n"
      << "<figure><figcaption>Response lengths (" << html_escape(fine.unit) << ", bins of "
      << fixed_number(fine.bin_width, 0) << "); truncated at max tokens: " << truncation_text(fine)
      << "</figcaption>\n"
      << length_histogram(s, fine) << "</figure>\n"
      << "</div>\n";
}

void render_breakdowns(std::ostringstream& out, const TaskScores& s) {
  for (const auto& [name, by_value] : s.breakdowns) {
    out << "<h3>" << html_escape(s.task) << " by " << html_escape(name) << "</h3>\n"
        << "<table class=\"breakdown\">\n<thead><tr><th>" << html_escape(name)
        << "</th><th>problems</th><th>pass@1 ± SE [95% CI]</th><th></th></tr></thead>\n<tbody>\n";
    for (const auto& [value, g] : by_value) {
      const double width = std::clamp(g.pass1.value, 0.0, 1.0) * 100;
      out << "<tr><td>" << html_escape(value) << "</td><td class=\"num\">" << g.problems << "</td>"
          << estimate_cells(g.pass1) << "<td><div class=\"meter\"><div style=\"width:" << fixed_number(width, 1)
          << "%\"></div></div></td></tr>\n";
    }
    out << "</tbody>\n</table>\n";
  }
}

}  // namespace

std::string render_html(const std::vector<TaskScores>& scores, const std::vector<SampleRecord>& samples,
                        const ReferenceTable* reference) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>r1eval results</title>\n<style>\n" << kStyle << "</style>\n</head>\n<body>\n"
      << "<h1>r1eval results</h1>\n"
      << "<p class=\"note\">Accuracies in percent: estimate ± standard error [bootstrap 95% CI], over problems.</p>\n";
  if (reference != nullptr) {
    out << "<p class=\"note\">Published numbers: " << html_escape(reference->name) << " ("
        << html_escape(reference->description) << ").</p>\n";
  }
  render_overview(out, scores, samples);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const TaskScores& s = scores[i];
    out << "<section id=\"task-" << i + 1 << "\">\n<h2>" << html_escape(s.task) << "</h2>\n";
    // The published numbers sit beside our table on a wide page and below it on a narrow one.
    out << "<div class=\"tables\">\n<div>\n";
    render_scores_table(out, s);
    render_rating_and_exclusions(out, s);
    out << "</div>\n";
    if (reference != nullptr) {
      out << "<div>\n";
      render_comparison(out, s, *reference);
      out << "</div>\n";
    }
    out << "</div>\n";
    render_charts(out, s, samples);
    render_breakdowns(out, s);
    out << "</section>\n";
  }
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace r1eval::results
