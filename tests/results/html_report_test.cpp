#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "html_synthetic_run.h"
#include "golden_support.h"
#include "results/report_html.h"
#include "results/sample_curves.h"
#include "results/store.h"

namespace r1eval::results {
namespace {

using testing::synthetic_run;

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// The cell text the report must show for an estimate, built here independently of the renderer.
std::string expected_cell(const Estimate& e) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%.1f <span class=\"se\">± %.1f</span> <span class=\"ci\">[%.1f, %.1f]</span>",
                e.value * 100, e.stderr_ * 100, e.ci_low * 100, e.ci_high * 100);
  return buf;
}

ReferenceTable small_reference() {
  return parse_reference_table(R"({"name": "paper", "description": "a test table <with> & marks", "values": [
    {"model": "Distill-A", "task": "aime24", "metric": "pass@1", "value": 28.9, "source": "T5"},
    {"model": "Distill-A", "task": "aime24", "metric": "cons@64", "value": 52.7, "source": "T5"},
    {"model": "Distill-A", "task": "aime24", "metric": "cons@4", "value": 45.0, "source": "made up"},
    {"model": "Distill-<B>", "task": "math500", "metric": "pass@1", "value": 95.5, "source": "T5"},
    {"model": "Distill-A", "task": "codeforces", "metric": "rating", "value": 954, "source": "T5"}]})");
}

using testing::expect_golden;
using testing::read_golden;

TEST(RenderHtml, MatchesGoldenForASmallSyntheticRun) {
  const auto run = synthetic_run(3, 4);
  const ReferenceTable reference = small_reference();
  expect_golden("report.html", render_html(run.scores, run.samples, &reference));
}

TEST(RenderHtml, SameInputGivesTheSameBytes) {
  const auto run = synthetic_run(5, 6);
  const ReferenceTable reference = small_reference();
  EXPECT_EQ(render_html(run.scores, run.samples, &reference), render_html(run.scores, run.samples, &reference));
}

TEST(RenderHtml, ThreeChartsPerTaskWithSamplesEachOneSvg) {
  const auto run = synthetic_run(4, 5);
  const std::string html = render_html(run.scores, run.samples, nullptr);
  EXPECT_EQ(count_of(html, "<svg"), 3 * run.scores.size());
  EXPECT_EQ(count_of(html, "</svg>"), 3 * run.scores.size());
  EXPECT_EQ(count_of(html, "<figure>"), 3 * run.scores.size());
  EXPECT_EQ(count_of(html, "<section "), run.scores.size());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n", 0), 0U);
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
  // Every chart has its axes' tick labels and titles.
  EXPECT_EQ(count_of(html, ">accuracy (%)</text>"), 2 * run.scores.size());
  EXPECT_EQ(count_of(html, ">samples</text>"), run.scores.size());
  EXPECT_NE(html.find(">response length (tokens)</text>"), std::string::npos);
  EXPECT_NE(html.find(">response length (characters)</text>"), std::string::npos);
}

// No address outside xmlns attributes, nothing that would fetch a script, style, font or picture.
void expect_self_contained(const std::string& html) {
  for (std::size_t at = html.find("http"); at != std::string::npos; at = html.find("http", at + 1)) {
    const std::string before = html.substr(at >= 7 ? at - 7 : 0, 7);
    EXPECT_EQ(before, "xmlns=\"") << "an address outside an xmlns attribute at byte " << at << ": "
                                  << html.substr(at, 40);
  }
  for (const char* fetcher : {"<script", "<link", "<img", "<iframe", "src=", "url(", "@import", "@font-face"}) {
    EXPECT_EQ(html.find(fetcher), std::string::npos) << fetcher;
  }
}

TEST(RenderHtml, LoadsNothingFromElsewhere) {
  const auto run = synthetic_run(4, 5);
  const ReferenceTable reference = small_reference();
  expect_self_contained(render_html(run.scores, run.samples, &reference));
  expect_self_contained(render_html(run.scores, run.samples, &reference_table("r1-paper")));
  expect_self_contained(render_html(run.scores, run.samples, &reference_table("open-r1")));
}

