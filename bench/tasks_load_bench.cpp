// Speed of the tasks module on the real benchmark files: loading (read + parse) and prompt building.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "tasks/choice_shuffle.h"
#include "tasks/task.h"

namespace {

using namespace r1eval::tasks;

DataLocator shared_locator() {
  LocatorOptions options;
  options.data_dirs = {std::filesystem::path(R1EVAL_SHARED_DATA)};
  options.allow_download = false;
  return DataLocator(options);
}

void load_task(benchmark::State& state, const char* name) {
  const DataLocator locator = shared_locator();
  const Task* task = find_task(name);
  std::size_t problems = 0;
  for (auto _ : state) {
    const auto loaded = task->load(locator);
    problems = loaded.size();
    benchmark::DoNotOptimize(loaded.data());
  }
  state.counters["problems"] = static_cast<double>(problems);
  state.counters["problems/s"] = benchmark::Counter(static_cast<double>(problems), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_LoadMath500(benchmark::State& state) { load_task(state, "math500"); }
void BM_LoadAime24(benchmark::State& state) { load_task(state, "aime24"); }
// Includes opening the zip, decrypting and inflating the member in memory, and parsing the CSV.
void BM_LoadGpqaZip(benchmark::State& state) { load_task(state, "gpqa_diamond"); }

// Every prompt of one GPQA run with k = 8: what the harness builds before generation starts.
void BM_GpqaPromptsK8(benchmark::State& state) {
  const Task* task = find_task("gpqa_diamond");
  const auto problems = task->load(shared_locator());
  for (auto _ : state) {
    std::size_t bytes = 0;
    for (const auto& p : problems) {
      for (int sample = 0; sample < 8; ++sample) bytes += task->prompt(p, 2025, sample).user.size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * problems.size() * 8));
}

void BM_ChoicePermutation(benchmark::State& state) {
  int sample = 0;
  for (auto _ : state) benchmark::DoNotOptimize(choice_permutation(4, 2025, "recABCDEFGHIJKLMN", sample++));
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_LoadMath500)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadAime24)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadGpqaZip)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GpqaPromptsK8)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ChoicePermutation);

}  // namespace

BENCHMARK_MAIN();
