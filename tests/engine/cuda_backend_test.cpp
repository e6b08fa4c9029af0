// The CUDA backend against the CPU backend (the reference, itself checked against transformers in
// cpu_backend_test.cpp), with the checks and bf16 tolerances of backend_parity.h. Runs only where the
// build has CUDA and a device is visible; skips elsewhere (bf16_forward_test.cpp runs the same forward
// pass on the kernels' CPU twins in every build).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "backend_parity.h"
#include "engine/backend/factory/backend_factory.h"
#if R1EVAL_TEST_CUDA_BACKEND
#include "engine/backend/cuda/cuda_backend.h"
#include "engine/backend/cuda/device_buffer.h"
#include "engine/runtime/engine.h"
#endif

namespace r1eval::engine {
namespace {

using testing::parity_checkpoint;
using testing::parity_models;
using testing::ParityModel;

std::unique_ptr<Backend> make(const std::string& dir, BackendKind kind) {
  BackendOptions options;
  options.kind = kind;
  options.kv_block_size = 16;
  options.kv_cache_bytes = 64u << 20;
  return make_backend(dir, options);
}

#define SKIP_WITHOUT_GPU()                                                                          \
  do {                                                                                              \
    if (!cuda_backend_usable()) GTEST_SKIP() << "no CUDA device visible (or built without CUDA)";   \
  } while (0)

class CudaBackendModels : public ::testing::TestWithParam<ParityModel> {};

TEST_P(CudaBackendModels, PrefillLogitsMatchCpuBackend) {
  SKIP_WITHOUT_GPU();
  const std::string dir = parity_checkpoint(GetParam());
  const auto cuda = make(dir, BackendKind::kCuda);
  const auto cpu = make(dir, BackendKind::kCpu);
  RecordProperty("worst_row_relative_error", std::to_string(testing::check_prefill_parity(*cuda, *cpu)));
}

TEST_P(CudaBackendModels, GreedyTokensMatchCpuWhereTheMarginAllows) {
  SKIP_WITHOUT_GPU();
  const std::string dir = parity_checkpoint(GetParam());
  const auto cuda = make(dir, BackendKind::kCuda);
  const auto cpu = make(dir, BackendKind::kCpu);
  RecordProperty("greedy_steps_compared", testing::check_greedy_where_margin_allows(*cuda, *cpu));
}

INSTANTIATE_TEST_SUITE_P(Random, CudaBackendModels, ::testing::ValuesIn(parity_models()),
                         [](const ::testing::TestParamInfo<ParityModel>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(CudaBackend, ChunkedPrefillAndDecodeInOneBatchMatchCpu) {
  SKIP_WITHOUT_GPU();
  const std::string dir = parity_checkpoint(parity_models()[0]);
  const auto cuda = make(dir, BackendKind::kCuda);
  const auto cpu = make(dir, BackendKind::kCpu);
  testing::check_chunked_prefill_and_decode(*cuda, *cpu);
}

TEST(CudaBackend, CopiedKvBlocksContinueLikeTheOriginals) {
  SKIP_WITHOUT_GPU();
  const auto cuda = make(parity_checkpoint(parity_models()[0]), BackendKind::kCuda);
  testing::check_copied_blocks_continue_like_originals(*cuda);
}

// Tokens sampled on the device from the device logits are the tokens the host sampler chooses from the same
// logits copied back (one step with shared rows, whole engine runs with forks).
TEST(CudaBackend, SamplingOnTheDeviceMatchesHostSampling) {
  SKIP_WITHOUT_GPU();
  const auto cuda = make(parity_checkpoint(parity_models()[0]), BackendKind::kCuda);
  testing::check_sampling_in_backend_matches_host(*cuda);
}

#if R1EVAL_TEST_CUDA_BACKEND
// Decode steps replayed from captured CUDA graphs (padded to their shape's bucket) give the logits of the same
// steps run eagerly, within the bf16 tolerance (cuBLASLt may choose other algorithms for the padded row
// count), and graphs are really captured and replayed; sampled engine runs with and without graphs agree.
TEST(CudaBackend, DecodeGraphReplayMatchesEagerSteps) {
  SKIP_WITHOUT_GPU();
  const std::string dir = parity_checkpoint(parity_models()[0]);
  CudaBackendOptions options;
  options.kv_cache_bytes = 64u << 20;
  CudaBackend graphs(dir, options);
  options.cuda_graphs = false;
  CudaBackend eager(dir, options);
  const auto vocab = graphs.config().vocab_size;
  const auto prompts = testing::random_sequences(5, 3, 60, static_cast<int>(vocab), 17);
  testing::SequenceDriver with_graphs(graphs, 8), without(eager, 8);
  with_graphs.step(prompts);
  without.step(prompts);
  for (int round = 0; round < 6; ++round) {
    std::vector<std::vector<std::int32_t>> next;
    for (int s = 0; s < 5; ++s) next.push_back({(round * 5 + s) % static_cast<int>(vocab)});
    testing::expect_bf16_close(with_graphs.step(next), without.step(next), vocab, "decode round " + std::to_string(round));
  }
  EXPECT_EQ(eager.graph_stats().captured, 0);
  EXPECT_GE(graphs.graph_stats().captured, 1);
  EXPECT_GE(graphs.graph_stats().replays, 4);  // round 0 eager, round 1 captured and replayed, then replays
}
#endif

#if R1EVAL_TEST_CUDA_BACKEND
// The out-of-memory test's workload: 4 prompts of 1800-2100 tokens, 2 greedy samples of 6 tokens each, at most
// `batch_tokens` new tokens and 8 sequences a step. Returns the completions and the engine's stats.
std::pair<std::vector<Completion>, EngineStats> run_long_prompts(Backend& backend, std::int64_t batch_tokens) {
  EngineOptions engine_options;
  engine_options.scheduler = SchedulerOptions{batch_tokens, 8};
  Engine engine(backend, engine_options);
  const auto prompts = testing::random_sequences(4, 1800, 2100, static_cast<int>(backend.config().vocab_size), 5);
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    Request request{i, prompts[i], {}, 2, {}};
    request.params.temperature = 0.0;
    request.params.max_tokens = 6;
    request.params.ignore_eos = true;
    engine.add_request(request);
  }
  std::vector<Completion> done = engine.run_to_completion();
  return {std::move(done), engine.stats()};
}

// With the device all but full, a step whose activations do not fit throws DeviceOutOfMemory before anything
// ran; the engine retries it smaller and every sample completes; afterwards the backend still matches the CPU.
TEST(CudaBackend, RunningOutOfMemoryInAStepShrinksTheStep) {
  SKIP_WITHOUT_GPU();
  const std::string dir = parity_checkpoint(parity_models()[0]);
  CudaBackendOptions options;
  options.kv_cache_bytes = 64u << 20;
  options.max_batch_tokens = 64;  // a small workspace to start with: the long prompts must grow it
  options.cuda_graphs = false;
  // With lazy module loading (CUDA's default) a kernel's code is put in device memory at its first launch: a
  // first launch with the device full fails as a plain CUDA error, not the step's DeviceOutOfMemory. So the
  // engine workload runs first on a backend of its own (the measured one's workspace must still start small),
  // unsqueezed at the measured step budget and again at the smaller budgets a shrunk step may take (chunked
  // prefill after a cached prefix, other cuBLASLt shapes): its sampling, decode, attention and cuBLASLt
  // kernels are loaded in this process's context when the memory is taken. Its memory is freed before.
  {
    CudaBackend warm_up(dir, options);
    for (const std::int64_t batch_tokens : {8192, 4096, 2048, 1024}) {
      const auto [done, stats] = run_long_prompts(warm_up, batch_tokens);
      ASSERT_EQ(done.size(), 8u) << "warm-up at " << batch_tokens << " tokens a step";
      ASSERT_EQ(stats.out_of_memory_retries, 0) << "warm-up at " << batch_tokens << " tokens a step";
    }
  }
  CudaBackend cuda(dir, options);
  testing::SequenceDriver(cuda, 8).step(testing::random_sequences(2, 3, 9, 64, 3));  // cuBLASLt state made

  // Hold all but about 24 MiB. The first step (4 whole prompts, about 7800 tokens) needs about 48 MiB of
  // activations, so it cannot fit and must shrink; once halved twice (about 2000 tokens, 12 MiB) it fits with
  // room left for the step's other buffers and for code the warm-up did not load.
  constexpr std::size_t kLeftFree = 24u << 20;
  std::size_t hold = cuda::device_memory().free;
  hold = hold > kLeftFree ? hold - kLeftFree : 0;
  cuda::DeviceBuffer hog;
  while (hold > (2u << 20)) {
    try {
      hog = cuda::DeviceBuffer(hold, "memory held by the test");
      break;
    } catch (const DeviceOutOfMemory&) {
      hold -= 2u << 20;
    }
  }
  ASSERT_GT(hog.size(), 0u);
  RecordProperty("free_bytes_after_hog", std::to_string(cuda::device_memory().free));

  const auto [done, stats] = run_long_prompts(cuda, 8192);
  EXPECT_GT(stats.out_of_memory_retries, 0);
  ASSERT_EQ(done.size(), 8u);
  for (const Completion& c : done) EXPECT_EQ(c.tokens.size(), 6u) << c.request_id << "#" << c.sample_index;

  hog = cuda::DeviceBuffer();
  const auto cpu = make(dir, BackendKind::kCpu);
  testing::check_prefill_parity(cuda, *cpu);
}
#endif

TEST(CudaBackend, RejectsABadBatchWithOneLine) {
  SKIP_WITHOUT_GPU();
  const auto cuda = make(parity_checkpoint(parity_models()[0]), BackendKind::kCuda);
  ForwardBatch batch;
  batch.max_blocks_per_seq = 1;
  batch.seq_starts = {0, 1};
  batch.token_ids = {static_cast<std::int32_t>(cuda->config().vocab_size)};
  batch.positions = {0};
  batch.slot_mapping = {0};
  batch.block_tables = {0};
  try {
    cuda->forward(batch);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("outside the vocabulary"), std::string::npos) << e.what();
  }
}

// The committed fixtures have head_dim 8, 16 and 32, which the attention kernels are not built for: the
// backend says so in one line before touching the device.
TEST(CudaBackend, RejectsAnUnsupportedHeadDimNamingIt) {
  if (!cuda_backend_built()) GTEST_SKIP() << "built without CUDA";
  for (const char* fixture :
       {"qwen2_fp32", "qwen2_bf16", "llama_fp32_sharded", "llama_bias_fp16", "qwen3_bf16", "qwen3_yarn_bf16", "phi3_bf16", "mistral_fp32",
        "phi4_mini_longrope_bf16", "smollm3_bf16"}) {
    try {
      make(testing::fixture_dir(fixture).string(), BackendKind::kCuda);
      FAIL() << fixture << ": expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("head_dim"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace r1eval::engine
