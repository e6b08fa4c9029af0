// CUDA kernels at the shapes of R1-Distill-Qwen-1.5B, timed with CUDA events. Each benchmark reports the
// bytes it must move as GB/s and as a percentage of the device's peak memory bandwidth (memory clock x
// bus width, from the driver); BM_DeviceCopy measures what a plain device-to-device copy reaches, the
// practical roofline. Without a CUDA device the program says so and exits 0.
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/moe.h"
#include "kernels/norm.h"
#include "kernels/projection.h"
#include "kernels/rope.h"
#include "kernels/sampling.h"

namespace r1eval::kernels {
namespace {

constexpr int kHidden = 1536, kQHeads = 12, kKvHeads = 2, kHeadDim = 128, kInter = 8960, kVocab = 151936;
constexpr int kBlockSize = 16;

void cuda_ok(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(status));
}

struct DeviceInfo {
  bool present = false;
  std::string name;
  double peak_bytes_per_second = 0.0;
};

const DeviceInfo& device_info() {
  static const DeviceInfo info = [] {
    DeviceInfo d;
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) return d;
    d.present = true;
    cudaDeviceProp props{};
    cuda_ok(cudaGetDeviceProperties(&props, 0), "cudaGetDeviceProperties");
    d.name = props.name;
    int clock_khz = 0, bus_bits = 0;
    cuda_ok(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, 0), "cudaDeviceGetAttribute(clock)");
    cuda_ok(cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, 0), "cudaDeviceGetAttribute(bus)");
    d.peak_bytes_per_second = 2.0 * clock_khz * 1e3 * bus_bits / 8.0;  // double data rate
    return d;
  }();
  return info;
}

