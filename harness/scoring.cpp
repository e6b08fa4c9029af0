#include "harness/scoring.h"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "harness/grading.h"
#include "tasks/task.h"

namespace r1eval::harness {

namespace {

// Maximum-likelihood Elo over the rated problems: each problem's solve rate over its samples.
std::optional<results::RatingSummary> rate(const std::vector<results::ProblemOutcomes>& problems,
                                           const results::RatingHistogram* histogram) {
  std::vector<results::ProblemSolveRate> rated;
  for (const results::ProblemOutcomes& p : problems) {
    for (const auto& [key, value] : p.attributes) {
      if (key != "rating" || p.samples.empty()) continue;
      int correct = 0;
      for (const results::SampleOutcome& s : p.samples) correct += s.correct ? 1 : 0;
      rated.push_back({std::stod(value), static_cast<double>(correct) / p.samples.size(),
                       static_cast<int>(p.samples.size())});
    }
  }
  if (rated.empty()) return std::nullopt;
  const results::RatingEstimate e = results::estimate_rating(rated);
  results::RatingSummary summary{e.rating, e.standard_error, e.prior_used, static_cast<int>(rated.size()), std::nullopt};
  if (histogram) summary.percentile = histogram->percentile(e.rating);
  return summary;
}

}  // namespace

std::vector<results::TaskScores> score_records(const std::vector<results::SampleRecord>& records,
                                               const results::RatingHistogram* histogram) {
  // task -> problem id -> indices of its records, problems kept in first-seen order.
  std::map<std::string, std::vector<std::string>> problem_order;
  std::map<std::string, std::map<std::string, std::vector<const results::SampleRecord*>>> grouped;
  std::map<std::string, bool> all_have_tokens;
  for (const results::SampleRecord& r : records) {
    if (!tasks::find_task(r.task))
      throw std::invalid_argument("samples name unknown task '" + r.task + "'; known: " + tasks::known_task_names());
    auto& problems = grouped[r.task];
    if (!problems.count(r.problem_id)) problem_order[r.task].push_back(r.problem_id);
    problems[r.problem_id].push_back(&r);
    auto [it, fresh] = all_have_tokens.emplace(r.task, true);
    it->second = it->second && r.completion_tokens >= 0;
  }

  std::vector<results::TaskScores> scores;
  for (const auto& task : tasks::all_tasks()) {
    const std::string& name = task->info().name;
    auto found = grouped.find(name);
    if (found == grouped.end()) continue;
    const tasks::GraderKind kind = task->info().grader;
    const auto equal = vote_equality(kind);
    const bool tokens = all_have_tokens[name];
    std::vector<results::ProblemOutcomes> outcomes;
    for (const std::string& id : problem_order[name]) {
      const auto& samples = found->second.at(id);
      std::vector<std::optional<std::string>> votes;
      for (const results::SampleRecord* r : samples) votes.push_back(vote_key(kind, r->extracted, r->choice_order));
      const std::vector<int> classes = results::assign_answer_classes(votes, equal);
      results::ProblemOutcomes problem;
      problem.problem_id = id;
      problem.attributes = samples.front()->attributes;
      for (std::size_t i = 0; i < samples.size(); ++i) {
        const results::SampleRecord& r = *samples[i];
        problem.samples.push_back({r.sample_index, r.correct, classes[i],
                                   tokens ? static_cast<double>(r.completion_tokens)
                                          : static_cast<double>(r.response.size())});
      }
      outcomes.push_back(std::move(problem));
    }
    scores.push_back(results::score_task(name, outcomes));
    scores.back().length.unit = tokens ? "tokens" : "characters";
    if (kind == tasks::GraderKind::code) {
      scores.back().cons_at.clear();  // majority vote is for final answers
      scores.back().rating = rate(outcomes, histogram);
    }
  }
  return scores;
}

}  // namespace r1eval::harness
