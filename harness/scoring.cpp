#include "harness/scoring.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "engine/tokenizer/utf8.h"
#include "harness/grading.h"
#include "tasks/task.h"

namespace r1eval::harness {

namespace {

// A problem's "rating" attribute as a number: the whole text, finite (not "abc", "1500abc", "1e400").
double rating_value(const std::string& text, const std::string& problem_id) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  while (used < text.size() && std::isspace(static_cast<unsigned char>(text[used]))) ++used;
  if (used == 0 || used != text.size() || !std::isfinite(value))
    throw std::invalid_argument("problem '" + problem_id + "': attribute 'rating': expected a number, found '" + text + "'");
  return value;
}

// Maximum-likelihood Elo over the rated problems: each problem's solve rate over its samples.
std::optional<results::RatingSummary> rate(const std::vector<results::ProblemOutcomes>& problems,
                                           const results::RatingHistogram* histogram) {
  std::vector<results::ProblemSolveRate> rated;
  for (const results::ProblemOutcomes& p : problems) {
    for (const auto& [key, value] : p.attributes) {
      if (key != "rating" || p.samples.empty()) continue;
      int correct = 0;
      for (const results::SampleOutcome& s : p.samples) correct += s.correct ? 1 : 0;
      rated.push_back({rating_value(value, p.problem_id), static_cast<double>(correct) / p.samples.size(),
                       static_cast<int>(p.samples.size())});
    }
  }
  if (rated.empty()) return std::nullopt;
  const results::RatingEstimate e = results::estimate_rating(rated);
  results::RatingSummary summary{e.rating, e.standard_error, e.prior_used, static_cast<int>(rated.size()),
                                 static_cast<int>(problems.size()), std::nullopt};
  if (histogram) summary.percentile = histogram->percentile(e.rating);
  return summary;
}

// The CodeElo method over the contests the task has samples for; nullopt when it has none of them.
std::optional<results::ContestRatingSummary> rate_contests(const std::vector<results::ProblemOutcomes>& problems,
                                                           const std::vector<results::ContestStandings>& standings,
                                                           const results::RatingHistogram* histogram) {
  std::map<std::string, std::vector<bool>> accepted_by_id;  // normalized problem id -> outcomes in sample order
  for (const results::ProblemOutcomes& p : problems) {
    std::vector<results::SampleOutcome> samples = p.samples;
    std::sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) { return a.sample_index < b.sample_index; });
    std::vector<bool>& accepted = accepted_by_id[normalized_problem_id(p.problem_id)];
    for (const results::SampleOutcome& s : samples) accepted.push_back(s.correct);
  }
  results::ContestRatingSummary summary;
  double sum = 0;
  for (const results::ContestStandings& contest : standings) {
    std::map<std::string, std::vector<bool>> by_index;
    for (const results::ContestProblemSpec& problem : contest.problems)
      if (auto it = accepted_by_id.find(normalized_problem_id(contest.contest_id + problem.index)); it != accepted_by_id.end())
        by_index[problem.index] = it->second;
    if (by_index.empty()) continue;  // a contest of another problem set
    summary.contests.push_back(results::score_contest(contest, by_index));
    sum += summary.contests.back().rating;
  }
  if (summary.contests.empty()) return std::nullopt;
  summary.rating = sum / static_cast<double>(summary.contests.size());
  if (histogram) summary.percentile = histogram->percentile(summary.rating);
  return summary;
}

}  // namespace

std::vector<results::TaskScores> score_records(const std::vector<results::SampleRecord>& records,
                                               const results::RatingHistogram* histogram) {
  RatingInputs inputs;
  inputs.histogram = histogram;
  return score_records(records, inputs);
}

std::vector<results::TaskScores> score_records(const std::vector<results::SampleRecord>& records,
                                               const RatingInputs& inputs) {
  // task -> problem id -> its records. Problems in id order and samples in index order, whatever order the
  // records come in: the bootstrap draws problems by position and votes are grouped in sample order, so
  // `run`, `merge`, `grade` and `report` give the same figures for the same samples.
  std::map<std::string, std::map<std::string, std::vector<const results::SampleRecord*>>> grouped;
  std::map<std::string, bool> all_have_tokens;
  for (const results::SampleRecord& r : records) {
    if (!tasks::find_task(r.task))
      throw std::invalid_argument("samples name unknown task '" + r.task + "'; known: " + tasks::known_task_names());
    grouped[r.task][r.problem_id].push_back(&r);
    auto [it, fresh] = all_have_tokens.emplace(r.task, true);
    it->second = it->second && r.completion_tokens >= 0;
  }
  for (auto& [task, problems] : grouped) {
    for (auto& [id, samples] : problems) {
      std::stable_sort(samples.begin(), samples.end(),
                       [](const auto* a, const auto* b) { return a->sample_index < b->sample_index; });
      for (std::size_t i = 1; i < samples.size(); ++i)
        if (samples[i]->sample_index == samples[i - 1]->sample_index)
          throw std::invalid_argument("sample " + std::to_string(samples[i]->sample_index) + " of " + task + " problem '" +
                                      id + "' appears twice");
    }
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
    for (const auto& [id, samples] : found->second) {
      std::vector<std::optional<std::string>> votes;
      for (const results::SampleRecord* r : samples) votes.push_back(vote_key(kind, r->extracted, r->choice_order));
      const std::vector<int> classes = results::assign_answer_classes(votes, equal);
      results::ProblemOutcomes problem;
      problem.problem_id = id;
      problem.attributes = samples.front()->attributes;
      if (kind == tasks::GraderKind::code && inputs.problem_ratings) {
        if (const std::optional<int> rating = inputs.problem_ratings->find(id)) {
          std::erase_if(problem.attributes, [](const auto& a) { return a.first == "rating"; });
          problem.attributes.push_back({"rating", std::to_string(*rating)});
        }
      }
      for (std::size_t i = 0; i < samples.size(); ++i) {
        const results::SampleRecord& r = *samples[i];
        problem.samples.push_back({r.sample_index, r.correct, classes[i],
                                   tokens ? static_cast<double>(r.completion_tokens)
                                          : static_cast<double>(engine::utf8::code_points(r.response))});
      }
      outcomes.push_back(std::move(problem));
    }
    scores.push_back(results::score_task(name, outcomes));
    // Code tasks set aside problems the judge cannot run, so their graded count is no sign of a partial run.
    if (kind != tasks::GraderKind::code) scores.back().task_problems = static_cast<int>(task->info().expected_size);
    scores.back().length.unit = tokens ? "tokens" : "characters";
    if (kind == tasks::GraderKind::code) {
      scores.back().cons_at.clear();  // majority vote is for final answers
      scores.back().rating = rate(outcomes, inputs.histogram);
      if (inputs.standings) scores.back().contest_rating = rate_contests(outcomes, *inputs.standings, inputs.histogram);
    }
  }
  return scores;
}

}  // namespace r1eval::harness