// Device memory holding a host vector (or zeros).
template <typename T>
class Buffer {
 public:
  explicit Buffer(const std::vector<T>& host) : size_(host.size()) {
    cuda_ok(cudaMalloc(&data_, std::max<std::size_t>(1, size_) * sizeof(T)), "cudaMalloc");
    if (size_) cuda_ok(cudaMemcpy(data_, host.data(), size_ * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy");
  }
  explicit Buffer(std::size_t size) : size_(size) {
    cuda_ok(cudaMalloc(&data_, std::max<std::size_t>(1, size_) * sizeof(T)), "cudaMalloc");
    cuda_ok(cudaMemset(data_, 0, std::max<std::size_t>(1, size_) * sizeof(T)), "cudaMemset");
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { cudaFree(data_); }
  T* get() const { return data_; }

 private:
  T* data_ = nullptr;
  std::size_t size_;
};

// Cheap deterministic values in [-spread, spread): the large buffers (embedding table, LM head) hold
// hundreds of millions of elements, too many for a normal-distribution generator in a timed script.
// Host data is made once per shape and seed and kept: Google Benchmark runs a benchmark function again for
// every trial iteration count, and remaking hundreds of millions of values each time would cost seconds
// of a device check's few minutes.
const std::vector<bf16>& noise_bf16(std::size_t n, std::uint32_t seed, float spread = 1.0f) {
  static std::map<std::tuple<std::size_t, std::uint32_t, float>, std::vector<bf16>> made;
  auto [it, fresh] = made.try_emplace({n, seed, spread});
  if (fresh) {
    it->second.resize(n);
    std::uint64_t state = 0x9e3779b97f4a7c15ull * (seed + 1);
    for (bf16& x : it->second) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const float unit = static_cast<float>(state >> 40) * (1.0f / 16777216.0f);
      x = to_bf16((2.0f * unit - 1.0f) * spread);
    }
  }
  return it->second;
}
// `count` bytes in [low, low + span), made once per shape and seed as noise_bf16's values are (MXFP4 codes and scales).
const std::vector<std::uint8_t>& random_bytes(std::size_t count, std::uint32_t seed, int low, int span) {
  static std::map<std::tuple<std::size_t, std::uint32_t, int, int>, std::vector<std::uint8_t>> made;
  auto [it, fresh] = made.try_emplace({count, seed, low, span});
  if (fresh) {
    it->second.resize(count);
    std::uint64_t state = 0x9e3779b97f4a7c15ull * (seed + 1);
    for (std::uint8_t& b : it->second) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      b = static_cast<std::uint8_t>(low + static_cast<int>((state >> 33) % static_cast<std::uint64_t>(span)));
    }
  }
  return it->second;
}
// `rows` rows of logits drawn from N(0, 3), made once per row count.
const std::vector<float>& normal_logits(int rows) {
  static std::map<int, std::vector<float>> made;
  auto [it, fresh] = made.try_emplace(rows);
  if (fresh) {
    it->second.resize(static_cast<std::size_t>(rows) * kVocab);
    std::mt19937 rng(12);
    std::normal_distribution<float> dist(0.0f, 3.0f);
    for (float& x : it->second) x = dist(rng);
  }
  return it->second;
}

// Times `launch` with CUDA events and reports bytes moved per call as GB/s and % of peak.
template <typename Launch>
void run_timed(benchmark::State& state, double bytes_per_call, Launch&& launch) {
  launch();
  cuda_ok(cudaDeviceSynchronize(), "warm-up");
  cudaEvent_t start, stop;
  cuda_ok(cudaEventCreate(&start), "cudaEventCreate");
  cuda_ok(cudaEventCreate(&stop), "cudaEventCreate");
  double seconds = 0.0;
  for (auto _ : state) {
    cudaEventRecord(start);
    launch();
    cudaEventRecord(stop);
    cuda_ok(cudaEventSynchronize(stop), "kernel");
    float ms = 0.0f;
    cudaEventElapsedTime(&ms, start, stop);
    state.SetIterationTime(ms / 1e3);
    seconds += ms / 1e3;
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  const double rate = bytes_per_call * static_cast<double>(state.iterations()) / seconds;
  state.counters["GB/s"] = rate / 1e9;
  state.counters["peak_pct"] = 100.0 * rate / device_info().peak_bytes_per_second;
}

void BM_DeviceCopy(benchmark::State& state) {
  const std::size_t bytes = static_cast<std::size_t>(state.range(0)) << 20;
  Buffer<char> a(bytes), b(bytes);
  run_timed(state, 2.0 * bytes, [&] { cudaMemcpyAsync(b.get(), a.get(), bytes, cudaMemcpyDeviceToDevice); });
}
BENCHMARK(BM_DeviceCopy)->Arg(1024)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_RmsNormResidual(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const std::size_t n = static_cast<std::size_t>(rows) * kHidden;
  Buffer<bf16> x(noise_bf16(n, 1)), residual(noise_bf16(n, 2)), out(n), weight(noise_bf16(kHidden, 3));
  run_timed(state, 4.0 * n * sizeof(bf16), [&] {
    cuda::rmsnorm_residual<bf16>(x.get(), residual.get(), out.get(), weight.get(), rows, kHidden, 1e-6f);
  });
}
BENCHMARK(BM_RmsNormResidual)->Arg(1)->Arg(256)->Arg(8192)->UseManualTime()->Unit(benchmark::kMicrosecond);

// OLMo's post-norms: the norm of a block output added to the stream (reads input, residual; writes residual).
void BM_RmsNormAdd(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const std::size_t n = static_cast<std::size_t>(rows) * kHidden;
  Buffer<bf16> x(noise_bf16(n, 1)), residual(noise_bf16(n, 2)), weight(noise_bf16(kHidden, 3));
  run_timed(state, 3.0 * n * sizeof(bf16), [&] {
    cuda::rmsnorm_add<bf16>(x.get(), residual.get(), weight.get(), rows, kHidden, 1e-6f);
  });
}
BENCHMARK(BM_RmsNormAdd)->Arg(1)->Arg(256)->Arg(8192)->UseManualTime()->Unit(benchmark::kMicrosecond);

// OLMo's whole-projection q/k norms over R1-Distill-Qwen-1.5B's widths (12 q heads, 2 kv heads of 128): reads and
// writes q and k of each row.
void BM_QkProjectionNorm(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0)), q_width = 12 * 128, kv_width = 2 * 128;
  const std::size_t n = static_cast<std::size_t>(rows) * (q_width + 2 * kv_width);
  Buffer<bf16> qkv(noise_bf16(n, 4)), q_weight(noise_bf16(q_width, 5)), k_weight(noise_bf16(kv_width, 6));
  const ProjectionNorm norm{q_weight.get(), k_weight.get(), 1e-6f, nullptr, 0, 0};
  run_timed(state, 2.0 * rows * (q_width + kv_width) * sizeof(bf16),
            [&] { cuda::qk_projection_norm<bf16>(qkv.get(), rows, q_width, kv_width, norm); });
}
BENCHMARK(BM_QkProjectionNorm)->Arg(1)->Arg(256)->Arg(8192)->UseManualTime()->Unit(benchmark::kMicrosecond);