TEST(RenderHtml, EscapesEveryText) {
  auto run = synthetic_run(3, 2);
  for (SampleRecord& s : run.samples) s.task = s.task == "aime24" ? "a<i>me & \"24\"" : s.task;
  run.scores = testing::score_samples(run.samples);
  const ReferenceTable reference = small_reference();
  const std::string html = render_html(run.scores, run.samples, &reference);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("<Probability>"), std::string::npos);
  EXPECT_EQ(html.find("<B>"), std::string::npos);
  EXPECT_EQ(html.find("<with>"), std::string::npos);
  EXPECT_NE(html.find("a&lt;i&gt;me &amp; &quot;24&quot;"), std::string::npos);
  EXPECT_NE(html.find("Counting &amp; &lt;Probability&gt; &quot;quoted&quot;"), std::string::npos);
  EXPECT_NE(html.find("Distill-&lt;B&gt;"), std::string::npos);
  // The charts of the renamed task still find its samples.
  EXPECT_EQ(count_of(html, "<svg"), 6U);
}

TEST(RenderHtml, NumbersMatchTheScores) {
  const auto run = synthetic_run(6, 8);
  const ReferenceTable reference = small_reference();
  const std::string html = render_html(run.scores, run.samples, &reference);
  for (const TaskScores& s : run.scores) {
    SCOPED_TRACE(s.task);
    // Overview row and the k = 1 row of the task table.
    EXPECT_EQ(count_of(html, expected_cell(s.pass1)), 2U);
    for (const auto& [k, e] : s.pass_at) EXPECT_NE(html.find(expected_cell(e)), std::string::npos) << "pass@" << k;
    for (const auto& [k, e] : s.cons_at) EXPECT_NE(html.find(expected_cell(e)), std::string::npos) << "cons@" << k;
    for (const auto& [name, by_value] : s.breakdowns) {
      for (const auto& [value, g] : by_value) {
        EXPECT_NE(html.find(expected_cell(g.pass1)), std::string::npos) << name << "=" << value;
      }
    }
    // The curve's points are the unbiased estimates, equal to score_task's at the ks it reports.
    const std::vector<double> curve = pass_at_k_curve(run.samples, s.task);
    ASSERT_EQ(curve.size(), static_cast<std::size_t>(s.min_samples));
    for (const auto& [k, e] : s.pass_at) {
      EXPECT_NEAR(curve[static_cast<std::size_t>(k - 1)], e.value, 1e-12) << k;
      char tooltip[64];
      std::snprintf(tooltip, sizeof tooltip, "<title>pass@%d = %.1f%%</title>", k, e.value * 100);
      EXPECT_NE(html.find(tooltip), std::string::npos) << tooltip;
    }
    int truncated = 0;
    int total = 0;
    for (const SampleRecord& r : run.samples) {
      if (r.task != s.task) continue;
      ++total;
      truncated += r.finish_reason == "length" ? 1 : 0;
    }
    char rate[128];
    std::snprintf(rate, sizeof rate, "truncated at max tokens: %.1f%% (%d of %d)", 100.0 * truncated / total, truncated,
                  total);
    EXPECT_NE(html.find(rate), std::string::npos) << rate;
  }
  // The published pass@1 of aime24 beside ours, with the delta in points and the CI verdict.
  const Estimate& ours = run.scores.front().pass1;
  char row[256];
  std::snprintf(row, sizeof row, "<td>Distill-A</td><td>pass@1</td><td class=\"num\">28.9</td><td class=\"num\">%.1f</td>"
                "<td class=\"num\">%+.1f</td><td class=\"%s",
                ours.value * 100, ours.value * 100 - 28.9, (28.9 >= ours.ci_low * 100 && 28.9 <= ours.ci_high * 100) ? "yes" : "no");
  EXPECT_NE(html.find(row), std::string::npos) << row;
  EXPECT_NE(html.find("not measured (needs 64 samples per problem)"), std::string::npos);
}

