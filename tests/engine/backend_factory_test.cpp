// make_backend and --backend parsing: what runs on every build, GPU or not.
#include "engine/backend/factory/backend_factory.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "engine/backend/cpu/cpu_backend.h"
#include "engine_test_support.h"
#include "random_checkpoint.h"

namespace r1eval::engine {
namespace {

TEST(BackendFactory, ParsesTheThreeKindsAndNamesABadOne) {
  EXPECT_EQ(parse_backend_kind("cpu"), BackendKind::kCpu);
  EXPECT_EQ(parse_backend_kind("cuda"), BackendKind::kCuda);
  EXPECT_EQ(parse_backend_kind("auto"), BackendKind::kAuto);
  for (const BackendKind kind : {BackendKind::kCpu, BackendKind::kCuda, BackendKind::kAuto})
    EXPECT_EQ(parse_backend_kind(backend_kind_name(kind)), kind);
  try {
    parse_backend_kind("gpu");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--backend: expected cpu, cuda or auto, got 'gpu'");
  }
}

// auto takes CUDA only for what the CUDA backend can run: a GPU per rank, a supported head_dim (the tiny fixtures'
// 16 is not; the random checkpoint's 64 is).
TEST(BackendFactory, AutoIsCudaOnlyWhenUsableWithEnoughGpusAndASupportedHeadDim) {
  testing::RandomCheckpointSpec spec;
  spec.hidden = 128;
  spec.heads = 2;
  spec.intermediate = 64;
  spec.vocab = 64;
  const std::string supported =
      testing::write_random_checkpoint(std::filesystem::path(R1EVAL_TEST_TMP) / "engine" / "auto_hd64", spec).string();
  const std::string unsupported = testing::fixture_dir("qwen2_fp32").string();
  BackendOptions options;
  EXPECT_EQ(resolve_backend_kind(supported, options), cuda_backend_usable() ? BackendKind::kCuda : BackendKind::kCpu);
  EXPECT_EQ(resolve_backend_kind(unsupported, options), BackendKind::kCpu);
  options.tensor_parallel = 2;
  EXPECT_EQ(resolve_backend_kind(supported, options), BackendKind::kCpu);
  options.kind = BackendKind::kCuda;
  EXPECT_EQ(resolve_backend_kind(unsupported, options), BackendKind::kCuda);  // asked for: its error will say why
  EXPECT_FALSE(cuda_backend_usable() && !cuda_backend_built());
}

TEST(BackendFactory, DescribesHowTheBackendRuns) {
  BackendOptions options;
  EXPECT_EQ(backend_description(BackendKind::kCpu, options), "cpu backend");
  EXPECT_EQ(backend_description(BackendKind::kCuda, options), "cuda backend on GPU 0");
  options.tensor_parallel = 2;
  options.cuda_device = 2;
  options.cuda_graphs = false;
  EXPECT_EQ(backend_description(BackendKind::kCpu, options), "cpu backend, tp 2");
  EXPECT_EQ(backend_description(BackendKind::kCuda, options), "cuda backend, tp 2 on GPUs 2-3, no CUDA graphs");
}

// The factory's CPU backend is the CpuBackend itself: the same logits as one built directly.
TEST(BackendFactory, CpuKindBuildsTheCpuBackend) {
  const std::string dir = testing::fixture_dir("qwen2_fp32").string();
  BackendOptions options;
  options.kind = BackendKind::kCpu;
  options.kv_cache_bytes = 4u << 20;
  const auto backend = make_backend(dir, options);
  ASSERT_NE(dynamic_cast<CpuBackend*>(backend.get()), nullptr);
  CpuBackendOptions direct_options;
  direct_options.kv_cache_bytes = 4u << 20;
  CpuBackend direct(dir, direct_options);
  EXPECT_EQ(backend->num_kv_blocks(), direct.num_kv_blocks());
  const std::vector<std::vector<std::int32_t>> seqs = {{1, 5, 9, 200}, {7}};
  EXPECT_EQ(testing::SequenceDriver(*backend, 4).step(seqs), testing::SequenceDriver(direct, 4).step(seqs));
}

TEST(BackendFactory, CudaRefusalsAreOneLine) {
  BackendOptions options;
  options.kind = BackendKind::kCuda;
  const std::string dir = testing::fixture_dir("qwen2_fp32").string();
  if (!cuda_backend_built()) {
    try {
      make_backend(dir, options);
      FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("built without CUDA"), std::string::npos) << e.what();
    }
  }
  options.tensor_parallel = 2;
  EXPECT_THROW(make_backend(dir, options), std::invalid_argument);
}

// The tests' random checkpoint writer makes folders the loader accepts (the CUDA parity tests rely on it).
TEST(BackendFactory, RandomCheckpointsLoadOnTheCpu) {
  testing::RandomCheckpointSpec spec;
  spec.llama = true;
  spec.llama_biases = true;
  spec.dtype = "float16";
  spec.hidden = 128;
  spec.heads = 2;
  spec.intermediate = 96;
  spec.vocab = 64;
  const auto dir = testing::write_random_checkpoint(std::filesystem::path(R1EVAL_TEST_TMP) / "engine" / "random_llama", spec);
  BackendOptions options;
  options.kind = BackendKind::kCpu;
  options.kv_cache_bytes = 1u << 20;
  const auto backend = make_backend(dir.string(), options);
  EXPECT_EQ(backend->config().head_dim, 64);
  EXPECT_TRUE(backend->config().mlp_bias);
  const auto logits = testing::SequenceDriver(*backend, 4).step({{1, 2, 3, 4, 5}});
  ASSERT_EQ(logits.size(), 5u * 64u);
  float spread = 0;
  for (const float v : logits) {
    ASSERT_TRUE(std::isfinite(v));
    spread = std::max(spread, std::fabs(v));
  }
  EXPECT_GT(spread, 0.1f);  // activations of order one, not vanishing through the layers
}

}  // namespace
}  // namespace r1eval::engine
