#include <cstdio>
#include <optional>
#include <sstream>
#include <string>

#include "results/report.h"
#include "results/rating_text.h"
#include "results/reference_match.h"

namespace r1eval::results {
namespace {

// Fractions are shown in percent with one decimal, the precision of the published tables.
std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", fraction * 100 + 0.0);
  std::string s = buf;
  return s == "-0.0" ? "0.0" : s;
}

std::string signed_points(double points) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f", points);
  std::string s = buf;
  return (s == "-0.0" || s == "+0.0") ? "0.0" : s;
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x + 0.0);
  return buf;
}

std::string estimate_cell(const Estimate& e) {
  return percent(e.value) + " ± " + percent(e.stderr_) + " [" + percent(e.ci_low) + ", " + percent(e.ci_high) + "]";
}

// Table cells must not break the row: a '|' inside text is escaped, newlines become spaces.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void render_summary(std::ostringstream& out, const TaskScores& s) {
  const std::string samples = s.min_samples == s.max_samples
                                  ? std::to_string(s.min_samples)
                                  : std::to_string(s.min_samples) + "-" + std::to_string(s.max_samples);
  out << "| problems | samples per problem | pass@1 | mean length (" << s.length.unit << ") | median length (" << s.length.unit
      << ") |\n"
      << "|---:|---:|---|---:|---:|\n"
      << "| " << problems_label(s) << " | " << samples << " | " << estimate_cell(s.pass1) << " | " << number(s.length.mean)
      << " | " << number(s.length.median) << " |\n\n";
  if (covers_part_of_task(s))
    out << "Only " << s.problems << " of the task's " << s.task_problems
        << " problems have samples: the scores are over those, not the whole benchmark.\n\n";
  out << "| k | pass@k | cons@k |\n|---:|---|---|\n";
  for (const auto& [k, e] : s.pass_at) {
    const auto cons = s.cons_at.find(k);
    out << "| " << k << " | " << estimate_cell(e) << " | "
        << (cons == s.cons_at.end() ? std::string("-") : estimate_cell(cons->second)) << " |\n";
  }
  out << "\n";
}

void render_excluded(std::ostringstream& out, const TaskScores& s) {
  if (s.excluded.empty()) return;
  out << s.excluded.size() << " problems excluded (not graded, not counted):";
  for (std::size_t i = 0; i < s.excluded.size() && i < 5; ++i) out << (i ? "; " : " ") << cell(s.excluded[i]);
  if (s.excluded.size() > 5) out << "; ...";
  out << "\n\n";
}

void render_rating(std::ostringstream& out, const TaskScores& s) {
  if (s.rating) out << rating_sentence(*s.rating) << "\n\n";
  if (s.contest_rating) {
    const ContestRatingSummary& c = *s.contest_rating;
    out << contest_rating_sentence(c) << "\n\n| contest | solved | score | penalty | rank | rating |\n|---|---:|---:|---:|---:|---:|\n";
    for (const ModelContestResult& one : c.contests) {
      out << "| " << cell(one.contest_id) << " | " << one.solved << " / " << one.problems;
      if (one.problems_with_samples < one.problems) out << " (" << one.problems_with_samples << " with samples)";
      out << " | " << number(one.score) << " | " << number(one.penalty) << " | " << number(one.rank) << " | "
          << number(one.rating) << " |\n";
    }
    out << "\n";
  }
}

void render_breakdowns(std::ostringstream& out, const TaskScores& s) {
  for (const auto& [name, by_value] : s.breakdowns) {
    out << "### " << cell(s.task) << " by " << cell(name) << "\n\n"
        << "| " << cell(name) << " | problems | pass@1 |\n|---|---:|---|\n";
    for (const auto& [value, g] : by_value) {
      out << "| " << cell(value) << " | " << g.problems << " | " << estimate_cell(g.pass1) << " |\n";
    }
    out << "\n";
  }
}

void render_comparison(std::ostringstream& out, const TaskScores& s, const ReferenceTable& reference) {
  out << "### " << cell(s.task) << " against " << cell(reference.name) << "\n\n";
  if (covers_part_of_task(s))
    out << "Published numbers are over all " << s.task_problems << " problems, ours over " << s.problems
        << ": the two are not comparable until the run is complete.\n\n";
  bool any = false;
  for (const ReferenceValue& r : reference.values) {
    if (r.task != s.task) continue;
    const std::optional<ComparableMetric> metric = parse_comparable_metric(r.metric);
    if (!metric) continue;
    if (!any) {
      out << "| model | metric | published | ours | delta | inside our 95% CI? |\n"
          << "|---|---|---:|---:|---:|---|\n";
      any = true;
    }
    out << "| " << cell(r.model) << " | " << cell(r.metric) << " | " << number(r.value) << " | ";
    if (const Estimate* e = estimate_for(s, *metric)) {
      const bool inside = r.value >= e->ci_low * 100 && r.value <= e->ci_high * 100;
      out << percent(e->value) << " | " << signed_points(e->value * 100 - r.value) << " | "
          << (inside ? "yes" : "no") << " |\n";
    } else {
      out << "- | - | not measured" << (metric->k > s.min_samples
                                           ? " (needs " + std::to_string(metric->k) + " samples per problem)"
                                           : std::string(" at this k"))
          << " |\n";
    }
  }
  if (!any) out << "No published pass@k or cons@k numbers for this task.\n";
  const std::vector<RatingComparison> ratings = rating_comparisons(s, reference);
  if (!ratings.empty()) out << "\n| model | metric | published | ours | delta |\n|---|---|---:|---:|---:|\n";
  for (const RatingComparison& r : ratings) {
    out << "| " << cell(r.model) << " | " << cell(r.metric) << " | " << number(r.published) << " | "
        << (r.ours ? number(*r.ours) : std::string("-")) << " | "
        << (r.ours ? signed_points(*r.ours - r.published) : std::string("-")) << " |\n";
  }
  out << "\n";
}

}  // namespace

std::string render_markdown(const std::vector<TaskScores>& scores, const ReferenceTable* reference) {
  std::ostringstream out;
  out << "# r1eval results\n\n"
      << "Accuracies in percent: estimate ± standard error [bootstrap 95% CI], over problems.\n";
  if (reference != nullptr) {
    out << "Published numbers: " << reference->name << " (" << reference->description << ").\n";
  }
  out << "\n";
  for (const TaskScores& s : scores) {
    out << "## " << cell(s.task) << "\n\n";
    render_summary(out, s);
    render_excluded(out, s);
    render_rating(out, s);
    render_breakdowns(out, s);
    if (reference != nullptr) render_comparison(out, s, *reference);
  }
  return out.str();
}

}  // namespace r1eval::results
