// Checks of a bf16 backend (the CUDA backend, or its forward pass on the CPU twins) against the fp32 CPU
// backend, shared by cuda_backend_test.cpp and bf16_forward_test.cpp.
//
// Tolerance. The bf16 path keeps weights, activations and the KV cache in bf16 (8 significant bits: each
// stored value is off by at most 2^-9 relative) and accumulates in fp32; the CPU backend is fp32 throughout.
// A layer stores about ten bf16 intermediates (residual, norm output, q/k/v, the cache, attention output,
// projections, gate/up, activation); independent rounding errors add in quadrature, so after the 2 layers of
// these models a logit row is expected to be off by ~2^-9 * sqrt(20) ~ 1% of its size at worst and less on
// average. Every row's relative L2 error must stay under 2e-2, and the mean over rows under 1e-2 (the
// issue's bound). bf16_forward_test measures what the CPU twins reach (recorded as a test property), which
// is what the CUDA kernels, equal to the twins up to fp32 summation order, should reach too.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <numeric>
#include <ostream>
#include <random>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "engine/backend/backend.h"
#include "engine/runtime/engine.h"
#include "engine_test_support.h"
#include "random_checkpoint.h"

namespace r1eval::engine::testing {

inline constexpr float kBf16RowTolerance = 2e-2f;
inline constexpr float kBf16MeanTolerance = 1e-2f;

// Relative L2 error of each row of `actual` against `expected`, [rows, vocab].
inline std::vector<float> row_errors(const std::vector<float>& actual, const std::vector<float>& expected,
                                     std::int64_t vocab) {
  EXPECT_EQ(actual.size(), expected.size());
  std::vector<float> errors;
  const auto v = static_cast<std::size_t>(vocab);
  for (std::size_t row = 0; (row + 1) * v <= std::min(actual.size(), expected.size()); ++row) {
    double diff = 0, norm = 0;
    for (std::size_t i = 0; i < v; ++i) {
      const double a = actual[row * v + i], e = expected[row * v + i];
      diff += (a - e) * (a - e);
      norm += e * e;
    }
    errors.push_back(static_cast<float>(std::sqrt(diff / std::max(norm, 1e-30))));
  }
  return errors;
}

struct Bf16Bounds {
  float worst_row = kBf16RowTolerance;
  float mean_row = kBf16MeanTolerance;
};

// Returns the worst row error (also recorded as a test property named after `what`).
inline float expect_bf16_close(const std::vector<float>& actual, const std::vector<float>& expected, std::int64_t vocab,
                               const std::string& what, Bf16Bounds bounds = {}) {
  const std::vector<float> errors = row_errors(actual, expected, vocab);
  EXPECT_FALSE(errors.empty()) << what;
  if (errors.empty()) return 0;
  const float worst = *std::max_element(errors.begin(), errors.end());
  const float mean = std::accumulate(errors.begin(), errors.end(), 0.0f) / static_cast<float>(errors.size());
  EXPECT_LT(worst, bounds.worst_row) << what;
  EXPECT_LT(mean, bounds.mean_row) << what;
  for (const float value : actual) {
    EXPECT_TRUE(std::isfinite(value)) << what;
    if (!std::isfinite(value)) break;
  }
  return worst;
}

struct ParityModel {
  const char* name;
  RandomCheckpointSpec spec;
};
// GoogleTest prints a parameter by its name, not its bytes.
inline void PrintTo(const ParityModel& model, std::ostream* os) { *os << model.name; }

// Shapes the CUDA attention kernels support (head_dim 64 and 128), over the dense architectures the bf16 forward
// runs, every bias layout, tied and untied heads, the RoPE scalings, and bf16 / fp16 / fp32 checkpoints.
inline std::vector<ParityModel> parity_models() {
  RandomCheckpointSpec qwen_bf16;  // Qwen2, qkv bias, untied, head_dim 64
  RandomCheckpointSpec qwen_fp32 = qwen_bf16;
  qwen_fp32.dtype = "float32";
  qwen_fp32.heads = 2;  // head_dim 128
  qwen_fp32.kv_heads = 1;
  RandomCheckpointSpec llama_fp16;  // every bias, untied, fp16 rounded to bf16 on upload
  llama_fp16.llama = true;
  llama_fp16.llama_biases = true;
  llama_fp16.dtype = "float16";
  RandomCheckpointSpec llama_tied = llama_fp16;  // tied head, llama3 rope scaling, head_dim 128, no bias
  llama_tied.llama_biases = false;
  llama_tied.tied = true;
  llama_tied.llama3_rope_scaling = true;
  llama_tied.dtype = "bfloat16";
  llama_tied.heads = 2;
  llama_tied.kv_heads = 2;
  RandomCheckpointSpec qwen3;  // per-head q/k norms; q heads x head_dim (512) wider than hidden (256), as in Qwen3
  qwen3.qwen3 = true;
  qwen3.head_dim = 128;
  qwen3.tied = true;
  RandomCheckpointSpec qwen3_yarn = qwen3;  // YaRN: other frequencies and a larger attention scale
  qwen3_yarn.yarn_rope_scaling = true;
  qwen3_yarn.tied = false;
  RandomCheckpointSpec phi3;  // fused q/k/v and gate/up matrices, GQA 4:2
  phi3.phi3 = true;
  phi3.dtype = "float32";
  RandomCheckpointSpec phi4_mini = phi3;  // a partial rotary embedding with LongRoPE's factors and attention factor
  phi4_mini.phi4_mini_rope = true;
  phi4_mini.tied = true;
  phi4_mini.dtype = "bfloat16";
  RandomCheckpointSpec phi3_window = phi3;  // Phi-3-mini's sliding window on every layer (2047 there; 24 here)
  phi3_window.sliding_window = 24;
  // Stored in bf16 as Phi-3-mini is: fp32 weights rounded on upload add their own error to the 700-token chunked
  // window check, whose mean then sat at the 1e-2 bound on some CPUs (phi3_fp32_hd64 covers fp32 weights).
  phi3_window.dtype = "bfloat16";
  RandomCheckpointSpec smollm3 = llama_fp16;  // SmolLM3: Llama's layer with NoPE layers, attention biases, tied
  smollm3.smollm3 = true;
  smollm3.tied = true;
  smollm3.dtype = "bfloat16";
  smollm3.sliding_window = 28;  // on its NoPE layers (use_sliding_window)
  RandomCheckpointSpec qwen2_window = qwen_bf16;  // Qwen2's window layers: layer 1 over 30 positions
  qwen2_window.sliding_window = 30;
  // Layer 0: 4 experts, all of them for every token (bf16 rounding cannot swap a chosen expert for another:
  // bf16_forward_test checks fewer per token apart); layer 1 dense.
  RandomCheckpointSpec qwen3_moe = qwen3;
  qwen3_moe.experts = 4;
  qwen3_moe.experts_per_token = 4;
  qwen3_moe.dense_layer = 1;
  qwen3_moe.tied = false;
  RandomCheckpointSpec olmo2;  // post-norms only, whole-projection q/k norms, GQA 4:2, untied
  olmo2.olmo = 2;
  RandomCheckpointSpec olmo3 = olmo2;  // layer 0 over 26 positions with its own RoPE, layer 1 with YaRN; tied
  olmo3.olmo = 3;
  olmo3.sliding_window = 26;
  olmo3.yarn_rope_scaling = true;
  olmo3.tied = true;
  olmo3.heads = 2;  // head_dim 128
  olmo3.kv_heads = 1;
  // Phi-3-mini's head_dim of 96 (3072 / 32 there; 384 / 4 here) with its window on every layer: the CUDA-core
  // attention kernels' other head dim.
  RandomCheckpointSpec phi3_mini = phi3_window;
  phi3_mini.hidden = 384;
  phi3_mini.intermediate = 768;
  // The Gemma family at its head_dim of 256 (the CUDA-core attention kernels): Gemma 2 with its soft caps, Gemma 3
  // with q/k norms and per-layer RoPE; a sliding layer 0 over 40 positions, GQA 4:2 and 4:1, tied.
  RandomCheckpointSpec gemma2;
  gemma2.gemma = 2;
  gemma2.head_dim = 256;
  gemma2.sliding_window = 40;
  gemma2.tied = true;
  RandomCheckpointSpec gemma3 = gemma2;
  gemma3.gemma = 3;
  gemma3.kv_heads = 1;
  // GLM-4-0414 / GLM-Z1 at their head_dim of 128: RoPE on neighbouring pairs of each head's first half (the loader
  // reorders q and k rows for the half-split kernels), q/k/v biases, output norms, fused gate/up, GQA 4:1.
  RandomCheckpointSpec glm4;
  glm4.glm4 = true;
  glm4.head_dim = 128;
  glm4.kv_heads = 1;
  // EXAONE 4.0 at its head_dim of 128: output-only norms, per-head q/k norms, a sliding RoPE layer over 36 positions
  // beside a global layer without rotary embedding.
  RandomCheckpointSpec exaone4;
  exaone4.exaone4 = true;
  exaone4.head_dim = 128;
  exaone4.sliding_window = 36;
  // gpt-oss at its head_dim of 64 and query group of 8: sinks, biased attention, router and experts (all 4 of them
  // for every token, so that bf16 rounding cannot swap a chosen expert), the clamped SwiGLU, a sliding layer 0 over
  // 30 positions, GptOssConfig's YaRN.
  RandomCheckpointSpec gpt_oss;
  gpt_oss.gpt_oss = true;
  gpt_oss.head_dim = 64;
  gpt_oss.heads = 8;
  gpt_oss.kv_heads = 1;
  gpt_oss.experts = 4;
  gpt_oss.experts_per_token = 4;
  gpt_oss.sliding_window = 30;
  return {{"qwen2_bf16_hd64", qwen_bf16},
          {"qwen2_fp32_hd128", qwen_fp32},
          {"llama_bias_fp16_hd64", llama_fp16},
          {"llama_tied_llama3_hd128", llama_tied},
          {"qwen3_tied_hd128", qwen3},
          {"qwen3_yarn_hd128", qwen3_yarn},
          {"phi3_fp32_hd64", phi3},
          {"phi4_mini_longrope_hd64", phi4_mini},
          {"phi3_window_hd64", phi3_window},
          {"qwen2_window_layer_hd64", qwen2_window},
          {"smollm3_nope_hd64", smollm3},
          {"qwen3_moe_all_experts_hd128", qwen3_moe},
          {"olmo2_hd64", olmo2},
          {"olmo3_window_yarn_hd128", olmo3},
          {"phi3_mini_window_hd96", phi3_mini},
          {"gemma2_softcap_window_hd256", gemma2},
          {"gemma3_window_hd256", gemma3},
          {"glm4_hd128", glm4},
          {"exaone4_window_nope_hd128", exaone4},
          {"gpt_oss_sinks_window_hd64", gpt_oss}};
}

// The first parity model whose spec `wanted` accepts; a test of one architecture's sharding names it by its
// spec, so renaming or reordering the list above cannot silently drop the test.
inline ParityModel parity_model_where(const std::function<bool(const RandomCheckpointSpec&)>& wanted) {
  const std::vector<ParityModel> models = parity_models();
  const auto found = std::find_if(models.begin(), models.end(), [&](const ParityModel& m) { return wanted(m.spec); });
  if (found == models.end()) throw std::logic_error("no parity model has the wanted spec");
  return *found;
}

// The checkpoint of `model`, written fresh by each test process into a folder of its own (ctest runs tests
// in parallel processes) and removed when the process ends.
inline std::string parity_checkpoint(const ParityModel& model) {
  static const auto root =
      std::filesystem::path(R1EVAL_TEST_TMP) / "engine" / ("parity-" + std::to_string(::getpid()));
  static const struct Cleanup {
    ~Cleanup() {
      std::error_code ignored;
      std::filesystem::remove_all(root, ignored);
    }
  } cleanup;
  const auto dir = root / model.name;
  if (!std::filesystem::exists(dir / "model.safetensors")) write_random_checkpoint(dir, model.spec);
  return dir.string();
}

inline std::vector<std::vector<std::int32_t>> random_sequences(int count, int min_len, int max_len, int vocab,
                                                               unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> length(min_len, max_len), token(0, vocab - 1);
  std::vector<std::vector<std::int32_t>> sequences(static_cast<std::size_t>(count));
  for (auto& s : sequences) {
    s.resize(static_cast<std::size_t>(length(rng)));
    for (auto& t : s) t = token(rng);
  }
  return sequences;
}

// The whole prompts of several sequences in one ragged batch (prefill path), logits of every token.
inline float check_prefill_parity(Backend& candidate, Backend& reference) {
  const auto sequences = random_sequences(4, 20, 90, static_cast<int>(reference.config().vocab_size), 1);
  const auto expected = SequenceDriver(reference, 8).step(sequences);
  const auto actual = SequenceDriver(candidate, 8).step(sequences);
  return expect_bf16_close(actual, expected, reference.config().vocab_size, "prefill");
}

// 64 greedy steps (decode path after the prompt), both backends fed the reference's token each step so
// they stay on one sequence: wherever the reference's two best logits are further apart than 4x that row's
// largest difference between the backends (the bf16 noise), the candidate picks the same token. Closer than
// that the choice is a tie under bf16 and either token is right; random weights make such near-ties common,
// so at least a quarter of the steps must be clear and compared (a broken backend's noise makes none clear).
// Returns the number of steps compared.
inline int check_greedy_where_margin_allows(Backend& candidate, Backend& reference) {
  const auto vocab = static_cast<std::size_t>(reference.config().vocab_size);
  const auto prompt = random_sequences(1, 40, 40, static_cast<int>(vocab), 2).front();
  SequenceDriver ref_driver(reference, 8), cand_driver(candidate, 8);
  std::vector<float> ref_logits = ref_driver.step({prompt});
  std::vector<float> cand_logits = cand_driver.step({prompt});
  int compared = 0;
  for (int step = 0; step < 64; ++step) {
    EXPECT_EQ(ref_logits.size(), cand_logits.size());
    if (ref_logits.size() != cand_logits.size()) return compared;
    const float* ref_row = ref_logits.data() + ref_logits.size() - vocab;
    const float* cand_row = cand_logits.data() + cand_logits.size() - vocab;
    float noise = 0;
    for (std::size_t i = 0; i < vocab; ++i) noise = std::max(noise, std::fabs(ref_row[i] - cand_row[i]));
    std::vector<float> sorted(ref_row, ref_row + vocab);
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
    const auto ref_next = static_cast<std::int32_t>(std::max_element(ref_row, ref_row + vocab) - ref_row);
    const auto cand_next = static_cast<std::int32_t>(std::max_element(cand_row, cand_row + vocab) - cand_row);
    if (sorted[0] - sorted[1] > 4 * noise) {
      EXPECT_EQ(cand_next, ref_next) << "greedy step " << step << " (margin " << sorted[0] - sorted[1]
                                     << ", bf16 noise " << noise << ")";
      ++compared;
    }
    ref_logits = ref_driver.step({{ref_next}});
    cand_logits = cand_driver.step({{ref_next}});
  }
  EXPECT_GE(compared, 16) << "too few steps had a clear winner: the logits are noisier than bf16 explains";
  return compared;
}

// Hands out cache blocks in a scrambled order, as a BlockManager does after some churn, so block tables
// are not contiguous.
class ScrambledBlocks {
 public:
  ScrambledBlocks(std::int64_t count, unsigned seed) : free_(static_cast<std::size_t>(count)) {
    std::iota(free_.begin(), free_.end(), 0);
    std::shuffle(free_.begin(), free_.end(), std::mt19937(seed));
  }
  std::int32_t take() {
    const std::int32_t block = free_.back();
    free_.pop_back();
    return block;
  }

