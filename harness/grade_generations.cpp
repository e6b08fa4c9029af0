#include "harness/grade_generations.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "harness/grading.h"
#include "harness/seeds.h"
#include "results/report.h"
#include "results/store.h"

namespace r1eval::harness {
namespace {

// Problem texts are matched with runs of whitespace collapsed, since exporters often re-wrap them.
std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string where(const std::filesystem::path& source, const ExternalSample& s) {
  return source.string() + ":" + std::to_string(s.line);
}

// Checks an externally supplied choice order and derives the gold letter from it.
std::string gold_letter_for(const std::vector<int>& order, const std::filesystem::path& source,
                            const ExternalSample& s, std::size_t options) {
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != static_cast<int>(i) || sorted.size() != options)
      throw std::invalid_argument(where(source, s) + ": field 'choice_order': expected a permutation of 0.." +
                                  std::to_string(options - 1));
  const auto it = std::find(order.begin(), order.end(), 0);
  return std::string(1, static_cast<char>('A' + (it - order.begin())));
}

}  // namespace

std::vector<results::SampleRecord> grade_external_samples(const tasks::Task& task,
                                                          const std::vector<tasks::Problem>& problems,
                                                          const std::vector<ExternalSample>& samples,
                                                          const std::filesystem::path& source,
                                                          const GradeOptions& options) {
  const tasks::TaskInfo& info = task.info();
  std::unordered_map<std::string, std::size_t> by_id, by_text;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    by_id.emplace(problems[i].id, i);
    by_text.emplace(collapse_whitespace(problems[i].question), i);
  }

  // Resolve problems; collect unknown ones for a single message.
  std::vector<std::size_t> problem_of(samples.size());
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const ExternalSample& s = samples[i];
    if (s.problem_id) {
      auto it = by_id.find(*s.problem_id);
      if (it == by_id.end()) { unknown.push_back(*s.problem_id); continue; }
      problem_of[i] = it->second;
    } else {
      auto it = by_text.find(collapse_whitespace(*s.problem_text));
      if (it == by_text.end()) { unknown.push_back("text at line " + std::to_string(s.line)); continue; }
      problem_of[i] = it->second;
    }
  }
  if (!unknown.empty()) {
    std::string first;
    for (std::size_t i = 0; i < unknown.size() && i < 5; ++i) first += (i ? ", " : "") + unknown[i];
    throw std::invalid_argument(source.string() + ": " + std::to_string(unknown.size()) +
                                " generation(s) name problems unknown to task '" + info.name + "' (first: " +
                                first + ")");
  }

  // Sample indices: explicit ones first, then the next free index per problem in file order.
  std::vector<int> index_of(samples.size(), -1);
  std::vector<std::set<int>> used(problems.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!samples[i].sample_index) continue;
    if (!used[problem_of[i]].insert(*samples[i].sample_index).second)
      throw std::invalid_argument(where(source, samples[i]) + ": sample " + std::to_string(*samples[i].sample_index) +
                                  " of problem '" + problems[problem_of[i]].id + "' appears twice");
    index_of[i] = *samples[i].sample_index;
  }
  std::vector<int> next_free(problems.size(), 0);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (index_of[i] >= 0) continue;
    int& next = next_free[problem_of[i]];
    while (used[problem_of[i]].count(next)) ++next;
    used[problem_of[i]].insert(next);
    index_of[i] = next;
  }

  std::vector<results::SampleRecord> records(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const ExternalSample& s = samples[i];
    const tasks::Problem& problem = problems[problem_of[i]];
    results::SampleRecord& r = records[i];
    r.task = info.name;
    r.problem_id = problem.id;
    r.sample_index = index_of[i];
    r.seed = sample_seed(options.run_seed, info.name, problem.id, r.sample_index);
    const tasks::Prompt prompt = task.prompt(problem, options.run_seed, r.sample_index);
    r.prompt = prompt.user;
    r.gold = prompt.gold;
    r.choice_order = prompt.choice_order;
    if (!s.choice_order.empty()) {
      r.choice_order = s.choice_order;
      r.gold = gold_letter_for(s.choice_order, source, s, problem.distractors.size() + 1);
    }
    if (s.gold) {
      r.gold = *s.gold;
      // A multiple-choice gold is one of the problem's letters; any other text would grade every sample wrong.
      if (!problem.distractors.empty()) {
        const char last = static_cast<char>('A' + problem.distractors.size());
        const bool letter = r.gold.size() == 1 && std::toupper(static_cast<unsigned char>(r.gold[0])) >= 'A' &&
                            std::toupper(static_cast<unsigned char>(r.gold[0])) <= last;
        if (!letter)
          throw std::invalid_argument(where(source, s) + ": field 'gold': expected a letter from A to " +
                                      std::string(1, last) + ", got '" + r.gold.substr(0, 40) + "'");
        r.gold = std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(r.gold[0]))));
      }
    }
    r.response = s.response;
    r.finish_reason = s.finish_reason.empty() ? "external" : s.finish_reason;
    r.prompt_tokens = s.prompt_tokens;
    r.completion_tokens = s.completion_tokens;
    r.attributes = problem.attributes;
  }

  const TaskGrader grader(info.grader);
  std::optional<tbb::global_control> limit;
  if (options.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, options.threads);
  tbb::parallel_for(std::size_t{0}, records.size(), [&](std::size_t i) {
    results::SampleRecord& r = records[i];
    const auto start = std::chrono::steady_clock::now();
    graders::Verdict verdict = grader.grade(problems[problem_of[i]], r.response, r.gold);
    r.grade_micros = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    r.correct = verdict.correct;
    r.extracted = std::move(verdict.extracted);
    r.reason = std::move(verdict.reason);
  });

  // Stable order for the store: problems in data order, then sample index.
  std::vector<std::size_t> order(records.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(problem_of[a], index_of[a]) < std::pair(problem_of[b], index_of[b]);
  });
  std::vector<results::SampleRecord> sorted;
  sorted.reserve(records.size());
  for (std::size_t i : order) sorted.push_back(std::move(records[i]));
  return sorted;
}

std::string samples_jsonl(const std::vector<results::SampleRecord>& records) {
  std::string lines;
  for (const results::SampleRecord& r : records)
    lines += results::to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return lines;
}

void write_graded_run(const std::filesystem::path& out_dir, const std::vector<results::SampleRecord>& records,
                      const std::vector<results::TaskScores>& scores, const std::string& report_markdown,
                      const std::string& report_html, bool overwrite) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(out_dir, ec);
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw std::runtime_error(out_dir.string() + ": cannot create the output folder (" + ec.message() + ")");
  const auto samples_path = out_dir / "samples.jsonl";
  if (!overwrite && std::filesystem::exists(samples_path))
    throw std::invalid_argument(samples_path.string() + ": already exists (use --force to replace the run)");
  const std::string samples = samples_jsonl(records);
  const std::string scores_json = results::scores_to_json(scores).dump(2) + "\n";
  try {
    // All four or none: a --force over an older run must never leave its scores beside the new samples.
    results::write_files_atomic(out_dir, {{"samples.jsonl", samples},
                                          {"scores.json", scores_json},
                                          {"report.md", report_markdown},
                                          {"report.html", report_html}});
  } catch (...) {
    if (!existed) std::filesystem::remove(out_dir, ec);  // only a folder this call made, and only if empty
    throw;
  }
}

}  // namespace r1eval::harness