// A mixture-of-experts block after the router matmul: routing, grouping, the expert products (on the kernel of the
// second argument: 0 automatic, 1 CUDA cores, 2 tensor cores) and the weighted sum; with `gpt_oss`, gpt-oss's
// biases and clamped SwiGLU (kernels::ExpertForm). Bytes: the weights of the experts the batch touches (all of
// them from a few tokens on; k at one token), once; a prefill-sized batch is bound by arithmetic instead, so its
// counter is also given as TFLOP/s (2 * 3 * hidden * inter per pair). With `mxfp4` the expert matrices are MXFP4
// (gpt-oss as released: 17 bytes per 32 values), random codes and scales.
void run_moe_block(benchmark::State& state, int hidden, int inter, int experts, int k, bool gpt_oss, bool mxfp4 = false) {
  const int rows = static_cast<int>(state.range(0));
  const auto kernel = static_cast<cuda::ExpertKernel>(state.range(1));
  const std::size_t pairs = static_cast<std::size_t>(rows) * k;
  const std::vector<bf16>& router = noise_bf16(static_cast<std::size_t>(rows) * experts, 7, 3.0f);
  std::vector<float> host_logits(router.size());
  for (std::size_t i = 0; i < router.size(); ++i) host_logits[i] = to_float(router[i]);
  Buffer<float> logits(host_logits), weights(pairs);
  Buffer<std::int32_t> ids(pairs), offsets(experts + 1), grouped(pairs), active(experts);
  const int n = static_cast<int>(pairs);
  Buffer<bf16> x(noise_bf16(static_cast<std::size_t>(rows) * hidden, 8));
  Buffer<bf16> gate_up(noise_bf16(mxfp4 ? 1 : static_cast<std::size_t>(experts) * 2 * inter * hidden, 9));
  Buffer<bf16> down(noise_bf16(mxfp4 ? 1 : static_cast<std::size_t>(experts) * hidden * inter, 10));
  Buffer<bf16> gate_up_bias(noise_bf16(static_cast<std::size_t>(experts) * 2 * inter, 11));
  Buffer<bf16> down_bias(noise_bf16(static_cast<std::size_t>(experts) * hidden, 12));
  ExpertForm form;
  if (gpt_oss) {
    form.gate_up_bias = gate_up_bias.get();
    form.down_bias = down_bias.get();
    form.swiglu_limit = 7.0f;
    form.swiglu_alpha = 1.702f;
  }
  const std::size_t gate_up_values = static_cast<std::size_t>(experts) * 2 * inter * hidden;
  const std::size_t down_values = static_cast<std::size_t>(experts) * hidden * inter;
  Buffer<std::uint8_t> gu_codes(random_bytes(mxfp4 ? gate_up_values / 2 : 1, 13, 0, 256)),
      gu_scales(random_bytes(mxfp4 ? gate_up_values / 32 : 1, 14, 120, 4)),
      down_codes(random_bytes(mxfp4 ? down_values / 2 : 1, 15, 0, 256)),
      down_scales(random_bytes(mxfp4 ? down_values / 32 : 1, 16, 120, 4));
  if (mxfp4) {
    form.gate_up_mxfp4 = Mxfp4Weights{gu_codes.get(), gu_scales.get()};
    form.down_mxfp4 = Mxfp4Weights{down_codes.get(), down_scales.get()};
  }
  Buffer<bf16> act(pairs * inter), expert_out(pairs * hidden), out(static_cast<std::size_t>(rows) * hidden);
  const double touched = std::min<double>(experts, static_cast<double>(pairs));
  const double bytes = touched * 3.0 * inter * hidden * (mxfp4 ? 17.0 / 32.0 : static_cast<double>(sizeof(bf16)));
  run_timed(state, bytes, [&] {
    cuda::moe_route(logits.get(), rows, experts, k, true, ids.get(), weights.get());
    cuda::moe_group(ids.get(), n, experts, offsets.get(), grouped.get(), active.get());
    cuda::moe_gate_up_with<bf16>(x.get(), hidden, gate_up.get(), inter, experts, k, offsets.get(), grouped.get(),
                                 active.get(), n, act.get(), kernel, form);
    cuda::moe_down_with<bf16>(act.get(), inter, down.get(), hidden, experts, offsets.get(), grouped.get(), active.get(),
                              n, expert_out.get(), kernel, form);
    cuda::moe_combine<bf16>(expert_out.get(), weights.get(), rows, k, hidden, out.get());
  });
  const double flops = 6.0 * static_cast<double>(pairs) * hidden * inter;
  state.counters["TFLOP/s"] = state.counters["GB/s"] * 1e9 / bytes * flops / 1e12;
}

// Qwen3-30B-A3B's block: hidden 2048, 128 experts of 768, 8 per token.
void BM_MoeBlock(benchmark::State& state) { run_moe_block(state, 2048, 768, 128, 8, false); }
BENCHMARK(BM_MoeBlock)
    ->ArgsProduct({{1, 16, 256, 4096}, {0, 1, 2}})
    ->ArgNames({"tokens", "kernel"})
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// gpt-oss-20b's block: hidden 2880, 32 experts of 2880, 4 per token, with its biases and clamped SwiGLU; its
// experts in bf16 (mxfp4 0) or as released, MXFP4 (1).
void BM_GptOssMoeBlock(benchmark::State& state) {
  run_moe_block(state, 2880, 2880, 32, 4, true, state.range(2) != 0);
}
BENCHMARK(BM_GptOssMoeBlock)
    ->ArgsProduct({{1, 16, 256, 4096}, {0, 1, 2}, {0, 1}})
    ->ArgNames({"tokens", "kernel", "mxfp4"})
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

