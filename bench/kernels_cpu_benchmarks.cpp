// CPU twins of the kernels at the shapes of R1-Distill-Qwen-1.5B (hidden 1536, 12 q / 2 kv heads of 128,
// intermediate 8960, vocab 151936). bytes_per_second counts the memory each call must touch, so the
// figures compare with the machine's memory bandwidth.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/rope.h"
#include "kernels/sampling.h"

namespace r1eval::kernels {
namespace {

constexpr int kHidden = 1536, kQHeads = 12, kKvHeads = 2, kHeadDim = 128, kInter = 8960, kVocab = 151936;
constexpr int kBlockSize = 16;

std::vector<float> noise(std::size_t n, std::uint32_t seed, float spread = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, spread);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

std::vector<bf16> noise_bf16(std::size_t n, std::uint32_t seed) {
  const std::vector<float> f = noise(n, seed);
  std::vector<bf16> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = to_bf16(f[i]);
  return v;
}

void BM_RmsNormResidual(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  std::vector<float> x = noise(static_cast<std::size_t>(rows) * kHidden, 1), residual = noise(x.size(), 2), out(x.size());
  const std::vector<bf16> weight = noise_bf16(kHidden, 3);
  for (auto _ : state) {
    cpu::rmsnorm_residual<float>(x.data(), residual.data(), out.data(), weight.data(), rows, kHidden, 1e-6f);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(x.size()) * 4 * sizeof(float));
}
BENCHMARK(BM_RmsNormResidual)->Arg(1)->Arg(64)->UseRealTime();

void BM_RmsNormAdd(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  std::vector<float> x = noise(static_cast<std::size_t>(rows) * kHidden, 1), residual = noise(x.size(), 2);
  const std::vector<bf16> weight = noise_bf16(kHidden, 3);
  for (auto _ : state) {
    cpu::rmsnorm_add<float>(x.data(), residual.data(), weight.data(), rows, kHidden, 1e-6f);
    benchmark::DoNotOptimize(residual.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(x.size()) * 3 * sizeof(float));
}
BENCHMARK(BM_RmsNormAdd)->Arg(1)->Arg(64)->UseRealTime();

void BM_QkProjectionNorm(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0)), q_width = 12 * 128, kv_width = 2 * 128;
  std::vector<float> qkv = noise(static_cast<std::size_t>(rows) * (q_width + 2 * kv_width), 4);
  const std::vector<bf16> q_weight = noise_bf16(q_width, 5), k_weight = noise_bf16(kv_width, 6);
  const ProjectionNorm norm{q_weight.data(), k_weight.data(), 1e-6f, nullptr, 0, 0};
  for (auto _ : state) {
    cpu::qk_projection_norm<float>(qkv.data(), rows, q_width, kv_width, norm);
    benchmark::DoNotOptimize(qkv.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(rows) * (q_width + kv_width) * 2 *
                          static_cast<std::int64_t>(sizeof(float)));
}
BENCHMARK(BM_QkProjectionNorm)->Arg(1)->Arg(64)->UseRealTime();

void BM_SiluMul(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const std::vector<float> gate_up = noise(static_cast<std::size_t>(rows) * 2 * kInter, 4);
  std::vector<float> out(static_cast<std::size_t>(rows) * kInter);
  for (auto _ : state) {
    cpu::silu_mul<float>(gate_up.data(), out.data(), rows, kInter);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()) * 3 * sizeof(float));
}
BENCHMARK(BM_SiluMul)->Arg(1)->Arg(64)->UseRealTime();

void BM_GeluTanhMul(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const std::vector<float> gate_up = noise(static_cast<std::size_t>(rows) * 2 * kInter, 4);
  std::vector<float> out(static_cast<std::size_t>(rows) * kInter);
  for (auto _ : state) {
    cpu::gated_activation_mul<float>(gate_up.data(), out.data(), rows, kInter, GateActivation::gelu_tanh);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()) * 3 * sizeof(float));
}
BENCHMARK(BM_GeluTanhMul)->Arg(1)->Arg(64)->UseRealTime();

