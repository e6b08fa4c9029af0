// Tokens/s of the CPU backend and the weight bandwidth it achieves (bytes of weights read per step x
// steps/s). Model: R1EVAL_BENCH_MODEL if set, else the tiny Qwen2 fixture (whose weights fit in cache,
// so its GB/s measures cache, not DRAM, bandwidth).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "benchmark_step.h"
#include "engine/backend/cpu/cpu_backend.h"

namespace {

using r1eval::engine::CpuBackend;
using r1eval::engine::CpuBackendOptions;
using r1eval::engine::ForwardBatch;

std::string bench_model() {
  if (const char* dir = std::getenv("R1EVAL_BENCH_MODEL")) return dir;
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "tests" / "fixtures" / "engine" / "qwen2_fp32")
      .string();
}

// Token ids are a fixed function of sequence and position.
ForwardBatch make_batch(const CpuBackend& backend, int seqs, int new_tokens, int start, int blocks_per_seq) {
  const auto vocab = static_cast<int>(backend.config().vocab_size);
  return r1eval::bench::benchmark_step(backend, seqs, new_tokens, start, blocks_per_seq,
                                       [vocab](int s, int pos) { return (s * 131 + pos * 17) % vocab; });
}

void report(benchmark::State& state, const CpuBackend& backend, std::size_t tokens_per_step) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * tokens_per_step));
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(tokens_per_step), benchmark::Counter::kIsIterationInvariantRate);
  // Weight bytes read per step over time: the roofline quantity for decode (GB/s, 1e9 bytes).
  state.counters["weight_GB/s"] = benchmark::Counter(static_cast<double>(backend.weight_bytes_per_step()) / 1e9,
                                                     benchmark::Counter::kIsIterationInvariantRate);
}

// The backend for a benchmark, or null (the benchmark skipped with the one-line reason) when the model
// folder cannot be loaded.
std::unique_ptr<CpuBackend> load(benchmark::State& state, int tensor_parallel);

CpuBackendOptions options_for(int tensor_parallel) {
  CpuBackendOptions options;
  options.tensor_parallel = tensor_parallel;
  options.kv_cache_bytes = 64u << 20;
  return options;
}

std::unique_ptr<CpuBackend> load(benchmark::State& state, int tensor_parallel) {
  try {
    return std::make_unique<CpuBackend>(bench_model(), options_for(tensor_parallel));
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return nullptr;
  }
}

// Prefill: args {sequences, prompt tokens each, tensor parallel ranks}.
void BM_CpuPrefill(benchmark::State& state) {
  const auto loaded = load(state, static_cast<int>(state.range(2)));
  if (!loaded) return;
  CpuBackend& backend = *loaded;
  const int seqs = static_cast<int>(state.range(0));
  const int tokens = static_cast<int>(state.range(1));
  const ForwardBatch batch = make_batch(backend, seqs, tokens, 0, (tokens + 15) / 16);
  for (auto _ : state) benchmark::DoNotOptimize(backend.forward(batch));
  report(state, backend, batch.num_tokens());
}
BENCHMARK(BM_CpuPrefill)->Args({1, 128, 1})->Args({4, 128, 1})->Args({4, 128, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

// Decode: one new token per sequence at a context of 256 (already in the cache), args {sequences, TP}.
void BM_CpuDecode(benchmark::State& state) {
  const auto loaded = load(state, static_cast<int>(state.range(1)));
  if (!loaded) return;
  CpuBackend& backend = *loaded;
  const int seqs = static_cast<int>(state.range(0));
  constexpr int kContext = 256;
  const int blocks = kContext / 16 + 1;
  backend.forward(make_batch(backend, seqs, kContext, 0, blocks));  // fill the cache
  const ForwardBatch step = make_batch(backend, seqs, 1, kContext, blocks);
  for (auto _ : state) benchmark::DoNotOptimize(backend.forward(step));
  report(state, backend, step.num_tokens());
}
BENCHMARK(BM_CpuDecode)->Args({1, 1})->Args({16, 1})->Args({1, 2})->Args({16, 2})->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