 private:
  std::vector<std::int32_t> free_;
};

// A continuous-batching workload: 24 sequences with prompts of 1 to 120 tokens and one of 700 (several
// 256-key decode splits), prefilled in chunks of up to 96 tokens while others already decode, in the same
// steps; scrambled block tables. Both backends get the same batches and continue with the reference's
// greedy tokens; every logit row is compared. Both caches need 24 * 64 blocks of 16 slots at most.
inline void check_chunked_prefill_and_decode(Backend& candidate, Backend& reference) {
  const std::int64_t vocab = reference.config().vocab_size;
  const std::int32_t block_size = reference.kv_block_size();
  constexpr std::size_t kSeqs = 24;
  constexpr int kDecodeSteps = 12, kMaxBlocks = 64;
  auto prompts = random_sequences(kSeqs, 1, 120, static_cast<int>(vocab), 3);
  prompts[5] = random_sequences(1, 700, 700, static_cast<int>(vocab), 4).front();
  ScrambledBlocks blocks(std::min(candidate.num_kv_blocks(), reference.num_kv_blocks()), 5);
  std::vector<std::vector<std::int32_t>> tables(kSeqs), tokens = prompts;
  std::vector<std::size_t> done(kSeqs, 0);
  std::vector<int> decoded(kSeqs, 0);
  std::mt19937 rng(6);
  int steps = 0;
  while (std::any_of(decoded.begin(), decoded.end(), [](int d) { return d < kDecodeSteps; })) {
    ForwardBatch batch;
    batch.seq_starts.push_back(0);
    batch.max_blocks_per_seq = kMaxBlocks;
    std::vector<std::size_t> with_logits;
    for (std::size_t s = 0; s < kSeqs; ++s) {
      if (decoded[s] >= kDecodeSteps || (s + static_cast<std::size_t>(steps)) % 3 == 0) continue;  // sits out
      const std::size_t chunk =
          done[s] < prompts[s].size() ? std::min<std::size_t>(prompts[s].size() - done[s], 1 + rng() % 96) : 1;
      for (std::size_t i = 0; i < chunk; ++i) {
        const auto pos = static_cast<std::int32_t>(done[s] + i);
        while (static_cast<std::int32_t>(tables[s].size()) * block_size <= pos) tables[s].push_back(blocks.take());
        batch.token_ids.push_back(tokens[s][static_cast<std::size_t>(pos)]);
        batch.positions.push_back(pos);
        batch.slot_mapping.push_back(
            static_cast<std::int64_t>(tables[s][static_cast<std::size_t>(pos / block_size)]) * block_size +
            pos % block_size);
      }
      done[s] += chunk;
      batch.seq_starts.push_back(static_cast<std::int32_t>(batch.token_ids.size()));
      std::vector<std::int32_t> row(kMaxBlocks, 0);
      std::copy(tables[s].begin(), tables[s].end(), row.begin());
      batch.block_tables.insert(batch.block_tables.end(), row.begin(), row.end());
      if (done[s] >= prompts[s].size()) {
        batch.logit_rows.push_back(static_cast<std::int32_t>(batch.token_ids.size()) - 1);
        with_logits.push_back(s);
      }
    }
    ++steps;
    if (batch.token_ids.empty()) continue;
    const auto expected = reference.forward(batch);
    const auto actual = candidate.forward(batch);
    ASSERT_EQ(actual.size(), expected.size());
    if (with_logits.empty()) continue;  // a step of prefill chunks only: nothing to compare yet
    expect_bf16_close(actual, expected, vocab, "step " + std::to_string(steps));
    for (std::size_t r = 0; r < with_logits.size(); ++r) {
      const float* logits = expected.data() + r * static_cast<std::size_t>(vocab);
      tokens[with_logits[r]].push_back(static_cast<std::int32_t>(std::max_element(logits, logits + vocab) - logits));
      ++decoded[with_logits[r]];
    }
  }
}

// A copied block reads back as the original: sequence 1 continues from copies of sequence 0's blocks and
// gets exactly the logits sequence 0 gets for the same next token in the same step.
inline void check_copied_blocks_continue_like_originals(Backend& backend) {
  const std::int64_t vocab = backend.config().vocab_size;
  const std::int32_t block_size = backend.kv_block_size();
  ASSERT_EQ(block_size, 16);
  const auto prompt = random_sequences(1, 50, 50, static_cast<int>(vocab), 7).front();  // 4 blocks of 16
  SequenceDriver driver(backend, 8);  // sequence 0 owns blocks 0-7
  driver.step({prompt});
  backend.copy_kv_blocks({{0, 8}, {1, 9}, {2, 10}, {3, 11}});
  ForwardBatch batch;  // both at position 50: sequence 0 in blocks 0-7, sequence 1 in blocks 8-15
  batch.max_blocks_per_seq = 8;
  batch.seq_starts = {0, 1, 2};
  batch.token_ids = {17, 17};
  batch.positions = {50, 50};
  batch.slot_mapping = {3 * 16 + 2, 11 * 16 + 2};
  for (std::int32_t s = 0; s < 2; ++s)
    for (std::int32_t b = 0; b < 8; ++b) batch.block_tables.push_back(s * 8 + b);
  batch.logit_rows = {0, 1};
  const auto logits = backend.forward(batch);
  ASSERT_EQ(logits.size(), 2 * static_cast<std::size_t>(vocab));
  for (std::size_t i = 0; i < static_cast<std::size_t>(vocab); ++i) {
    ASSERT_EQ(logits[i], logits[static_cast<std::size_t>(vocab) + i]) << "logit " << i;
  }
  EXPECT_THROW(backend.copy_kv_blocks({{0, static_cast<std::int32_t>(backend.num_kv_blocks())}}),
               std::invalid_argument);
}

// `inner` seen through forward() only: its forward_and_sample is the Backend default, which samples the
// returned logits on the host with the kernels' CPU twin.
class HostSampled final : public Backend {
 public:
  explicit HostSampled(Backend& inner) : inner_(inner) {}
  const ModelConfig& config() const override { return inner_.config(); }
  std::int32_t kv_block_size() const override { return inner_.kv_block_size(); }
  std::int64_t num_kv_blocks() const override { return inner_.num_kv_blocks(); }
  std::vector<float> forward(const ForwardBatch& batch) override { return inner_.forward(batch); }
  void copy_kv_blocks(const std::vector<BlockCopy>& copies) override { inner_.copy_kv_blocks(copies); }