TEST(RenderHtml, TaskWithoutSamplesGetsTablesAndANote) {
  const auto run = synthetic_run(3, 4);
  std::vector<SampleRecord> only_math;
  for (const SampleRecord& s : run.samples) {
    if (s.task == "math500") only_math.push_back(s);
  }
  const std::string html = render_html(run.scores, only_math, nullptr);
  EXPECT_EQ(count_of(html, "<svg"), 3U);
  EXPECT_EQ(count_of(html, "No samples of this task were given"), 1U);
  EXPECT_NE(html.find(expected_cell(run.scores.front().pass1)), std::string::npos);
}

// A code task's ratings, its published ratings and the problems set aside appear on the page as in report.md.
TEST(RenderHtml, CodeTaskShowsRatingsBesidePublishedOnesAndWhatWasSetAside) {
  TaskScores s;
  s.task = "codeforces";
  s.problems = 2;
  s.min_samples = s.max_samples = 1;
  s.rating = RatingSummary{1432.14, 61.04, false, 350, 408, 71.26};
  ContestRatingSummary contest;
  contest.rating = 1510.4;
  contest.contests.push_back({"1971<x>", 2400, 30, 5, 7, 7, 812.5, 1510.4});
  s.contest_rating = contest;
  s.excluded = {"1971H: interactive"};
  const ReferenceTable reference = small_reference();
  const std::string html = render_html({s}, {}, &reference);
  EXPECT_NE(html.find("Codeforces rating (maximum likelihood, rated on 350 of 408 problems): 1432.1 ± 61.0, "
                      "percentile 71.3"), std::string::npos);
  EXPECT_NE(html.find("Codeforces rating (CodeElo contest method, mean over 1 contests): 1510.4"), std::string::npos);
  EXPECT_NE(html.find("<td>1971&lt;x&gt;</td><td class=\"num\">5 / 7</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>Distill-A</td><td>rating</td><td class=\"num\">954.0</td><td class=\"num\">1432.1</td>"
                      "<td class=\"num\">+478.1</td>"), std::string::npos);
  EXPECT_NE(html.find("1 problems set aside (not graded, not counted): 1971H: interactive"), std::string::npos);
}

TEST(RenderHtml, PassAtKCurveCoversEveryKAndDropsDotsWhenThereAreMany) {
  const auto few = synthetic_run(2, 64);
  const std::string with_dots = render_html(few.scores, few.samples, nullptr);
  EXPECT_NE(with_dots.find("<title>pass@64 = "), std::string::npos);
  EXPECT_EQ(count_of(with_dots, "r=\"3.5\"><title>pass@"), 2U * 64);
  const auto many = synthetic_run(2, 65);
  const std::string without = render_html(many.scores, many.samples, nullptr);
  EXPECT_EQ(without.find("r=\"3.5\"><title>pass@"), std::string::npos);
  EXPECT_NE(without.find("<title>pass@k of aime24 for k = 1 to 65</title>"), std::string::npos);
  // The line still has a vertex for each k.
  const std::size_t line = without.find("<polyline class=\"s1\" points=\"");
  ASSERT_NE(line, std::string::npos);
  const std::string points = without.substr(line, without.find('"', line + 32) - line);
  EXPECT_EQ(count_of(points, ","), 65U);
}

TEST(RenderHtml, NoTasksGivesAValidEmptyPage) {
  const std::string html = render_html({}, {}, nullptr);
  EXPECT_NE(html.find("<tbody>\n</tbody>"), std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.substr(html.size() - 8), "</html>\n");
}

// Writes a realistic-size report to the test folder: tools/render_report_screenshot.sh renders this file
// in a real browser (the usage line of that script shows the commands).
TEST(RenderHtml, WritesABrowsableReport) {
  const auto run = synthetic_run(30, 16);
  const std::string html = render_html(run.scores, run.samples, &reference_table("r1-paper"));
  const std::filesystem::path path = std::filesystem::path(R1EVAL_TEST_TMP) / "report.html";
  write_file_atomic(path, html);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream back;
  back << in.rdbuf();
  EXPECT_EQ(back.str(), html);
  EXPECT_EQ(count_of(html, "<svg"), 6U);
  EXPECT_NE(html.find("DeepSeek-R1-Distill-Qwen-7B"), std::string::npos);
}

}  // namespace
}  // namespace r1eval::results