void BM_SiluMul(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const std::size_t n = static_cast<std::size_t>(rows) * kInter;
  Buffer<bf16> gate_up(noise_bf16(2 * n, 4)), out(n);
  run_timed(state, 3.0 * n * sizeof(bf16), [&] { cuda::silu_mul<bf16>(gate_up.get(), out.get(), rows, kInter); });
}
BENCHMARK(BM_SiluMul)->Arg(1)->Arg(256)->Arg(8192)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_EmbeddingGather(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  Buffer<bf16> table(noise_bf16(static_cast<std::size_t>(kVocab) * kHidden, 5)), out(static_cast<std::size_t>(count) * kHidden);
  std::vector<std::int32_t> ids(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) ids[static_cast<std::size_t>(i)] = (i * 7919) % kVocab;
  Buffer<std::int32_t> d_ids(ids);
  run_timed(state, 2.0 * count * kHidden * sizeof(bf16), [&] {
    cuda::embedding_gather<bf16>(d_ids.get(), count, table.get(), kVocab, kHidden, out.get());
  });
}
BENCHMARK(BM_EmbeddingGather)->Arg(8192)->UseManualTime()->Unit(benchmark::kMicrosecond);

// range(1) == 1: with Qwen3's per-head q/k norm (qk_norm_rope_write_kv), which reads the same bytes.
void BM_RopeWriteKv(benchmark::State& state) {
  const int tokens = static_cast<int>(state.range(0));
  const bool qk_norm = state.range(1) != 0;
  const int row = (kQHeads + 2 * kKvHeads) * kHeadDim;
  Buffer<bf16> qkv(noise_bf16(static_cast<std::size_t>(tokens) * row, 6));
  std::vector<std::int32_t> positions(static_cast<std::size_t>(tokens));
  std::iota(positions.begin(), positions.end(), 0);
  std::vector<std::int64_t> slots(positions.begin(), positions.end());
  const int blocks = tokens / kBlockSize + 1;
  const std::size_t pool = static_cast<std::size_t>(blocks) * kKvHeads * kBlockSize * kHeadDim;
  Buffer<bf16> key(pool), value(pool);
  Buffer<std::int32_t> d_positions(positions);
  Buffer<std::int64_t> d_slots(slots);
  Buffer<float> inv_freq(rope_inverse_frequencies(RopeConfig{10000.0f}, kHeadDim));
  const Rotary rotary{inv_freq.get(), kHeadDim / 2};
  Buffer<bf16> q_norm(noise_bf16(kHeadDim, 7)), k_norm(noise_bf16(kHeadDim, 8));
  const KvCacheView cache{key.get(), value.get(), blocks, kBlockSize, kKvHeads, kHeadDim};
  const double bytes = static_cast<double>(tokens) * ((2.0 * (kQHeads + kKvHeads) + kKvHeads) + 2.0 * kKvHeads) * kHeadDim * 2;
  run_timed(state, bytes, [&] {
    if (qk_norm) {
      cuda::qk_norm_rope_write_kv<bf16>(qkv.get(), tokens, kQHeads, HeadNorm{q_norm.get(), k_norm.get(), 1e-6f},
                                        d_positions.get(), d_slots.get(), rotary, cache);
    } else {
      cuda::rope_write_kv<bf16>(qkv.get(), tokens, kQHeads, d_positions.get(), d_slots.get(), rotary, cache);
    }
  });
}
BENCHMARK(BM_RopeWriteKv)
    ->ArgNames({"tokens", "qk_norm"})
    ->ArgsProduct({{256, 8192}, {0, 1}})
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond);

// Sequences of `context` tokens in a shuffled pool.
struct PagedFixture {
  int max_blocks, blocks;
  std::vector<std::int32_t> starts, lens, tables;
  Buffer<bf16> key, value;
  Buffer<std::int32_t> d_starts, d_lens, d_tables;
  static std::vector<std::int32_t> shuffled(int n) {
    std::vector<std::int32_t> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    std::shuffle(v.begin(), v.end(), std::mt19937(9));
    return v;
  }
  static std::vector<std::int32_t> starts_for(int seqs, int query_len) {
    std::vector<std::int32_t> v;
    for (int s = 0; s <= seqs; ++s) v.push_back(s * query_len);
    return v;
  }
  int head_dim;
  PagedFixture(int seqs, int context, int query_len, int head_dim_ = kHeadDim)
      : max_blocks((context + kBlockSize - 1) / kBlockSize),
        blocks(seqs * max_blocks),
        starts(starts_for(seqs, query_len)),
        lens(static_cast<std::size_t>(seqs), context),
        tables(shuffled(blocks)),
        key(noise_bf16(static_cast<std::size_t>(blocks) * kKvHeads * kBlockSize * head_dim_, 7)),
        value(noise_bf16(static_cast<std::size_t>(blocks) * kKvHeads * kBlockSize * head_dim_, 8)),
        d_starts(starts),
        d_lens(lens),
        d_tables(tables),
        head_dim(head_dim_) {}
  KvCacheView view() const { return KvCacheView{key.get(), value.get(), blocks, kBlockSize, kKvHeads, head_dim}; }
  PagedBatch batch(int query_len) const {
    PagedBatch b;
    b.num_seqs = static_cast<int>(lens.size());
    b.query_starts = d_starts.get();
    b.context_lens = d_lens.get();
    b.block_tables = d_tables.get();
    b.max_blocks_per_seq = max_blocks;
    b.max_query_len = query_len;
    b.max_context_len = lens[0];
    return b;
  }
};