 private:
  Backend& inner_;
};

// The backend's own forward_and_sample (sampling where its logits are) chooses what host sampling of its
// forward() logits chooses: one step whose draws share rows and skip one, then whole engine runs with
// greedy and sampled requests, forked samples and enough decode steps to cover many positions. A draw
// outside the logit rows is refused before anything runs.
inline void check_sampling_in_backend_matches_host(Backend& backend) {
  const int vocab = static_cast<int>(backend.config().vocab_size);
  const auto prompts = random_sequences(3, 9, 40, vocab, 31);
  ForwardBatch batch;
  for (std::size_t s = 0; s < prompts.size(); ++s) {
    batch.seq_starts.push_back(static_cast<std::int32_t>(batch.token_ids.size()));
    for (std::size_t t = 0; t < prompts[s].size(); ++t) {
      batch.token_ids.push_back(prompts[s][t]);
      batch.positions.push_back(static_cast<std::int32_t>(t));
      batch.slot_mapping.push_back(static_cast<std::int64_t>(s) * 4 * backend.kv_block_size() +
                                   static_cast<std::int64_t>(t));
    }
    batch.logit_rows.push_back(static_cast<std::int32_t>(batch.token_ids.size()) - 1);
    for (std::int32_t b = 0; b < 4; ++b) batch.block_tables.push_back(static_cast<std::int32_t>(s) * 4 + b);
  }
  batch.seq_starts.push_back(static_cast<std::int32_t>(batch.token_ids.size()));
  batch.max_blocks_per_seq = 4;
  std::vector<TokenDraw> draws;
  const kernels::SamplingParams filters[] = {{0.6f, 0.95f, 0, 0.0f}, {0.0f, 1.0f, 0, 0.0f}, {1.0f, 1.0f, 7, 0.05f}};
  for (std::uint32_t d = 0; d < 7; ++d)  // rows 2, 0, 2, 0, ...: row 1 is not drawn
    draws.push_back({d % 2 == 0 ? 2 : 0, filters[d % 3], kernels::SampleKey{42, 5, d, 77}});
  HostSampled host(backend);
  EXPECT_EQ(backend.forward_and_sample(batch, draws), host.forward_and_sample(batch, draws));
  std::vector<TokenDraw> outside = draws;
  outside.back().row = 3;
  EXPECT_THROW(backend.forward_and_sample(batch, outside), std::invalid_argument);

  const auto run = [&](Backend& b) {
    Engine engine(b, EngineOptions{});
    for (std::uint64_t id = 0; id < 4; ++id) {
      Request request{id, random_sequences(1, 5, 30, vocab, 100 + static_cast<unsigned>(id)).front(), {}, 3, {}};
      request.params.temperature = id == 0 ? 0.0 : 0.7;
      request.params.top_p = 0.95;
      request.params.top_k = id == 3 ? 20 : 0;
      request.params.max_tokens = 24;
      request.params.seed = 9 + id;
      request.params.ignore_eos = true;
      engine.add_request(request);
    }
    std::vector<std::vector<std::int32_t>> samples;
    for (const Completion& c : engine.run_to_completion()) samples.push_back(c.tokens);
    return samples;
  };
  const auto in_backend = run(backend);
  const auto on_host = run(host);
  ASSERT_EQ(in_backend.size(), 12u);
  EXPECT_EQ(in_backend, on_host);
  // Sampled requests' samples differ from each other (the draws really were separate).
  EXPECT_NE(in_backend[3], in_backend[4]);
}

}  // namespace r1eval::engine::testing
