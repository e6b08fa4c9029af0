// The engine's own host work per step (scheduler, KV block manager, sampling bookkeeping, the step's
// batch), with a backend that computes nothing and returns a token per draw at once: what every step adds
// on the host on top of the device's forward pass. Shapes of the device check's workloads: 1, 16 and 256
// sequences of 512 prompt tokens (prefilled in 8192-token steps) then 512 generated tokens each; and the
// packing of a decode step that a device backend does on top.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "benchmark_step.h"
#include "engine/backend/backend.h"
#include "engine/backend/packed_batch.h"
#include "engine/runtime/engine.h"

namespace r1eval::engine {
namespace {

// R1-Distill-Qwen-1.5B's shape; the forward pass is skipped, so only the vocabulary and the KV layout count.
class ComputeFreeBackend : public Backend {
 public:
  explicit ComputeFreeBackend(std::int64_t blocks) : blocks_(blocks) {
    config_.hidden_size = 1536;
    config_.num_hidden_layers = 28;
    config_.num_attention_heads = 12;
    config_.num_key_value_heads = 2;
    config_.head_dim = 128;
    config_.intermediate_size = 8960;
    config_.vocab_size = 151936;
    config_.max_position_embeddings = 131072;
  }
  const ModelConfig& config() const override { return config_; }
  std::int32_t kv_block_size() const override { return 16; }
  std::int64_t num_kv_blocks() const override { return blocks_; }
  std::vector<float> forward(const ForwardBatch&) override { std::abort(); }  // the engine samples through draws
  std::vector<std::int32_t> forward_and_sample(const ForwardBatch&, const std::vector<TokenDraw>& draws) override {
    std::vector<std::int32_t> tokens(draws.size());
    for (std::size_t i = 0; i < tokens.size(); ++i) tokens[i] = 1000 + static_cast<std::int32_t>(i % 1000);
    return tokens;
  }
  void copy_kv_blocks(const std::vector<BlockCopy>&) override {}

 private:
  ModelConfig config_;
  std::int64_t blocks_;
};

void BM_EngineHostStep(benchmark::State& state) {
  const int seqs = static_cast<int>(state.range(0)), prompt = 512, generate = 512;
  std::int64_t steps = 0;
  double seconds = 0.0;
  for (auto _ : state) {
    ComputeFreeBackend backend(static_cast<std::int64_t>(seqs) * ((prompt + generate) / 16 + 2) + 16);
    EngineOptions options;
    options.scheduler.max_seqs = 256;
    options.scheduler.max_batched_tokens = 8192;
    Engine engine(backend, options);
    std::mt19937 rng(1);
    for (int r = 0; r < seqs; ++r) {
      Request request;
      request.id = static_cast<std::uint64_t>(r) + 1;
      request.prompt.resize(prompt);
      for (auto& token : request.prompt) token = static_cast<std::int32_t>(rng() % 150000);
      request.params.temperature = 0.6;
      request.params.top_p = 0.95;
      request.params.max_tokens = generate;
      request.params.ignore_eos = true;
      engine.add_request(request);
    }
    const auto start = std::chrono::steady_clock::now();
    engine.run_to_completion();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(elapsed);
    seconds += elapsed;
    steps += engine.stats().steps;
  }
  state.counters["steps"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kAvgIterations);
  state.counters["us_per_step"] = 1e6 * seconds / static_cast<double>(steps);
}
BENCHMARK(BM_EngineHostStep)->Arg(1)->Arg(16)->Arg(256)->UseManualTime()->Unit(benchmark::kMicrosecond);

// What a device backend adds on the host per decode step: flattening the step (block tables included) and
// its draws into the one buffer it uploads. `seqs` sequences at context 2048.
void BM_PackDecodeStep(benchmark::State& state) {
  const int seqs = static_cast<int>(state.range(0)), context = 2048;
  ComputeFreeBackend backend(static_cast<std::int64_t>(seqs) * (context / 16 + 2));
  const ForwardBatch batch = bench::benchmark_step(backend, seqs, 1, context, context / 16 + 1,
                                                   [](int s, int pos) { return (s * 31 + pos) % 150000; });
  std::vector<TokenDraw> draws;
  for (int s = 0; s < seqs; ++s)
    draws.push_back({s, {0.6f, 0.95f, 0, 0.0f}, {1, static_cast<std::uint64_t>(s), 0, static_cast<std::uint32_t>(context)}});
  for (auto _ : state) {
    PackedBatch packed = pack_forward_batch(batch);
    benchmark::DoNotOptimize(append_token_draws(packed, draws));
    benchmark::DoNotOptimize(packed.bytes.data());
  }
}
BENCHMARK(BM_PackDecodeStep)->Arg(1)->Arg(256)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace r1eval::engine

BENCHMARK_MAIN();
