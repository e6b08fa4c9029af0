// Speed of the scoring math on shapes of real runs: the bootstrap over problems (2000 resamples x 500
// problems must take milliseconds), pass@k at large n, and score_task for AIME (30 x 64) and MATH-500
// (500 x 4) shaped runs.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>

#include "results/metrics.h"

namespace {

using r1eval::results::ProblemOutcomes;
using r1eval::results::SampleOutcome;

std::vector<ProblemOutcomes> synthetic_run(int problems, int samples, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto uniform = [&rng] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  std::vector<ProblemOutcomes> out(static_cast<std::size_t>(problems));
  for (int p = 0; p < problems; ++p) {
    ProblemOutcomes& problem = out[static_cast<std::size_t>(p)];
    problem.problem_id = std::to_string(p);
    problem.attributes = {{"level", std::to_string(1 + p % 5)}};
    const double skill = uniform();
    for (int s = 0; s < samples; ++s) {
      SampleOutcome o;
      o.sample_index = s;
      o.correct = uniform() < skill;
      o.answer_class = o.correct ? 0 : 1 + static_cast<int>(uniform() * 4);
      o.length = 1000 + 20000 * uniform();
      problem.samples.push_back(o);
    }
  }
  return out;
}

void BM_EstimateMeanBootstrap(benchmark::State& state) {
  const int problems = static_cast<int>(state.range(0));
  std::vector<double> values;
  for (int i = 0; i < problems; ++i) values.push_back((i * 7919 % 1000) / 1000.0);
  r1eval::results::ScoreOptions options;
  options.bootstrap_resamples = static_cast<int>(state.range(1));
  for (auto _ : state) benchmark::DoNotOptimize(r1eval::results::estimate_mean(values, options));
  state.counters["draws/s"] = benchmark::Counter(static_cast<double>(problems) * options.bootstrap_resamples,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EstimateMeanBootstrap)->Args({500, 2000})->Args({30, 2000})->Args({198, 2000})->Unit(benchmark::kMillisecond);

void BM_PassAtK(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    double sum = 0;
    for (int k = 1; k <= n; k *= 2) sum += r1eval::results::pass_at_k(n, n / 3, k);
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_PassAtK)->Arg(64)->Arg(1000)->Arg(4000);

void BM_ScoreTask(benchmark::State& state) {
  const auto run = synthetic_run(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)), 7);
  for (auto _ : state) benchmark::DoNotOptimize(r1eval::results::score_task("synthetic", run));
  state.counters["samples"] = static_cast<double>(state.range(0) * state.range(1));
}
BENCHMARK(BM_ScoreTask)->Args({30, 64})->Args({500, 4})->Args({198, 8})->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
