// The CPU backend against transformers: logits of the tiny fixture models (made by
// tools/make_tiny_checkpoints.py) over 200 positions (64 for the smallest), and their 64-token greedy
// continuations. Covers Qwen2 (qkv bias, untied) in fp32 and bf16, Llama with llama3 rope scaling (tied,
// sharded files) in fp32, and Llama with every bias (untied) in fp16.
#include "engine/backend/cpu/cpu_backend.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "engine_test_support.h"
#include "transformers_reference.h"

namespace r1eval::engine {
namespace {

using testing::fixture_dir;
using testing::SequenceDriver;

// Logits with a NaN at one token: what weights or config values that overflow leave after the forward pass.
class NanLogitsBackend final : public Backend {
 public:
  NanLogitsBackend()
      : config_(parse_model_config(R"({"architectures":["LlamaForCausalLM"],"hidden_size":8,"num_hidden_layers":1,)"
                                   R"("num_attention_heads":2,"intermediate_size":8,"vocab_size":10})", "c")) {}
  const ModelConfig& config() const override { return config_; }
  std::int32_t kv_block_size() const override { return 16; }
  std::int64_t num_kv_blocks() const override { return 1; }
  std::vector<float> forward(const ForwardBatch& batch) override {
    std::vector<float> logits(batch.logit_rows.size() * 10, 0.5f);
    if (!logits.empty()) logits[logits.size() - 3] = std::nanf("");
    return logits;
  }
  void copy_kv_blocks(const std::vector<BlockCopy>&) override {}