void BM_EmbeddingGather(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  const std::vector<bf16> table = noise_bf16(static_cast<std::size_t>(4096) * kHidden, 5);
  std::vector<std::int32_t> ids(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) ids[static_cast<std::size_t>(i)] = (i * 977) % 4096;
  std::vector<float> out(static_cast<std::size_t>(count) * kHidden);
  for (auto _ : state) {
    cpu::embedding_gather<float>(ids.data(), count, table.data(), 4096, kHidden, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()) * (2 + 4));
}
BENCHMARK(BM_EmbeddingGather)->Arg(64)->UseRealTime();

// range(1) == 1: with Qwen3's per-head q/k norm (qk_norm_rope_write_kv).
void BM_RopeWriteKv(benchmark::State& state) {
  const int tokens = static_cast<int>(state.range(0));
  const bool qk_norm = state.range(1) != 0;
  const int row = (kQHeads + 2 * kKvHeads) * kHeadDim;
  std::vector<float> qkv = noise(static_cast<std::size_t>(tokens) * row, 6);
  std::vector<std::int32_t> positions(static_cast<std::size_t>(tokens));
  std::iota(positions.begin(), positions.end(), 100);
  std::vector<std::int64_t> slots(positions.begin(), positions.end());
  const int blocks = (tokens + 100) / kBlockSize + 1;
  std::vector<bf16> key(static_cast<std::size_t>(blocks) * kKvHeads * kBlockSize * kHeadDim), value(key.size());
  const KvCacheView cache{key.data(), value.data(), blocks, kBlockSize, kKvHeads, kHeadDim};
  const std::vector<float> inv_freq = rope_inverse_frequencies(RopeConfig{10000.0f}, kHeadDim);
  const Rotary rotary{inv_freq.data(), kHeadDim / 2};
  const std::vector<bf16> q_norm(kHeadDim, to_bf16(1.0f)), k_norm(kHeadDim, to_bf16(1.0f));
  for (auto _ : state) {
    if (qk_norm) {
      cpu::qk_norm_rope_write_kv<float>(qkv.data(), tokens, kQHeads, HeadNorm{q_norm.data(), k_norm.data(), 1e-6f},
                                        positions.data(), slots.data(), rotary, cache);
    } else {
      cpu::rope_write_kv<float>(qkv.data(), tokens, kQHeads, positions.data(), slots.data(), rotary, cache);
    }
    benchmark::DoNotOptimize(key.data());
  }
  state.SetBytesProcessed(state.iterations() * tokens *
                          static_cast<std::int64_t>((2 * (kQHeads + kKvHeads) + kKvHeads) * kHeadDim * 4 + 2 * kKvHeads * kHeadDim * 2));
}
BENCHMARK(BM_RopeWriteKv)->ArgNames({"tokens", "qk_norm"})->ArgsProduct({{1, 256}, {0, 1}})->UseRealTime();

// A batch of sequences with `context` tokens each in a shuffled pool.
struct CacheFixture {
  std::vector<bf16> key, value;
  std::vector<std::int32_t> starts, lens, tables;
  int max_blocks = 0, blocks = 0;
  CacheFixture(int seqs, int context, int query_len) {
    max_blocks = (context + kBlockSize - 1) / kBlockSize;
    blocks = seqs * max_blocks;
    key = noise_bf16(static_cast<std::size_t>(blocks) * kKvHeads * kBlockSize * kHeadDim, 7);
    value = noise_bf16(key.size(), 8);
    std::vector<std::int32_t> pool(static_cast<std::size_t>(blocks));
    std::iota(pool.begin(), pool.end(), 0);
    std::shuffle(pool.begin(), pool.end(), std::mt19937(9));
    tables = pool;
    for (int s = 0; s <= seqs; ++s) starts.push_back(s * query_len);
    lens.assign(static_cast<std::size_t>(seqs), context);
  }
  KvCacheView view() { return KvCacheView{key.data(), value.data(), blocks, kBlockSize, kKvHeads, kHeadDim}; }
  PagedBatch batch(int query_len) const {
    PagedBatch b;
    b.num_seqs = static_cast<int>(lens.size());
    b.query_starts = starts.data();
    b.context_lens = lens.data();
    b.block_tables = tables.data();
    b.max_blocks_per_seq = max_blocks;
    b.max_query_len = query_len;
    b.max_context_len = lens.empty() ? 0 : lens[0];
    return b;
  }
};

