// A synthetic graded run for the HTML report tests: deterministic samples of two tasks and their scores,
// scored by the real score_task (the harness's own scoring lives in a module results may not use).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "results/metrics.h"
#include "results/sample_record.h"

namespace r1eval::results::testing {

struct SyntheticRun {
  std::vector<SampleRecord> samples;
  std::vector<TaskScores> scores;
};

// Scores every task of `samples` as the harness does: one ProblemOutcomes per problem, lengths in tokens
// when every sample of the task has them, answers grouped by exact text. Tasks in first-seen order.
inline std::vector<TaskScores> score_samples(const std::vector<SampleRecord>& samples) {
  std::vector<std::string> task_order;
  std::map<std::string, std::vector<std::string>> problem_order;
  std::map<std::string, std::map<std::string, std::vector<const SampleRecord*>>> grouped;
  std::map<std::string, bool> tokens;
  for (const SampleRecord& s : samples) {
    if (!grouped.count(s.task)) task_order.push_back(s.task);
    auto& problems = grouped[s.task];
    if (!problems.count(s.problem_id)) problem_order[s.task].push_back(s.problem_id);
    problems[s.problem_id].push_back(&s);
    auto [it, fresh] = tokens.emplace(s.task, true);
    it->second = it->second && s.completion_tokens >= 0;
  }
  std::vector<TaskScores> scores;
  for (const std::string& task : task_order) {
    std::vector<ProblemOutcomes> outcomes;
    for (const std::string& id : problem_order[task]) {
      const auto& records = grouped[task][id];
      std::vector<std::optional<std::string>> answers;
      for (const SampleRecord* r : records) answers.push_back(r->extracted);
      const std::vector<int> classes =
          assign_answer_classes(answers, [](const std::string& a, const std::string& b) { return a == b; });
      ProblemOutcomes problem;
      problem.problem_id = id;
      problem.attributes = records.front()->attributes;
      for (std::size_t i = 0; i < records.size(); ++i) {
        const SampleRecord& r = *records[i];
        problem.samples.push_back({r.sample_index, r.correct, classes[i],
                                   tokens[task] ? static_cast<double>(r.completion_tokens)
                                                : static_cast<double>(r.response.size())});
      }
      outcomes.push_back(std::move(problem));
    }
    scores.push_back(score_task(task, outcomes));
    scores.back().length.unit = tokens[task] ? "tokens" : "characters";
  }
  return scores;
}

// `problems` problems per task with `samples_per_problem` samples each. Task "aime24" records token counts
// and truncates its longest responses (finish_reason "length" at 4096 tokens); task "math500" has no token
// counts (lengths in characters) and carries level and subject attributes, one subject full of
// characters HTML must escape. Correctness falls with length and with the problem's difficulty, as in
// real reasoning runs. A fixed 64-bit LCG makes it the same on every machine.
inline SyntheticRun synthetic_run(int problems, int samples_per_problem) {
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next_unit = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
  };
  SyntheticRun run;
  const std::vector<std::string> subjects = {"Algebra", "Geometry", "Counting & <Probability> \"quoted\""};
  for (const std::string task : {"aime24", "math500"}) {
    const bool aime = task == "aime24";
    for (int p = 0; p < problems; ++p) {
      const double difficulty = (p + 0.5) / problems;
      for (int i = 0; i < samples_per_problem; ++i) {
        SampleRecord s;
        s.task = task;
        s.problem_id = task + "-" + std::to_string(p);
        s.sample_index = i;
        s.seed = state;
        const double u = next_unit();
        const double length_fraction = std::min(1.0, 0.15 + 0.6 * difficulty + 0.5 * u * u);
        const int tokens = static_cast<int>(4096 * length_fraction);
        s.finish_reason = tokens >= 4096 ? "length" : "stop";
        const bool correct = s.finish_reason == "stop" && next_unit() > 0.2 + 0.7 * difficulty * length_fraction;
        s.correct = correct;
        s.extracted = correct ? std::optional<std::string>("42")
                              : (s.finish_reason == "length" ? std::nullopt
                                                              : std::optional<std::string>(std::to_string(i % 3)));
        s.response = std::string(static_cast<std::size_t>(tokens / (aime ? 8 : 2)), 'x') + " <b>&amp;</b> \\boxed{" +
                     s.extracted.value_or("") + "}";
        if (aime) s.completion_tokens = tokens;
        if (!aime) {
          s.attributes = {{"level", std::to_string(1 + p % 5)}, {"subject", subjects[static_cast<std::size_t>(p) % 3]}};
        }
        run.samples.push_back(std::move(s));
      }
    }
  }
  run.scores = score_samples(run.samples);
  return run;
}

}  // namespace r1eval::results::testing