// kernel (cuda::DecodeKernel) 0: as paged_attention_decode picks; 1: 32-key tiles, a lane per key; 2: 8-key
// tiles, four lanes a key; 3: tensor cores.
void BM_AttentionDecode(benchmark::State& state) {
  const int seqs = static_cast<int>(state.range(0)), context = static_cast<int>(state.range(1));
  const auto kernel = static_cast<cuda::DecodeKernel>(state.range(2));
  PagedFixture f(seqs, context, 1);
  Buffer<bf16> q(noise_bf16(static_cast<std::size_t>(seqs) * kQHeads * kHeadDim, 10)), out(static_cast<std::size_t>(seqs) * kQHeads * kHeadDim);
  Buffer<float> workspace(decode_workspace_floats(seqs, kQHeads, kHeadDim, context));
  const double bytes = 2.0 * seqs * static_cast<double>(context) * kKvHeads * kHeadDim * sizeof(bf16);
  run_timed(state, bytes, [&] {
    cuda::paged_attention_decode_with<bf16>(q.get(), kQHeads * kHeadDim, out.get(), kQHeads, f.view(), f.batch(1),
                                            0.088f, workspace.get(), kernel);
  });
}
static_assert(static_cast<int>(cuda::DecodeKernel::cuda_cores_32_key_tiles) == 1 &&
              static_cast<int>(cuda::DecodeKernel::cuda_cores_8_key_tiles) == 2 &&
              static_cast<int>(cuda::DecodeKernel::tensor_cores) == 3);
BENCHMARK(BM_AttentionDecode)
    ->ArgNames({"seqs", "context", "kernel"})
    ->Args({1, 512, 0})->Args({1, 1024, 0})->Args({1, 32768, 0})->Args({64, 16384, 0})->Args({256, 2048, 0})
    ->Args({1, 2048, 1})->Args({1, 2048, 2})->Args({1, 2048, 3})->Args({16, 2048, 1})->Args({16, 2048, 2})
    ->Args({16, 2048, 3})->Args({64, 16384, 1})->Args({64, 16384, 3})->Args({256, 2048, 1})->Args({256, 2048, 3})
    ->UseManualTime()->Unit(benchmark::kMicrosecond);

// A sliding-window layer (Mistral 7B v0.1's 4096) at long contexts: the splits before the window exit at once, so
// the bytes read, and the bound, are the window's keys.
void BM_AttentionDecodeWindow(benchmark::State& state) {
  const int seqs = static_cast<int>(state.range(0)), context = static_cast<int>(state.range(1));
  const int window = static_cast<int>(state.range(2));
  PagedFixture f(seqs, context, 1);
  Buffer<bf16> q(noise_bf16(static_cast<std::size_t>(seqs) * kQHeads * kHeadDim, 12)), out(static_cast<std::size_t>(seqs) * kQHeads * kHeadDim);
  Buffer<float> workspace(decode_workspace_floats(seqs, kQHeads, kHeadDim, context));
  PagedBatch batch = f.batch(1);
  batch.window = window;
  const double bytes = 2.0 * seqs * static_cast<double>(std::min(window, context)) * kKvHeads * kHeadDim * sizeof(bf16);
  run_timed(state, bytes, [&] {
    cuda::paged_attention_decode<bf16>(q.get(), kQHeads * kHeadDim, out.get(), kQHeads, f.view(), batch, 0.088f,
                                       workspace.get());
  });
}
BENCHMARK(BM_AttentionDecodeWindow)
    ->ArgNames({"seqs", "context", "window"})
    ->Args({1, 32768, 4096})->Args({64, 16384, 4096})
    ->UseManualTime()->Unit(benchmark::kMicrosecond);

