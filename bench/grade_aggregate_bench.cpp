// Extract + grade + aggregate a full MATH-500-sized run at k = 64 (32,000 synthetic responses) on one core:
// the bookkeeping cost the harness adds per run, separate from generation. Target: < 1 s.
#include <benchmark/benchmark.h>

#include <tbb/global_control.h>

#include <random>
#include <string>
#include <vector>

#include "graders/math_grader.h"
#include "harness/grading.h"
#include "results/metrics.h"

namespace {

constexpr int kProblems = 500;
constexpr int kSamples = 64;

struct SyntheticRun {
  std::vector<std::string> golds;
  std::vector<std::vector<std::string>> responses;
};

// Long reasoning, then a closing sentence with a boxed answer that is right about 70% of the time and written
// in varied forms (fractions, decimals, spacing), so extraction and comparison do real work.
const SyntheticRun& run() {
  static const SyntheticRun data = [] {
    SyntheticRun r;
    std::mt19937_64 rng(42);
    const std::string thinking = [] {
      std::string t;
      while (t.size() < 3000) t += "We consider the expression $\\frac{a}{b} + \\sqrt{c}$ and simplify it step by step. ";
      return t;
    }();
    for (int p = 0; p < kProblems; ++p) {
      const int num = 1 + static_cast<int>(rng() % 97), den = 2 + static_cast<int>(rng() % 9);
      r.golds.push_back("\\frac{" + std::to_string(num) + "}{" + std::to_string(den) + "}");
      std::vector<std::string> samples;
      for (int s = 0; s < kSamples; ++s) {
        std::string answer;
        switch (rng() % 10) {
          case 0: case 1: case 2: case 3: answer = "\\frac{" + std::to_string(num) + "}{" + std::to_string(den) + "}"; break;
          case 4: case 5: answer = "\\dfrac{" + std::to_string(2 * num) + "}{" + std::to_string(2 * den) + "}"; break;
          case 6: answer = std::to_string(num) + "/" + std::to_string(den); break;
          case 7: answer = std::to_string(num + 1) + "/" + std::to_string(den); break;
          case 8: answer = std::to_string(rng() % 50); break;
          default: answer = "\\frac{" + std::to_string(num) + "}{" + std::to_string(den + 1) + "}"; break;
        }
        samples.push_back("<think>\n" + thinking + "\n</think>\n\nTherefore the answer is $\\boxed{" + answer + "}$.");
      }
      r.responses.push_back(std::move(samples));
    }
    return r;
  }();
  return data;
}

void BM_ExtractGradeAggregate(benchmark::State& state) {
  const SyntheticRun& data = run();
  const auto equal = r1eval::harness::vote_equality(r1eval::tasks::GraderKind::math);
  const tbb::global_control one_core(tbb::global_control::max_allowed_parallelism, 1);
  for (auto _ : state) {
    std::vector<r1eval::results::ProblemOutcomes> problems(kProblems);
    for (int p = 0; p < kProblems; ++p) {
      std::vector<std::optional<std::string>> votes;
      std::vector<bool> correct;
      for (const std::string& response : data.responses[p]) {
        const auto verdict = r1eval::graders::grade_math(response, data.golds[p]);
        votes.push_back(verdict.extracted);
        correct.push_back(verdict.correct);
      }
      const auto classes = r1eval::results::assign_answer_classes(votes, equal);
      problems[p].problem_id = std::to_string(p);
      for (int s = 0; s < kSamples; ++s)
        problems[p].samples.push_back({s, correct[s], classes[s], static_cast<double>(data.responses[p][s].size())});
    }
    benchmark::DoNotOptimize(r1eval::results::score_task("math500", problems));
  }
  state.counters["samples"] = kProblems * kSamples;
  state.counters["us_per_sample"] =
      benchmark::Counter(kProblems * kSamples, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_ExtractGradeAggregate)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