void BM_AttentionDecode(benchmark::State& state) {
  const int seqs = static_cast<int>(state.range(0)), context = static_cast<int>(state.range(1));
  CacheFixture f(seqs, context, 1);
  const std::vector<float> q = noise(static_cast<std::size_t>(seqs) * kQHeads * kHeadDim, 10);
  std::vector<float> out(q.size());
  for (auto _ : state) {
    cpu::paged_attention_decode<float>(q.data(), kQHeads * kHeadDim, out.data(), kQHeads, f.view(), f.batch(1), 0.088f,
                                       nullptr);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(seqs) * context * kKvHeads * kHeadDim * 2 * 2);
}
BENCHMARK(BM_AttentionDecode)->Args({1, 4096})->Args({8, 4096})->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_AttentionPrefill(benchmark::State& state) {
  const int tokens = static_cast<int>(state.range(0));
  CacheFixture f(1, tokens, tokens);
  const std::vector<float> q = noise(static_cast<std::size_t>(tokens) * kQHeads * kHeadDim, 11);
  std::vector<float> out(q.size());
  for (auto _ : state) {
    cpu::paged_attention_prefill<float>(q.data(), kQHeads * kHeadDim, out.data(), kQHeads, f.view(), f.batch(tokens),
                                        0.088f);
    benchmark::DoNotOptimize(out.data());
  }
  // Causal: tokens^2 / 2 query-key pairs per head, two multiply-adds per dim (scores and values).
  state.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(tokens) * tokens * kQHeads * kHeadDim * 2.0,
                                                 benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}
BENCHMARK(BM_AttentionPrefill)->Arg(512)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_SampleTopP(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const std::vector<float> logits = noise(static_cast<std::size_t>(rows) * kVocab, 12, 3.0f);
  const std::vector<SamplingParams> params(static_cast<std::size_t>(rows), SamplingParams{0.6f, 0.95f, 0, 0.0f});
  std::vector<SampleKey> keys(static_cast<std::size_t>(rows));
  std::vector<std::int32_t> tokens(static_cast<std::size_t>(rows));
  std::uint32_t position = 0;
  for (auto _ : state) {
    for (auto& k : keys) k.position = position++;
    cpu::sample_tokens(logits.data(), rows, kVocab, params.data(), keys.data(), tokens.data(), nullptr);
    benchmark::DoNotOptimize(tokens.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(logits.size()) * 4);
}
BENCHMARK(BM_SampleTopP)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_Matmul(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1)), k = static_cast<int>(state.range(2));
  const std::vector<float> x = noise(static_cast<std::size_t>(m) * k, 13);
  const std::vector<bf16> w = noise_bf16(static_cast<std::size_t>(n) * k, 14);
  std::vector<float> y(static_cast<std::size_t>(m) * n);
  for (auto _ : state) {
    cpu::matmul(x.data(), w.data(), nullptr, y.data(), m, n, k);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(n) * k * 2);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}
// qkv projection at decode, gate/up at decode and in a 64-token chunk.
BENCHMARK(BM_Matmul)->Args({1, 2048, kHidden})->Args({1, 2 * kInter, kHidden})->Args({64, 2 * kInter, kHidden})
    ->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace r1eval::kernels

BENCHMARK_MAIN();