// gpt-oss's attention sinks (PagedBatch::sinks) beside the same decode without them: the sink joins each head's
// denominator in the merge pass, so the two should read the same bytes in the same time.
void BM_AttentionDecodeSinks(benchmark::State& state) {
  const int seqs = static_cast<int>(state.range(0)), context = static_cast<int>(state.range(1));
  PagedFixture f(seqs, context, 1);
  Buffer<bf16> q(noise_bf16(static_cast<std::size_t>(seqs) * kQHeads * kHeadDim, 14)), out(static_cast<std::size_t>(seqs) * kQHeads * kHeadDim);
  Buffer<bf16> sinks(noise_bf16(kQHeads, 15, 2.0f));
  Buffer<float> workspace(decode_workspace_floats(seqs, kQHeads, kHeadDim, context));
  PagedBatch batch = f.batch(1);
  if (state.range(2) != 0) batch.sinks = sinks.get();
  const double bytes = 2.0 * seqs * static_cast<double>(context) * kKvHeads * kHeadDim * sizeof(bf16);
  run_timed(state, bytes, [&] {
    cuda::paged_attention_decode<bf16>(q.get(), kQHeads * kHeadDim, out.get(), kQHeads, f.view(), batch, 0.088f,
                                       workspace.get());
  });
}
BENCHMARK(BM_AttentionDecodeSinks)
    ->ArgNames({"seqs", "context", "sinks"})
    ->ArgsProduct({{1, 64}, {16384}, {0, 1}})
    ->UseManualTime()->Unit(benchmark::kMicrosecond);

