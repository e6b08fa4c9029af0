// The CUDA backend's speed on a real-size checkpoint (bench/device_check.sh makes one with the shape of
// R1-Distill-Qwen-1.5B), against the memory roofline measured in the same run:
//   roofline of a decode step = (weight bytes + KV bytes the step reads) / device-to-device copy bandwidth.
// Also writes the logits of a fixed prompt and a greedy continuation (--dump) for the parity check
// against the CPU backend and transformers (tools/engine_parity.py).
//
//   engine_cuda_bench --model DIR [--out FILE.md] [--generate 256] [--skip-long] [--decode-only]
//   engine_cuda_bench --model DIR --dump PREFIX --backend cuda|cpu [--prompt-len 32] [--greedy 64]
//   engine_cuda_bench --model DIR --timeline [--seqs 1] [--context 2048] [--steps 8] [--out FILE.md]
//
// Decode workloads run on an unfilled cache region (positions and block tables as in a real step, key and
// value contents irrelevant to speed), so a 64 x 16k-context step costs no 1M-token prefill first.
// --decode-only runs just the decode workloads of up to 16 sequences, where launch gaps weigh most: with
// R1EVAL_DEPENDENT_LAUNCH=0 it measures what programmatic dependent launch brings (the table's head says
// which launches ran). --timeline splits a small-batch eager decode step's device time by kernel.
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "benchmark_step.h"
#include "engine/backend/cuda/cuda_backend.h"
#include "engine/backend/factory/backend_factory.h"
#include "engine/runtime/engine.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/timeline.h"

namespace {

using namespace r1eval::engine;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Device-to-device copy bandwidth (bytes read + bytes written per second) over 1 GiB buffers. Throws when a
// call fails: a failed copy takes no time, and the roofline made from it would flatter every figure.
double measure_copy_bandwidth() {
  const std::size_t bytes = 1ull << 30;
  const auto check = [](cudaError_t status, const char* call) {
    if (status != cudaSuccess)
      throw std::runtime_error(std::string("copy bandwidth: ") + call + ": " + cudaGetErrorString(status));
  };
  struct Resources {  // freed however the measurement ends
    void *a = nullptr, *b = nullptr;
    cudaEvent_t start = nullptr, stop = nullptr;
    ~Resources() {
      if (start != nullptr) cudaEventDestroy(start);
      if (stop != nullptr) cudaEventDestroy(stop);
      cudaFree(a);
      cudaFree(b);
    }
  } r;
  constexpr int kRepeats = 20;
  check(cudaMalloc(&r.a, bytes), "cudaMalloc");
  check(cudaMalloc(&r.b, bytes), "cudaMalloc");
  check(cudaEventCreate(&r.start), "cudaEventCreate");
  check(cudaEventCreate(&r.stop), "cudaEventCreate");
  check(cudaMemcpy(r.b, r.a, bytes, cudaMemcpyDeviceToDevice), "cudaMemcpy (warm-up)");
  check(cudaEventRecord(r.start), "cudaEventRecord");
  for (int i = 0; i < kRepeats; ++i)
    check(cudaMemcpy(i % 2 ? r.a : r.b, i % 2 ? r.b : r.a, bytes, cudaMemcpyDeviceToDevice), "cudaMemcpy");
  check(cudaEventRecord(r.stop), "cudaEventRecord");
  check(cudaEventSynchronize(r.stop), "cudaEventSynchronize");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, r.start, r.stop), "cudaEventElapsedTime");
  if (!(ms > 0)) throw std::runtime_error("copy bandwidth: the copies took no measurable time");
  return 2.0 * static_cast<double>(bytes) * kRepeats / (ms / 1e3);
}

// One step of `seqs` sequences, each adding `new_tokens` random tokens ending at position context - 1.
ForwardBatch make_step(const Backend& backend, int seqs, int new_tokens, int context, std::mt19937& rng) {
  const int block_size = backend.kv_block_size();
  std::uniform_int_distribution<int> token(0, static_cast<int>(backend.config().vocab_size) - 1);
  return r1eval::bench::benchmark_step(backend, seqs, new_tokens, context - new_tokens,
                                       (context + block_size - 1) / block_size,
                                       [&](int, int) { return token(rng); });
}

// One draw per sequence of a decode step, under the R1 protocol's sampling (T 0.6, top-p 0.95).
std::vector<TokenDraw> protocol_draws(int seqs, int context) {
  std::vector<TokenDraw> draws;
  for (int s = 0; s < seqs; ++s)
    draws.push_back({s, {0.6f, 0.95f, 0, 0.0f}, {1, static_cast<std::uint64_t>(s), 0, static_cast<std::uint32_t>(context)}});
  return draws;
}

struct Row {
  std::string workload;
  double tokens_per_second = 0;
  double achieved_gb_per_second = 0;
  double roofline_tokens_per_second = 0;
};