 private:
  ModelConfig config_;
};

// The host sampler refuses a NaN logit in a drawn row with one line; read as token 0 it would make garbage samples.
TEST(BackendSampling, ANanLogitIsAnErrorNotTokenZero) {
  NanLogitsBackend backend;
  ForwardBatch batch;
  batch.token_ids = {1};
  batch.positions = {0};
  batch.seq_starts = {0, 1};
  batch.slot_mapping = {0};
  batch.block_tables = {0};
  batch.max_blocks_per_seq = 1;
  batch.logit_rows = {0};
  TokenDraw draw;
  draw.params = {0.0f, 1.0f, 0, 0.0f};
  try {
    backend.forward_and_sample(batch, {draw});
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "the model's logits are not numbers (NaN at token 7): its weights or config.json "
                                     "values overflow in the forward pass");
  }
}

using Reference = testing::TransformersReference;
Reference load_reference(const std::string& model) { return testing::load_transformers_reference(model); }

// A cache big enough for the fixtures' sequences and small enough to allocate in no time.
CpuBackendOptions small_cache(int tensor_parallel = 1, std::int32_t block_size = 16) {
  CpuBackendOptions options;
  options.tensor_parallel = tensor_parallel;
  options.kv_block_size = block_size;
  options.kv_cache_bytes = 4u << 20;
  return options;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float worst = 0.0f;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

std::int32_t argmax(const float* row, std::int64_t n) {
  return static_cast<std::int32_t>(std::max_element(row, row + n) - row);
}

class CpuBackendFixture : public ::testing::TestWithParam<const char*> {};

// All sequences in one ragged batch, prompt processed whole.
TEST_P(CpuBackendFixture, LogitsMatchTransformersInOneRaggedBatch) {
  const Reference ref = load_reference(GetParam());
  CpuBackend backend(fixture_dir(GetParam()).string(), small_cache());
  SequenceDriver driver(backend, 8);
  const std::vector<float> logits = driver.step(ref.sequences);
  const float diff = max_abs_diff(logits, ref.logits);
  RecordProperty("max_abs_diff", std::to_string(diff));
  EXPECT_LT(diff, 1e-4f);
}

// Chunked prefill: the sequences advance a few tokens per step, interleaved, reading earlier keys and
// values back from the paged cache.
TEST_P(CpuBackendFixture, LogitsMatchTransformersInChunks) {
  const Reference ref = load_reference(GetParam());
  CpuBackend backend(fixture_dir(GetParam()).string(), small_cache(1, 4));
  SequenceDriver driver(backend, 32);
  const std::int64_t vocab = backend.config().vocab_size;
  std::vector<std::vector<float>> per_sequence(ref.sequences.size());
  std::vector<std::size_t> done(ref.sequences.size(), 0);
  for (std::size_t step = 0; std::any_of(done.begin(), done.end(), [&, i = std::size_t{0}](std::size_t d) mutable {
         return d < ref.sequences[i++].size();
       });
       ++step) {
    std::vector<std::vector<std::int32_t>> chunks(ref.sequences.size());
    for (std::size_t s = 0; s < ref.sequences.size(); ++s) {
      const std::size_t chunk = 1 + (step + 3 * s) % 9;  // uneven chunk sizes
      const std::size_t end = std::min(ref.sequences[s].size(), done[s] + chunk);
      chunks[s].assign(ref.sequences[s].begin() + static_cast<std::ptrdiff_t>(done[s]),
                       ref.sequences[s].begin() + static_cast<std::ptrdiff_t>(end));
    }
    const std::vector<float> logits = driver.step(chunks);
    std::size_t row = 0;
    for (std::size_t s = 0; s < chunks.size(); ++s) {
      per_sequence[s].insert(per_sequence[s].end(), logits.begin() + static_cast<std::ptrdiff_t>(row * vocab),
                             logits.begin() + static_cast<std::ptrdiff_t>((row + chunks[s].size()) * vocab));
      row += chunks[s].size();
      done[s] += chunks[s].size();
    }
  }
  std::vector<float> all;
  for (const auto& part : per_sequence) all.insert(all.end(), part.begin(), part.end());
  EXPECT_LT(max_abs_diff(all, ref.logits), 1e-4f);
}

TEST_P(CpuBackendFixture, GreedyContinuationIsTokenIdentical) {
  const Reference ref = load_reference(GetParam());
  CpuBackend backend(fixture_dir(GetParam()).string(), small_cache());
  SequenceDriver driver(backend, 8);
  const std::int64_t vocab = backend.config().vocab_size;
  std::vector<float> logits = driver.step({ref.greedy_prompt});
  std::vector<std::int32_t> generated;
  while (generated.size() < ref.greedy_continuation.size()) {
    const std::int32_t next = argmax(logits.data() + logits.size() - static_cast<std::size_t>(vocab), vocab);
    generated.push_back(next);
    logits = driver.step({{next}});
  }
  EXPECT_EQ(generated, ref.greedy_continuation);
}

// Tensor parallelism changes only the order of fp32 sums: within the bound the logits keep against
// transformers (1e-4; reordered sums of a hidden size of 128 already differ by 2.2e-5).
TEST_P(CpuBackendFixture, TensorParallelRanksMatchOneRank) {
  const Reference ref = load_reference(GetParam());
  CpuBackend single(fixture_dir(GetParam()).string(), small_cache());
  const std::vector<float> expected = SequenceDriver(single, 8).step(ref.sequences);
  for (const int ranks : {2, 4}) {
    CpuBackend parallel(fixture_dir(GetParam()).string(), small_cache(ranks));
    EXPECT_EQ(parallel.tensor_parallel(), ranks);
    const std::vector<float> logits = SequenceDriver(parallel, 8).step(ref.sequences);
    ASSERT_EQ(logits.size(), expected.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
      ASSERT_NEAR(logits[i], expected[i], 1e-4f * std::max(1.0f, std::fabs(expected[i]))) << "TP " << ranks << " at " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CpuBackendFixture,
                         ::testing::Values("qwen2_fp32", "qwen2_bf16", "llama_fp32_sharded", "llama_bias_fp16", "qwen3_bf16",
                                           "qwen3_yarn_bf16", "phi3_bf16", "mistral_fp32", "qwen3_moe_bf16",
                                           "mistral_window_fp32", "qwen2_window_fp32", "phi4_mini_longrope_bf16",
                                           "smollm3_bf16", "gemma_bf16", "gemma2_bf16", "gemma3_bf16",
                                           "gemma3_multimodal_bf16", "olmo2_bf16", "olmo3_bf16", "mixtral_bf16",
                                           "glm_bf16", "glm4_bf16", "exaone_bf16", "exaone4_bf16",
                                           "seed_oss_bf16", "granite_bf16", "ernie45_bf16", "gpt_oss_bf16", "gpt_oss_mxfp4",
                                           "qwen3_fp8", "qwen2_fp8_dynamic", "llama_fp8_tensor", "qwen2_w4a16",
                                           "llama_w8a8", "qwen2_awq", "qwen2_gptq"));

// Gemma 3's image-text checkpoint with its language model under transformers 5's in-memory names
// (model.language_model.*) instead of save_pretrained's (language_model.model.*) gives the same logits.
TEST(CpuBackend, ReadsImageTextCheckpointsUnderEitherNaming) {
  const auto dir = testing::scratch_copy("gemma3_multimodal_bf16", "renamed");
  const auto renamed = [](const std::string& name) {
    const std::string saved = "language_model.model.";
    return name.starts_with(saved) ? "model.language_model." + name.substr(saved.size()) : name;
  };
  nlohmann::json index = nlohmann::json::parse(testing::read_file(dir / "model.safetensors.index.json"));
  nlohmann::json weight_map;
  for (const auto& [name, file] : index.at("weight_map").items()) weight_map[renamed(name)] = file;
  index["weight_map"] = weight_map;
  testing::write_file(dir / "model.safetensors.index.json", index.dump());
  for (const char* file : {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}) {
    const nlohmann::json stored = testing::read_header(dir / file);
    nlohmann::json header;
    for (const auto& [name, entry] : stored.items()) header[renamed(name)] = entry;
    testing::rewrite_header(dir / file, header);
  }
  const Reference ref = load_reference("gemma3_multimodal_bf16");
  CpuBackend backend(dir.string(), small_cache());
  SequenceDriver driver(backend, 8);
  EXPECT_LT(max_abs_diff(driver.step(ref.sequences), ref.logits), 1e-4f);
}

// Bytes are read only where MXFP4 blocks and scales are expected: a weight stored as U8 is refused by name.
TEST(CpuBackend, RefusesByteTensorsWhereWeightsAreExpected) {
  const auto dir = testing::scratch_copy("gpt_oss_mxfp4", "u8-router");
  nlohmann::json header = testing::read_header(dir / "model.safetensors");
  nlohmann::json& router = header["model.layers.1.mlp.router.weight"];
  ASSERT_EQ(router["dtype"], "BF16");
  router["dtype"] = "U8";  // the same bytes, as [4, 128] bytes
  router["shape"] = {4, 128};
  testing::rewrite_header(dir / "model.safetensors", header);
  try {
    CpuBackend backend(dir.string(), small_cache());
    FAIL() << "a U8 router weight was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'model.layers.1.mlp.router.weight': dtype U8 where a BF16, F16 or F32 tensor is expected"),
              std::string::npos)
        << e.what();
  }
}

// Quantized codes are read for weight matrices with their scales only. An FP8 matrix without its weight_scale_inv,
// a checkpoint whose config declares no quantized weights, scales of another shape than the matrix needs, a norm
// stored as F8_E4M3, and packed int4 codes of another width than the matrix needs are each refused by name.
TEST(CpuBackend, RefusesFp8TensorsItCannotScale) {
  const auto expect_refusal = [](const std::filesystem::path& dir, const std::string& expected) {
    try {
      CpuBackend backend(dir.string(), small_cache());
      FAIL() << "loaded; expected: " << expected;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  // A copy of `fixture` whose safetensors header `edit` changed (the bytes stay as they are).
  const auto edited = [](const char* fixture, const char* copy, const std::function<void(nlohmann::json&)>& edit) {
    const auto dir = testing::scratch_copy(fixture, copy);
    nlohmann::json header = testing::read_header(dir / "model.safetensors");
    edit(header);
    testing::rewrite_header(dir / "model.safetensors", header);
    return dir;
  };
  expect_refusal(edited("qwen3_fp8", "no-scale",
                        [](nlohmann::json& header) {
                          const std::string scales = "model.layers.1.mlp.up_proj.weight_scale_inv";
                          header[scales + "_renamed"] = header[scales];
                          header.erase(scales);
                        }),
                 "'model.layers.1.mlp.up_proj.weight': dtype F8_E4M3 without its scales "
                 "'model.layers.1.mlp.up_proj.weight_scale_inv'");

  const auto unblocked = testing::scratch_copy("qwen3_fp8", "no-block");
  nlohmann::json config = nlohmann::json::parse(testing::read_file(unblocked / "config.json"));
  config.erase("quantization_config");
  testing::write_file(unblocked / "config.json", config.dump());
  expect_refusal(unblocked, "dtype F8_E4M3, but config.json's quantization_config declares no quantized weights");

  expect_refusal(edited("qwen2_fp8_dynamic", "row-scales",
                        [](nlohmann::json& header) {
                          nlohmann::json& scales = header["model.layers.0.self_attn.o_proj.weight_scale"];
                          ASSERT_EQ(scales["shape"], nlohmann::json({64, 1}));
                          scales["shape"] = {1, 64};  // the same bytes as a row: scales per column
                        }),
                 "'model.layers.0.self_attn.o_proj.weight_scale': shape [1,64] but the scales of "
                 "'model.layers.0.self_attn.o_proj.weight' [64,64] need [64,1]");
  expect_refusal(edited("qwen3_fp8", "fp8-norm",
                        [](nlohmann::json& header) {
                          nlohmann::json& norm = header["model.layers.0.self_attn.q_norm.weight"];
                          ASSERT_EQ(norm["dtype"], "BF16");
                          norm["dtype"] = "F8_E4M3";  // the same bytes, as twice as many float8 values
                          norm["shape"] = {64};
                        }),
                 "'model.layers.0.self_attn.q_norm.weight': dtype F8_E4M3 where a BF16, F16 or F32 tensor is expected");
  expect_refusal(edited("qwen2_w4a16", "narrow-packed",
                        [](nlohmann::json& header) {
                          nlohmann::json& packed = header["model.layers.1.mlp.up_proj.weight_packed"];
                          ASSERT_EQ(packed["shape"], nlohmann::json({96, 8}));
                          packed["shape"] = {192, 4};  // the same words, as if the rows were half as wide
                        }),
                 "'model.layers.1.mlp.up_proj.weight_packed': shape [192,4] but the config needs [96,8]");
}

TEST(CpuBackend, KvCacheStaysWithinItsByteBudget) {
  CpuBackendOptions options;
  options.kv_cache_bytes = 1'000'000;
  options.kv_block_size = 16;
  options.tensor_parallel = 4;  // 2 key/value heads over 4 ranks: replicas count against the budget
  CpuBackend backend(fixture_dir("qwen2_fp32").string(), options);
  const std::uint64_t block_bytes = 2ull * 2 /*layers*/ * 16 * 4 /*kv heads over ranks*/ * 16 * sizeof(float);
  EXPECT_EQ(backend.num_kv_blocks(), static_cast<std::int64_t>(options.kv_cache_bytes / block_bytes));
  options.kv_cache_bytes = 100;
  EXPECT_THROW(CpuBackend(fixture_dir("qwen2_fp32").string(), options), std::invalid_argument);
}

TEST(CpuBackend, RejectsMalformedBatchesWithoutRunning) {
  CpuBackend backend(fixture_dir("qwen2_fp32").string(), small_cache());
  ForwardBatch batch;
  batch.token_ids = {1, 2};
  batch.positions = {0, 1};
  batch.seq_starts = {0, 2};
  batch.slot_mapping = {0, 1};
  batch.block_tables = {0};
  batch.max_blocks_per_seq = 1;
  batch.logit_rows = {1};
  EXPECT_EQ(backend.forward(batch).size(), 256u);
  ForwardBatch bad = batch;
  bad.token_ids[1] = 256;
  EXPECT_THROW(backend.forward(bad), std::invalid_argument);
  bad = batch;
  bad.positions[1] = 5;
  EXPECT_THROW(backend.forward(bad), std::invalid_argument);
  bad = batch;
  bad.slot_mapping[0] = backend.num_kv_blocks() * backend.kv_block_size();
  EXPECT_THROW(backend.forward(bad), std::invalid_argument);
  bad = batch;
  bad.block_tables[0] = -1;
  EXPECT_THROW(backend.forward(bad), std::invalid_argument);
  bad = batch;
  bad.logit_rows = {2};
  EXPECT_THROW(backend.forward(bad), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::engine