// kernel 1: fp32 on CUDA cores; 2: bf16 tensor cores (cuda::PrefillKernel).
void BM_AttentionPrefill(benchmark::State& state) {
  const int seqs = static_cast<int>(state.range(0)), tokens = static_cast<int>(state.range(1));
  const auto kernel = static_cast<cuda::PrefillKernel>(state.range(2));
  PagedFixture f(seqs, tokens, tokens);
  const std::size_t n = static_cast<std::size_t>(seqs) * tokens * kQHeads * kHeadDim;
  Buffer<bf16> q(noise_bf16(n, 11)), out(n);
  const double bytes = 2.0 * seqs * static_cast<double>(tokens) * kKvHeads * kHeadDim * sizeof(bf16) + 2.0 * n * sizeof(bf16);
  run_timed(state, bytes, [&] {
    cuda::paged_attention_prefill_with<bf16>(q.get(), kQHeads * kHeadDim, out.get(), kQHeads, f.view(), f.batch(tokens),
                                             0.088f, kernel);
  });
  // Prefill is compute-bound: causal query-key pairs x heads x 4 flops per dim (scores and values).
  state.counters["TFLOP/s"] = benchmark::Counter(2.0 * seqs * tokens * static_cast<double>(tokens) * kQHeads * kHeadDim * 1e-12,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
static_assert(static_cast<int>(cuda::PrefillKernel::cuda_cores) == 1 &&
              static_cast<int>(cuda::PrefillKernel::tensor_cores) == 2);
// 8 prompts of 512 (a batch of R1 prompts) and one 16k context recomputed after preemption.
BENCHMARK(BM_AttentionPrefill)
    ->ArgNames({"seqs", "tokens", "kernel"})
    ->Args({8, 512, 1})->Args({8, 512, 2})->Args({1, 16384, 1})->Args({1, 16384, 2})
    ->UseManualTime()->Unit(benchmark::kMicrosecond);

// Phi-3-mini's head dim 96 and Gemma's 256 beside 128, with the same heads: decode (CUDA cores at 96 and 256)
// against the KV bytes read, prefill in TFLOP/s on CUDA cores (kernel 1) and tensor cores (kernel 2).
void BM_AttentionHeadDim(benchmark::State& state) {
  const int head_dim = static_cast<int>(state.range(0)), seqs = static_cast<int>(state.range(1));
  const int context = static_cast<int>(state.range(2));
  const bool decode = state.range(3) != 0;
  const auto prefill_kernel = static_cast<cuda::PrefillKernel>(state.range(4));
  const int query_len = decode ? 1 : context;
  PagedFixture f(seqs, context, query_len, head_dim);
  const std::size_t n = static_cast<std::size_t>(seqs) * query_len * kQHeads * head_dim;
  Buffer<bf16> q(noise_bf16(n, 13)), out(n);
  Buffer<float> workspace(decode ? decode_workspace_floats(seqs, kQHeads, head_dim, context) : 1);
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const double bytes = 2.0 * seqs * static_cast<double>(context) * kKvHeads * head_dim * sizeof(bf16);
  run_timed(state, bytes, [&] {
    if (decode)
      cuda::paged_attention_decode<bf16>(q.get(), kQHeads * head_dim, out.get(), kQHeads, f.view(), f.batch(1), scale,
                                         workspace.get());
    else
      cuda::paged_attention_prefill_with<bf16>(q.get(), kQHeads * head_dim, out.get(), kQHeads, f.view(),
                                               f.batch(query_len), scale, prefill_kernel);
  });
  if (!decode)
    state.counters["TFLOP/s"] = benchmark::Counter(2.0 * seqs * context * static_cast<double>(context) * kQHeads * head_dim * 1e-12,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_AttentionHeadDim)
    ->ArgNames({"head_dim", "seqs", "context", "decode", "kernel"})
    ->ArgsProduct({{96, 128, 256}, {64}, {4096}, {1}, {0}})
    ->ArgsProduct({{96, 128, 256}, {8}, {512}, {0}, {1, 2}})
    ->UseManualTime()->Unit(benchmark::kMicrosecond);

// Gemma's GELU (tanh) * up beside SiLU's kernel, and Gemma 2's soft cap of 256 rows of 256k logits in place.
void BM_GeluTanhMul(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const std::size_t n = static_cast<std::size_t>(rows) * kInter;
  Buffer<bf16> gate_up(noise_bf16(2 * n, 4)), out(n);
  run_timed(state, 3.0 * n * sizeof(bf16), [&] {
    cuda::gated_activation_mul<bf16>(gate_up.get(), out.get(), rows, kInter, GateActivation::gelu_tanh);
  });
}
BENCHMARK(BM_GeluTanhMul)->Arg(1)->Arg(8192)->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_SoftCapLogits(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0)) * 256000;
  Buffer<float> logits(std::vector<float>(n, 3.0f));
  run_timed(state, 2.0 * n * sizeof(float), [&] { cuda::soft_cap_values<float>(logits.get(), n, 30.0f); });
}
BENCHMARK(BM_SoftCapLogits)->Arg(1)->Arg(256)->UseManualTime()->Unit(benchmark::kMicrosecond);

// split 0: one block per row (no workspace); 1: the slice kernels first, as the engine samples.
void BM_SampleTopP(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  const bool split = state.range(1) != 0;
  const std::vector<float>& logits = normal_logits(rows);
  Buffer<float> d_logits(logits);
  Buffer<SamplingParams> params(std::vector<SamplingParams>(static_cast<std::size_t>(rows), SamplingParams{0.6f, 0.95f, 0, 0.0f}));
  Buffer<SampleKey> keys(std::vector<SampleKey>(static_cast<std::size_t>(rows), SampleKey{1, 2, 3, 4}));
  Buffer<std::int32_t> tokens(static_cast<std::size_t>(rows));
  Buffer<std::byte> workspace(split ? sampling_workspace_bytes(rows, kVocab) : 1);
  run_timed(state, static_cast<double>(logits.size()) * sizeof(float), [&] {
    cuda::sample_tokens(d_logits.get(), rows, kVocab, params.get(), keys.get(), tokens.get(),
                        split ? workspace.get() : nullptr);
  });
}
BENCHMARK(BM_SampleTopP)->ArgNames({"rows", "split"})->ArgsProduct({{1, 256}, {0, 1}})->UseManualTime()->Unit(benchmark::kMicrosecond);

// route 0: matmul as the engine calls it; 1: cuBLASLt; 2: the small-batch gemv kernel; 3: gemv adding
// into y (matmul_add_residual, the o and down projections of one rank).
void BM_Matmul(benchmark::State& state) {
  const int route = static_cast<int>(state.range(0)), m = static_cast<int>(state.range(1));
  const int n = static_cast<int>(state.range(2)), k = static_cast<int>(state.range(3));
  Buffer<bf16> x(noise_bf16(static_cast<std::size_t>(m) * k, 13)), w(noise_bf16(static_cast<std::size_t>(n) * k, 14)),
      y(static_cast<std::size_t>(m) * n);
  const double bytes = (static_cast<double>(n) * k + static_cast<double>(m) * k + static_cast<double>(m) * n) * sizeof(bf16);
  const auto product = route == 1   ? cuda::matmul_cublaslt<bf16>
                        : route == 2 ? cuda::matmul_gemv<bf16>
                        : route == 3 ? cuda::matmul_add_residual<bf16>
                                     : cuda::matmul<bf16>;
  run_timed(state, bytes, [&] { product(x.get(), w.get(), nullptr, y.get(), m, n, k, nullptr); });
  state.counters["TFLOP/s"] = benchmark::Counter(2.0 * m * n * static_cast<double>(k) * 1e-12,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
// The four projections of a layer and the LM head: at batches 1 and 4 (bandwidth-bound) through cuBLASLt
// and through the gemv kernel, which the engine uses up to 4 rows; at 256 as the engine runs them.
void matmul_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"route", "m", "n", "k"});
  const int shapes[][2] = {{2048, kHidden}, {kHidden, kHidden}, {2 * kInter, kHidden}, {kHidden, kInter}, {kVocab, kHidden}};
  for (const int m : {1, 4})
    for (const auto& shape : shapes)
      for (const int route : {1, 2}) b->Args({route, m, shape[0], shape[1]});
  b->Args({3, 1, kHidden, kHidden})->Args({3, 1, kHidden, kInter});
  b->Args({0, 256, 2 * kInter, kHidden})->Args({0, 256, kVocab, kHidden});
}
BENCHMARK(BM_Matmul)->Apply(matmul_shapes)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The fused decode projections (projection.h) against the same work in separate kernels, at batches 1
// and 4: what each launch less brings. Gate/up, kernels: 3 = rmsnorm, gemv, silu_mul; 2 = rmsnorm, then
// the pair kernel (the tensor-parallel path); 1 = the pair kernel normalizing its input itself (one rank).
void BM_GateUpSiluMul(benchmark::State& state) {
  const int kernels = static_cast<int>(state.range(0)), m = static_cast<int>(state.range(1));
  Buffer<bf16> x(noise_bf16(static_cast<std::size_t>(m) * kHidden, 15)), norm(noise_bf16(kHidden, 19)),
      normed(static_cast<std::size_t>(m) * kHidden),
      w(noise_bf16(static_cast<std::size_t>(2 * kInter) * kHidden, 16, 0.05f)),
      gate_up(static_cast<std::size_t>(m) * 2 * kInter), act(static_cast<std::size_t>(m) * kInter);
  run_timed(state, 2.0 * kInter * kHidden * sizeof(bf16), [&] {
    if (kernels == 1) {
      cuda::rmsnorm_matmul_silu_mul<bf16>(x.get(), norm.get(), 1e-6f, normed.get(), w.get(), nullptr, gate_up.get(),
                                          act.get(), m, kInter, kHidden);
      return;
    }
    cuda::rmsnorm_residual<bf16>(x.get(), nullptr, normed.get(), norm.get(), m, kHidden, 1e-6f);
    if (kernels == 2) {
      cuda::matmul_silu_mul<bf16>(normed.get(), w.get(), nullptr, gate_up.get(), act.get(), m, kInter, kHidden);
    } else {
      cuda::matmul_gemv<bf16>(normed.get(), w.get(), nullptr, gate_up.get(), m, 2 * kInter, kHidden);
      cuda::silu_mul<bf16>(gate_up.get(), act.get(), m, kInter);
    }
  });
}
BENCHMARK(BM_GateUpSiluMul)->ArgNames({"kernels", "m"})->ArgsProduct({{1, 2, 3}, {1, 4}})
    ->UseManualTime()->Unit(benchmark::kMicrosecond);