std::string format_row(const Row& r) {
  char line[256];
  if (r.roofline_tokens_per_second > 0) {
    std::snprintf(line, sizeof line, "| %s | %.0f | %.0f | %.0f | %.0f%% |", r.workload.c_str(), r.tokens_per_second,
                  r.achieved_gb_per_second, r.roofline_tokens_per_second,
                  100.0 * r.tokens_per_second / r.roofline_tokens_per_second);
  } else {
    std::snprintf(line, sizeof line, "| %s | %.0f | | | |", r.workload.c_str(), r.tokens_per_second);
  }
  return line;
}

std::string arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return argv[i + 1];
  return fallback;
}
bool flag(int argc, char** argv, const std::string& name) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == name) return true;
  return false;
}

// Logits of every position of a fixed prompt (raw fp32, [prompt_len, vocab]) and `greedy` argmax tokens
// after it, written as PREFIX.logits.bin and PREFIX.json.
int dump(const std::string& model, const std::string& prefix, const std::string& kind, int prompt_len, int greedy) {
  BackendOptions options;
  options.kind = parse_backend_kind(kind);
  options.kv_cache_bytes = 256ull << 20;
  const auto backend = make_backend(model, options);
  const auto vocab = static_cast<std::size_t>(backend->config().vocab_size);
  std::mt19937 rng(2026);
  std::uniform_int_distribution<int> token(0, static_cast<int>(vocab) - 1);
  std::vector<std::int32_t> prompt(static_cast<std::size_t>(prompt_len));
  for (auto& t : prompt) t = token(rng);
  const int block_size = backend->kv_block_size();
  const int blocks = (prompt_len + greedy + block_size) / block_size;
  const auto step = [&](const std::vector<std::int32_t>& ids, int start) {
    ForwardBatch b;
    b.max_blocks_per_seq = blocks;
    b.seq_starts = {0, static_cast<std::int32_t>(ids.size())};
    for (int i = 0; i < static_cast<int>(ids.size()); ++i) {
      b.token_ids.push_back(ids[static_cast<std::size_t>(i)]);
      b.positions.push_back(start + i);
      b.slot_mapping.push_back(start + i);
      b.logit_rows.push_back(i);
    }
    for (int i = 0; i < blocks; ++i) b.block_tables.push_back(i);
    return backend->forward(b);
  };
  std::vector<float> logits = step(prompt, 0);
  {
    std::ofstream out(prefix + ".logits.bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(logits.data()), static_cast<std::streamsize>(logits.size() * sizeof(float)));
  }
  std::vector<std::int32_t> continuation;
  for (int i = 0; i < greedy; ++i) {
    const float* row = logits.data() + logits.size() - vocab;
    const auto next = static_cast<std::int32_t>(std::max_element(row, row + vocab) - row);
    continuation.push_back(next);
    logits = step({next}, prompt_len + i);
  }
  std::ofstream meta(prefix + ".json");
  meta << "{\"backend\": \"" << kind << "\", \"vocab\": " << vocab << ", \"prompt\": [";
  for (std::size_t i = 0; i < prompt.size(); ++i) meta << (i ? ", " : "") << prompt[i];
  meta << "], \"greedy\": [";
  for (std::size_t i = 0; i < continuation.size(); ++i) meta << (i ? ", " : "") << continuation[i];
  meta << "]}\n";
  std::cout << "wrote " << prefix << ".logits.bin and " << prefix << ".json (" << kind << ")\n";
  return 0;
}

int bench(const std::string& model, const std::string& out_path, int generate, bool skip_long, bool decode_only) {
  CudaBackendOptions options;
  options.kv_cache_memory_fraction = 0.80;  // leaves room for the 2 GiB of the copy measurement
  const auto load_start = Clock::now();
  CudaBackend backend(model, options);
  const double load_seconds = seconds_since(load_start);
  const double copy_bw = measure_copy_bandwidth();
  const ModelConfig& cfg = backend.config();
  const double weight_bytes = static_cast<double>(backend.weight_bytes_per_step());
  const double kv_bytes_per_token =
      static_cast<double>(cfg.num_hidden_layers) * 2 * cfg.num_key_value_heads * cfg.head_dim * 2;
  char head[640];
  std::snprintf(head, sizeof head,
                "Model %s: %lld layers, hidden %lld, vocab %lld; %.2f GB of bf16 weights per step; KV %.0f bytes per "
                "token; %lld KV blocks; loaded in %.1f s.\nDevice-to-device copy bandwidth (read + write): %.0f GB/s "
                "(H200 nominal: 4800 GB/s). Kernel launches: %s.\n\n",
                model.c_str(), static_cast<long long>(cfg.num_hidden_layers), static_cast<long long>(cfg.hidden_size),
                static_cast<long long>(cfg.vocab_size), weight_bytes / 1e9, kv_bytes_per_token,
                static_cast<long long>(backend.num_kv_blocks()), load_seconds, copy_bw / 1e9,
                r1eval::kernels::cuda_detail::dependent_launch_enabled() ? "programmatic dependent launch"
                                                                          : "ordinary (no dependent launch)");
  std::vector<Row> rows;
  const auto table_text = [&] {
    std::ostringstream table;
    table << head << "| workload | tokens/s | GB/s read | roofline tokens/s | of roofline |\n|---|---|---|---|---|\n";
    for (const Row& r : rows) table << format_row(r) << "\n";
    return table.str();
  };
  // The file is rewritten after every row, so a run cut short keeps what it measured.
  const auto add_row = [&](Row row) {
    rows.push_back(std::move(row));
    if (!out_path.empty()) std::ofstream(out_path) << table_text();
  };
  std::mt19937 rng(1);

  struct Decode {
    int seqs, context, steps;
  };
  std::vector<Decode> decodes = {{1, 512, 64}, {1, 4096, 32}, {16, 1024, 16}, {64, 2048, 16}, {256, 1536, 16}};
  if (!skip_long) decodes.push_back({64, 16384, 4});
  if (decode_only) std::erase_if(decodes, [](const Decode& d) { return d.seqs > 16; });
  for (const Decode& d : decodes) {
    const std::string name = "decode batch " + std::to_string(d.seqs) + ", context " + std::to_string(d.context);
    const std::int64_t blocks_needed =
        static_cast<std::int64_t>(d.seqs) * ((d.context + d.steps + backend.kv_block_size()) / backend.kv_block_size());
    if (blocks_needed > backend.num_kv_blocks()) {
      std::cerr << name << ": skipped, needs " << blocks_needed << " KV blocks of " << backend.num_kv_blocks() << "\n";
      continue;
    }
    // The engine's step: tokens sampled on the device (T 0.6, top-p 0.95), only their ids copied back.
    const std::vector<TokenDraw> draws = protocol_draws(d.seqs, d.context);
    for (const bool graphs : {true, false}) {
      backend.set_cuda_graphs(graphs);
      // Contexts context+1 ... stay in one graph bucket. Two warm-ups: a new shape runs eagerly first
      // (cuBLASLt plans, workspace), then its graph is captured.
      for (int w = 0; w < 2; ++w) backend.forward_and_sample(make_step(backend, d.seqs, 1, d.context + 1, rng), draws);
      const auto start = Clock::now();
      for (int i = 0; i < d.steps; ++i)
        backend.forward_and_sample(make_step(backend, d.seqs, 1, d.context + 1 + i, rng), draws);
      const double step_seconds = seconds_since(start) / d.steps;
      const double bytes = weight_bytes + kv_bytes_per_token * d.seqs * d.context;
      add_row({name + (graphs ? ", CUDA graph" : ", eager"), d.seqs / step_seconds, bytes / step_seconds / 1e9,
               d.seqs / (bytes / copy_bw)});
    }
  }
  backend.set_cuda_graphs(true);
  if (decode_only) {
    std::cout << table_text();
    return 0;
  }
  // Prompts, and the last 4096-token chunk of a 16k trace recomputed after preemption (attention-heavy).
  struct Prefill {
    int seqs, new_tokens, context;
  };
  for (const Prefill& p : std::vector<Prefill>{{1, 512, 512}, {16, 512, 512}, {1, 4096, 16384}}) {
    backend.forward(make_step(backend, p.seqs, p.new_tokens, p.context, rng));
    const auto start = Clock::now();
    for (int i = 0; i < 3; ++i) backend.forward(make_step(backend, p.seqs, p.new_tokens, p.context, rng));
    add_row({"prefill " + std::to_string(p.seqs) + " x " + std::to_string(p.new_tokens) +
                 (p.context > p.new_tokens ? " at context " + std::to_string(p.context) : std::string()),
             3.0 * p.seqs * p.new_tokens / seconds_since(start), 0, 0});
  }

  // The engine end to end (scheduler, device sampler, decode graphs): 256 prompts of 512 tokens, `generate`
  // tokens each, ignoring end-of-sequence.
  EngineOptions engine_options;
  engine_options.scheduler.max_seqs = 256;
  engine_options.scheduler.max_batched_tokens = 8192;
  Engine engine(backend, engine_options);
  std::uniform_int_distribution<int> token(0, static_cast<int>(cfg.vocab_size) - 1);
  for (std::uint64_t r = 0; r < 256; ++r) {
    Request request;
    request.id = r + 1;
    request.prompt.resize(512);
    for (auto& t : request.prompt) t = token(rng);
    request.params.temperature = 0.6;
    request.params.top_p = 0.95;
    request.params.max_tokens = generate;
    request.params.ignore_eos = true;
    engine.add_request(request);
  }
  const auto engine_start = Clock::now();
  engine.run_to_completion();
  const double engine_seconds = seconds_since(engine_start);
  add_row({"engine: 256 x (512 prompt + " + std::to_string(generate) + " generated), output tokens",
           static_cast<double>(engine.stats().generated_tokens) / engine_seconds, 0, 0});
  const CudaGraphStats graph_stats = backend.graph_stats();
  const EngineStats& stats = engine.stats();
  std::cout << "decode graphs captured " << graph_stats.captured << ", steps replayed " << graph_stats.replays
            << "; engine: " << stats.steps << " steps, " << stats.preemptions << " preemptions, "
            << stats.out_of_memory_retries << " out-of-memory retries\n";

  std::cout << table_text();
  return 0;
}

// Where a small-batch eager decode step's device time goes: the step timed by the wall clock, then again
// with the kernel timeline (kernels/cuda/timeline.h) recording, each kernel's time summed by name. Library
// kernels (cuBLASLt above 4 rows) and copies are not in the table; the gap between the wall-clock step and
// the kernels' sum is launches, copies and the host.
int timeline(const std::string& model, const std::string& out_path, int seqs, int context, int steps) {
  CudaBackendOptions options;
  options.kv_cache_memory_fraction = 0.5;
  CudaBackend backend(model, options);
  backend.set_cuda_graphs(false);
  std::mt19937 rng(3);
  const std::vector<TokenDraw> draws = protocol_draws(seqs, context);
  for (int w = 0; w < 2; ++w) backend.forward_and_sample(make_step(backend, seqs, 1, context + 1, rng), draws);
  const auto start = Clock::now();
  for (int i = 0; i < steps; ++i) backend.forward_and_sample(make_step(backend, seqs, 1, context + 1 + i, rng), draws);
  const double wall_us = 1e6 * seconds_since(start) / steps;
  r1eval::kernels::cuda::timeline_start();
  for (int i = 0; i < steps; ++i) backend.forward_and_sample(make_step(backend, seqs, 1, context + 1 + i, rng), draws);
  const std::vector<r1eval::kernels::cuda::KernelTime> times = r1eval::kernels::cuda::timeline_stop();
  double kernels_us = 0;
  for (const auto& k : times) kernels_us += k.total_us / steps;
  std::ostringstream table;
  char line[320];
  std::snprintf(line, sizeof line,
                "Eager decode step, %d sequence(s) at context %d (%s): %.1f us a step by the wall clock; the kernels "
                "below sum to %.1f us a step (each timed alone between events).\n\n",
                seqs, context,
                r1eval::kernels::cuda_detail::dependent_launch_enabled() ? "programmatic dependent launch"
                                                                          : "ordinary launches",
                wall_us, kernels_us);
  table << line << "| kernel | calls a step | us a call | us a step | share |\n|---|---:|---:|---:|---:|\n";
  for (const auto& k : times) {
    const double per_step = k.total_us / steps;
    std::snprintf(line, sizeof line, "| %s | %.1f | %.2f | %.1f | %.1f%% |\n", k.name.c_str(),
                  static_cast<double>(k.calls) / steps, k.total_us / static_cast<double>(k.calls), per_step,
                  100.0 * per_step / kernels_us);
    table << line;
  }
  std::cout << table.str();
  if (!out_path.empty()) std::ofstream(out_path) << table.str();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model = arg(argc, argv, "--model", "");
  if (model.empty()) {
    std::cerr << "usage: engine_cuda_bench --model DIR [--out FILE.md] [--generate N] [--skip-long] [--decode-only] | "
                 "--model DIR --dump PREFIX --backend cuda|cpu [--prompt-len N] [--greedy N] | "
                 "--model DIR --timeline [--seqs 1] [--context 2048] [--steps 8] [--out FILE.md]\n";
    return 2;
  }
  try {
    if (flag(argc, argv, "--timeline")) {
      return timeline(model, arg(argc, argv, "--out", ""), std::stoi(arg(argc, argv, "--seqs", "1")),
                      std::stoi(arg(argc, argv, "--context", "2048")), std::stoi(arg(argc, argv, "--steps", "8")));
    }
    const std::string prefix = arg(argc, argv, "--dump", "");
    if (!prefix.empty()) {
      return dump(model, prefix, arg(argc, argv, "--backend", "cuda"), std::stoi(arg(argc, argv, "--prompt-len", "32")),
                  std::stoi(arg(argc, argv, "--greedy", "64")));
    }
    return bench(model, arg(argc, argv, "--out", ""), std::stoi(arg(argc, argv, "--generate", "256")),
                 flag(argc, argv, "--skip-long"), flag(argc, argv, "--decode-only"));
  } catch (const std::exception& e) {
    std::cerr << "engine_cuda_bench: " << e.what() << "\n";
    return 2;
  }
}