void BM_QkvRopeWriteKv(benchmark::State& state) {
  const bool fused = state.range(0) != 0;
  const int m = static_cast<int>(state.range(1));
  const int width = (kQHeads + 2 * kKvHeads) * kHeadDim, blocks = 64;
  Buffer<bf16> x(noise_bf16(static_cast<std::size_t>(m) * kHidden, 17)),
      w(noise_bf16(static_cast<std::size_t>(width) * kHidden, 18, 0.05f)), qkv(static_cast<std::size_t>(m) * width),
      key(static_cast<std::size_t>(blocks) * kKvHeads * kBlockSize * kHeadDim),
      value(static_cast<std::size_t>(blocks) * kKvHeads * kBlockSize * kHeadDim);
  std::vector<std::int32_t> host_positions(static_cast<std::size_t>(m));
  std::vector<std::int64_t> host_slots(static_cast<std::size_t>(m));
  for (int i = 0; i < m; ++i) {
    host_positions[static_cast<std::size_t>(i)] = 500 + i;
    host_slots[static_cast<std::size_t>(i)] = 16 * i + 3;
  }
  Buffer<std::int32_t> positions(host_positions);
  Buffer<std::int64_t> slots(host_slots);
  Buffer<float> inv_freq(rope_inverse_frequencies(RopeConfig{1000000.0f}, kHeadDim));
  const Rotary rotary{inv_freq.get(), kHeadDim / 2};
  const KvCacheView cache{key.get(), value.get(), blocks, kBlockSize, kKvHeads, kHeadDim};
  run_timed(state, static_cast<double>(width) * kHidden * sizeof(bf16), [&] {
    if (fused) {
      cuda::matmul_rope_write_kv<bf16>(x.get(), w.get(), nullptr, qkv.get(), m, kQHeads, kHidden, positions.get(),
                                       slots.get(), rotary, cache);
    } else {
      cuda::matmul_gemv<bf16>(x.get(), w.get(), nullptr, qkv.get(), m, width, kHidden);
      cuda::rope_write_kv<bf16>(qkv.get(), m, kQHeads, positions.get(), slots.get(), rotary, cache);
    }
  });
}
BENCHMARK(BM_QkvRopeWriteKv)->ArgNames({"fused", "m"})->Args({1, 1})->Args({0, 1})->Args({1, 4})->Args({0, 4})
    ->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace r1eval::kernels

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const r1eval::kernels::DeviceInfo& device = r1eval::kernels::device_info();
  if (!device.present) {
    std::printf("no CUDA device: CUDA kernel benchmarks skipped\n");
    return 0;
  }
  benchmark::AddCustomContext("device", device.name);
  benchmark::AddCustomContext("peak_GBps", std::to_string(device.peak_bytes_per_second / 1e9));
  std::printf("%s: peak memory bandwidth %.0f GB/s (memory clock x bus width)\n", device.name.c_str(),
              device.peak_bytes_per_second / 1e9);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
