// The CUDA backend's forward pass (bf16_forward over bf16_model and packed_batch) run by the kernels' CPU
// twins, against the fp32 CPU backend, with the same checks and tolerances as the CUDA tests. This runs in
// every build: it checks the order of operations, the merged weights, the decode/prefill split of the packed
// batch, the logit-row gather and the KV pools' layout and copies — and measures the bf16 error the
// CUDA backend's tolerances were set for.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "backend_parity.h"
#include "bf16_host_backend.h"
#include "transformers_reference.h"
#include "engine/backend/cpu/cpu_backend.h"

namespace r1eval::engine {
namespace {

using testing::Bf16HostBackend;
using testing::parity_checkpoint;
using testing::parity_models;
using testing::ParityModel;
using testing::RandomCheckpointSpec;

CpuBackend reference(const std::string& dir) {
  CpuBackendOptions options;
  options.kv_block_size = 16;
  options.kv_cache_bytes = 64u << 20;
  return CpuBackend(dir, options);
}

class Bf16ForwardModels : public ::testing::TestWithParam<ParityModel> {};

TEST_P(Bf16ForwardModels, PrefillLogitsMatchCpuBackendWithinBf16Tolerance) {
  const std::string dir = parity_checkpoint(GetParam());
  Bf16HostBackend bf16(dir, 16, 2048);
  CpuBackend cpu = reference(dir);
  RecordProperty("worst_row_relative_error", std::to_string(testing::check_prefill_parity(bf16, cpu)));
}

TEST_P(Bf16ForwardModels, GreedyTokensMatchCpuWhereTheMarginAllows) {
  const std::string dir = parity_checkpoint(GetParam());
  Bf16HostBackend bf16(dir, 16, 2048);
  CpuBackend cpu = reference(dir);
  RecordProperty("greedy_steps_compared", testing::check_greedy_where_margin_allows(bf16, cpu));
}

INSTANTIATE_TEST_SUITE_P(Random, Bf16ForwardModels, ::testing::ValuesIn(parity_models()),
                         [](const ::testing::TestParamInfo<ParityModel>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(Bf16Forward, ChunkedPrefillAndDecodeInOneBatchMatchCpu) {
  const std::string dir = parity_checkpoint(parity_models()[0]);
  Bf16HostBackend bf16(dir, 16, 2048);
  CpuBackend cpu = reference(dir);
  testing::check_chunked_prefill_and_decode(bf16, cpu);
}

// Window layers in batches that mix chunked prefill and decode, with contexts up to 700 keys (decode splits
// before the window are skipped, prefill tiles before it too).
TEST(Bf16Forward, SlidingWindowsInChunkedBatchesMatchCpu) {
  for (const ParityModel& model : parity_models()) {
    if (model.spec.sliding_window == 0) continue;
    const std::string dir = parity_checkpoint(model);
    Bf16HostBackend bf16(dir, 16, 2048);
    CpuBackend cpu = reference(dir);
    SCOPED_TRACE(model.name);
    testing::check_chunked_prefill_and_decode(bf16, cpu);
  }
}

TEST(Bf16Forward, CopiedKvBlocksContinueLikeTheOriginals) {
  Bf16HostBackend bf16(parity_checkpoint(parity_models()[0]), 16, 64);
  testing::check_copied_blocks_continue_like_originals(bf16);
}

// Tensor parallelism in the bf16 forward (decoder layers sharded by the loader, an all-reduce after the o and
// down projections, embedding and head whole on each rank): 2 ranks (one key/value head each) and 4 ranks
// (key/value heads replicated) stay within the bf16 tolerance of the fp32 CPU backend, as one rank does,
// through prefill and greedy decoding.
class Bf16TensorParallel : public ::testing::TestWithParam<int> {};

TEST_P(Bf16TensorParallel, MatchesCpuBackendWithinBf16Tolerance) {
  const std::string dir = parity_checkpoint(parity_models()[0]);
  Bf16HostBackend bf16(dir, 16, 2048, GetParam());
  CpuBackend cpu = reference(dir);
  RecordProperty("worst_row_relative_error", std::to_string(testing::check_prefill_parity(bf16, cpu)));
  RecordProperty("greedy_steps_compared", testing::check_greedy_where_margin_allows(bf16, cpu));
}

INSTANTIATE_TEST_SUITE_P(Ranks, Bf16TensorParallel, ::testing::Values(2, 4));

// Qwen3's per-head norms over 2 ranks (two q heads and one key/value head each): the norm weights are whole on
// every rank, the heads split.
TEST(Bf16TensorParallel, Qwen3OverTwoRanksMatchesCpuBackend) {
  const ParityModel qwen3 = testing::parity_model_where([](const RandomCheckpointSpec& s) { return s.qwen3; });
  const std::string dir = parity_checkpoint(qwen3);
  Bf16HostBackend bf16(dir, 16, 2048, 2);
  CpuBackend cpu = reference(dir);
  RecordProperty("worst_row_relative_error", std::to_string(testing::check_prefill_parity(bf16, cpu)));
  RecordProperty("greedy_steps_compared", testing::check_greedy_where_margin_allows(bf16, cpu));
}

// A transformers-made fixture through the bf16 forward over 1 and 2 ranks: its logits within the bf16 bounds of
// transformers' fp32 ones, or, where transformers' own bf16 run of the fixture is already further off (EXAONE 4.0's
// output-only norms with q/k norms make a small random model more sensitive: its worst row is 2.1e-2 there), within
// that run's error and a quarter more; the greedy tokens where the CPU backend's margin allows. Figures are recorded.
void check_transformers_fixture(const char* fixture) {
  SCOPED_TRACE(fixture);
  const std::string dir = testing::fixture_dir(fixture).string();
  const testing::TransformersReference ref = testing::load_transformers_reference(fixture);
  testing::Bf16Bounds bounds;
  if (ref.bf16_worst_row) bounds.worst_row = std::max(bounds.worst_row, 1.25f * *ref.bf16_worst_row);
  if (ref.bf16_mean_row) bounds.mean_row = std::max(bounds.mean_row, 1.25f * *ref.bf16_mean_row);
  for (const int ranks : {1, 2}) {
    Bf16HostBackend bf16(dir, 16, 256, ranks);
    const std::vector<float> logits = testing::SequenceDriver(bf16, 8).step(ref.sequences);
    const float worst = testing::expect_bf16_close(logits, ref.logits, bf16.config().vocab_size,
                                                   std::string(fixture) + " over " + std::to_string(ranks) + " ranks",
                                                   bounds);
    ::testing::Test::RecordProperty(std::string(fixture) + "_worst_row_over_" + std::to_string(ranks),
                                    std::to_string(worst));
    CpuBackend cpu = reference(dir);
    ::testing::Test::RecordProperty(std::string(fixture) + "_greedy_steps_over_" + std::to_string(ranks),
                                    testing::check_greedy_where_margin_allows(bf16, cpu));
  }
}

// OLMo 2 and 3 checkpoints made by transformers (OLMo 3's sliding layers with their own RoPE beside YaRN full
// layers).
TEST(Bf16Forward, OlmoCheckpointsMatchTransformersWithinBf16Tolerance) {
  check_transformers_fixture("olmo2_bf16");
  check_transformers_fixture("olmo3_bf16");
}

// MiMo-7B's checkpoints (MiMoForCausalLM, remote code): Qwen2's model under MiMo's config names, with multi-token
// prediction layers that generation never runs. The same weights written both ways give the same logits, bit for
// bit, on the CPU backend and on the bf16 forward.
TEST(Bf16Forward, MiMoCheckpointsRunAsQwen2) {
  RandomCheckpointSpec qwen2;
  RandomCheckpointSpec mimo = qwen2;
  mimo.mimo = true;
  const std::string qwen2_dir = parity_checkpoint(ParityModel{"qwen2_beside_mimo", qwen2});
  const std::string mimo_dir = parity_checkpoint(ParityModel{"mimo_mtp", mimo});
  EXPECT_EQ(load_model_config(mimo_dir).architecture, Architecture::kQwen2);
  const std::vector<std::vector<std::int32_t>> sequences = testing::random_sequences(3, 5, 40, qwen2.vocab, 77);
  CpuBackend cpu_qwen2 = reference(qwen2_dir), cpu_mimo = reference(mimo_dir);
  EXPECT_EQ(testing::SequenceDriver(cpu_mimo, 8).step(sequences), testing::SequenceDriver(cpu_qwen2, 8).step(sequences));
  Bf16HostBackend bf16_qwen2(qwen2_dir, 16, 256), bf16_mimo(mimo_dir, 16, 256);
  EXPECT_EQ(testing::SequenceDriver(bf16_mimo, 8).step(sequences), testing::SequenceDriver(bf16_qwen2, 8).step(sequences));
}

// EXAONE Deep's and EXAONE 4.0's classes (EXAONE 3's released tensor names; EXAONE 4.0's output-only norms with
// per-head q/k norms and its sliding RoPE layers beside a global NoPE layer).
TEST(Bf16Forward, ExaoneCheckpointsMatchTransformersWithinBf16Tolerance) {
  check_transformers_fixture("exaone_bf16");
  check_transformers_fixture("exaone4_bf16");
}

// Seed-OSS (q/k/v and o biases, head_dim apart from hidden / heads) and Granite (its embedding, attention, residual and
// logit multipliers; the last two folded into the weights by the loader).
TEST(Bf16Forward, SeedOssAndGraniteCheckpointsMatchTransformersWithinBf16Tolerance) {
  check_transformers_fixture("seed_oss_bf16");
  check_transformers_fixture("granite_bf16");
}

// GLM-4 and GLM-4-0414 (RoPE on neighbouring pairs of part of each head, which the loader turns into the kernels'
// half-split rotation by reordering q and k rows; GLM-4-0414's output norms).
TEST(Bf16Forward, GlmCheckpointsMatchTransformersWithinBf16Tolerance) {
  check_transformers_fixture("glm_bf16");
  check_transformers_fixture("glm4_bf16");
}

// ERNIE 4.5's dense model: GLM's rotation over the whole head, a bias on every linear layer.
TEST(Bf16Forward, Ernie45CheckpointMatchesTransformersWithinBf16Tolerance) {
  check_transformers_fixture("ernie45_bf16");
}

// FP8: Qwen3's *-FP8 layout (blocks of 32 x 40 here, with partial ones at the edges): the dequantized matrices,
// rounded to bf16 for the arena (an e4m3 value times a bf16 scale holds up to 12 significant bits), over 1 and 2 ranks.
// And llm-compressor's FP8-dynamic layout (compressed-tensors, a scale per output row) on an R1 distill's Qwen2, and
// AutoFP8's (a scale per tensor, input scales unread) on its Llama.
TEST(Bf16Forward, Fp8CheckpointsMatchTransformersWithinBf16Tolerance) {
  check_transformers_fixture("qwen3_fp8");
  check_transformers_fixture("qwen2_fp8_dynamic");
  check_transformers_fixture("llama_fp8_tensor");
}

// Integer layouts: compressed-tensors' W4A16 (packed int4, a scale per 32-column group; Qwen2) and W8A8 (int8, a scale
// per row; Llama), AutoAWQ's GEMM layout and GPTQ with act-order (int4 with zero points, fp16; Qwen2), dequantized at
// load.
TEST(Bf16Forward, IntegerQuantizedCheckpointsMatchTransformersWithinBf16Tolerance) {
  check_transformers_fixture("qwen2_w4a16");
  check_transformers_fixture("llama_w8a8");
  check_transformers_fixture("qwen2_awq");
  check_transformers_fixture("qwen2_gptq");
}

// gpt-oss: attention sinks, biases on the attention, the router and the experts (read from the fused stacks), the
// clamped SwiGLU, a sliding first layer and YaRN.
// gpt-oss's MXFP4 experts stay packed in the arena (17 bytes for 32 values instead of 64): ranks are cut between whole
// 32-value groups of the intermediate rows (the fixture's 96: one rank all three groups, two ranks one and two); four
// ranks, more than the groups, get an even cut of 24 rows each, dequantized to bf16. Packed or widened, each
// matches the CPU backend (and the CPU backend transformers: CpuBackendFixture) over the same ranks.
TEST(Bf16Forward, GptOssMxfp4ExpertsStayPackedWhereTheSliceHoldsWholeGroups) {
  const std::string dir = testing::fixture_dir("gpt_oss_mxfp4").string();
  Bf16HostBackend one(dir, 16, 64);
  const Bf16Layer& packed = one.model().layers[0];
  EXPECT_NE(packed.experts_gate_up_mxfp4.blocks, nullptr);
  EXPECT_NE(packed.experts_down_mxfp4.scales, nullptr);
  EXPECT_EQ(packed.experts_gate_up, nullptr);
  EXPECT_EQ(one.model().expert_inter, 96);
  Bf16HostBackend two(dir, 16, 64, 2);
  for (std::size_t rank = 0; rank < 2; ++rank) {
    EXPECT_NE(two.model(rank).layers[1].experts_down_mxfp4.blocks, nullptr) << rank;
    EXPECT_EQ(two.model(rank).layers[1].experts_down, nullptr) << rank;
    EXPECT_EQ(two.model(rank).expert_inter, rank == 0 ? 32 : 64);
  }
  Bf16HostBackend four(dir, 16, 64, 4);
  const Bf16Layer& widened = four.model(3).layers[0];
  EXPECT_EQ(widened.experts_gate_up_mxfp4.blocks, nullptr);
  EXPECT_NE(widened.experts_gate_up, nullptr);
  EXPECT_EQ(four.model(3).expert_inter, 24);
  for (Bf16HostBackend* ranks : {&two, &four}) {
    CpuBackend cpu = reference(dir);
    testing::check_prefill_parity(*ranks, cpu);
  }
}

// The released layout too: the expert stacks in MXFP4 blocks and scales (the reference: transformers' model holding
// what its own dequantizer makes of them).
TEST(Bf16Forward, GptOssCheckpointsMatchTransformersWithinBf16Tolerance) {
  check_transformers_fixture("gpt_oss_bf16");
  check_transformers_fixture("gpt_oss_mxfp4");
}

// Qwen3-MoE with fewer experts per token than experts (8, 2 per token: the transformers-made fixture, and a
// random checkpoint whose layer 0 is dense and layer 1 sparse), and Mixtral's (4, 2 per token, every layer sparse,
// its released tensor names): where bf16 rounding of the router logits swaps
// the second expert for the third, that token's output differs outright (as transformers' own bf16 and fp32
// runs do), and through attention the later tokens' a little; so 95% of the rows are held to the bf16
// tolerance (the sparse layer last keeps a swap to its own row), and the greedy tokens where the margin allows.
TEST(Bf16Forward, MixtureOfExpertsMatchesCpuButForSwappedExperts) {
  RandomCheckpointSpec spec;
  spec.qwen3 = true;
  spec.head_dim = 128;
  spec.experts = 8;
  spec.dense_layer = 0;
  const std::string random_dir = parity_checkpoint(ParityModel{"qwen3_moe_8x2_hd128", spec});
  for (const std::string& dir : {testing::fixture_dir("qwen3_moe_bf16").string(),
                                 testing::fixture_dir("mixtral_bf16").string(), random_dir}) {
    SCOPED_TRACE(dir);
    Bf16HostBackend bf16(dir, 16, 2048);
    CpuBackend cpu = reference(dir);
    const auto sequences = testing::random_sequences(4, 20, 90, static_cast<int>(cpu.config().vocab_size), 1);
    const std::vector<float> expected = testing::SequenceDriver(cpu, 8).step(sequences);
    const std::vector<float> actual = testing::SequenceDriver(bf16, 8).step(sequences);
    const std::vector<float> errors = testing::row_errors(actual, expected, cpu.config().vocab_size);
    ASSERT_FALSE(errors.empty());
    std::vector<float> within;
    for (const float e : errors)
      if (e < testing::kBf16RowTolerance) within.push_back(e);
    EXPECT_GE(within.size() * 100, errors.size() * 95) << within.size() << " of " << errors.size() << " rows";
    EXPECT_LT(std::accumulate(within.begin(), within.end(), 0.0f) / static_cast<float>(within.size()),
              testing::kBf16MeanTolerance);
    testing::check_greedy_where_margin_allows(bf16, cpu);
  }
}

// Qwen3-MoE over 2 ranks: each rank holds half of every expert's rows, the router whole; the experts' partial
// sums go through the MLP's all-reduce.
TEST(Bf16TensorParallel, MixtureOfExpertsOverTwoRanksMatchesCpuBackend) {
  const ParityModel moe = testing::parity_model_where([](const RandomCheckpointSpec& s) { return s.experts > 0; });
  const std::string dir = parity_checkpoint(moe);
  Bf16HostBackend bf16(dir, 16, 2048, 2);
  EXPECT_EQ(bf16.model().expert_inter, moe.spec.expert_intermediate / 2);
  CpuBackend cpu = reference(dir);
  testing::check_prefill_parity(bf16, cpu);
  testing::check_greedy_where_margin_allows(bf16, cpu);
}

// OLMo over 2 ranks: the sums of squares of the whole q and k projections are summed over the ranks; OLMo 2 splits
// its two key/value heads, OLMo 3's one is replicated on both ranks (its totals count it twice, as the sums do).
TEST(Bf16TensorParallel, OlmoOverTwoRanksMatchesCpuBackend) {
  for (const ParityModel& model : parity_models()) {
    if (model.spec.olmo == 0) continue;
    SCOPED_TRACE(model.name);
    const std::string dir = parity_checkpoint(model);
    Bf16HostBackend bf16(dir, 16, 2048, 2);
    CpuBackend cpu = reference(dir);
    EXPECT_EQ(bf16.model().q_norm_total, model.spec.heads * model.spec.resolved_head_dim());
    EXPECT_EQ(bf16.model().k_norm_total, 2 * bf16.model().kv_heads * model.spec.resolved_head_dim());
    testing::check_prefill_parity(bf16, cpu);
    testing::check_greedy_where_margin_allows(bf16, cpu);
  }
}

// gpt-oss over 2 ranks: each rank holds its four heads' sinks and half of every expert's rows with their gate/up
// biases; the down bias is added by rank 0 alone, before the all-reduce.
TEST(Bf16TensorParallel, GptOssOverTwoRanksMatchesCpuBackend) {
  const ParityModel gpt_oss = testing::parity_model_where([](const RandomCheckpointSpec& s) { return s.gpt_oss; });
  const std::string dir = parity_checkpoint(gpt_oss);
  Bf16HostBackend bf16(dir, 16, 2048, 2);
  EXPECT_EQ(bf16.model().q_heads, gpt_oss.spec.heads / 2);
  EXPECT_EQ(bf16.model().expert_inter, gpt_oss.spec.expert_intermediate / 2);
  CpuBackend cpu = reference(dir);
  testing::check_prefill_parity(bf16, cpu);
  testing::check_greedy_where_margin_allows(bf16, cpu);
}

// Gemma 2 and 3 at head_dim 256 over 2 ranks: two q heads each, Gemma 3's one key/value head replicated; the
// post-norms add each block's summed output, the soft caps act on whole scores and logits.
TEST(Bf16TensorParallel, GemmaOverTwoRanksMatchesCpuBackend) {
  int gemmas = 0;
  for (const ParityModel& model : parity_models()) {
    if (model.spec.gemma == 0) continue;
    ++gemmas;
    SCOPED_TRACE(model.name);
    const std::string dir = parity_checkpoint(model);
    Bf16HostBackend bf16(dir, 16, 2048, 2);
    CpuBackend cpu = reference(dir);
    EXPECT_EQ(bf16.model().head_dim, 256);
    testing::check_prefill_parity(bf16, cpu);
    testing::check_greedy_where_margin_allows(bf16, cpu);
  }
  EXPECT_EQ(gemmas, 2);
}

// The layers' rotary tables: one for a model whose layers all rotate alike; OLMo 3's sliding layer gets its own
// (unscaled, no attention factor) beside the full layers' YaRN table; a NoPE layer none.
TEST(Bf16Forward, RopeTablesFollowEachLayersRope) {
  const auto tables_of = [](const char* name) {
    for (const ParityModel& m : parity_models())
      if (std::string(m.name) == name) return bf16_rope_tables(load_model_config(parity_checkpoint(m)));
    ADD_FAILURE() << "no parity model " << name;
    return Bf16RopeTables{};
  };
  const Bf16RopeTables qwen = tables_of("qwen2_bf16_hd64");
  EXPECT_EQ(qwen.inv_freq.size(), 1u);
  EXPECT_EQ(qwen.of_layer, (std::vector<int>{0, 0}));
  const Bf16RopeTables olmo3 = tables_of("olmo3_window_yarn_hd128");
  ASSERT_EQ(olmo3.inv_freq.size(), 2u);
  EXPECT_EQ(olmo3.of_layer, (std::vector<int>{0, 1}));
  EXPECT_EQ(olmo3.scale[0], 1.0f);
  EXPECT_GT(olmo3.scale[1], 1.0f);  // YaRN's attention factor on the full layer
  EXPECT_FLOAT_EQ(olmo3.inv_freq[0][1], std::pow(500000.0f, -2.0f / 128.0f));
  EXPECT_NE(olmo3.inv_freq[0].back(), olmo3.inv_freq[1].back());  // YaRN stretches the slow frequencies
  const Bf16RopeTables smollm3 = tables_of("smollm3_nope_hd64");
  EXPECT_EQ(smollm3.of_layer, (std::vector<int>{0, -1}));
}

// A rank whose loaded weights hold a slice of the vocabulary is refused: the bf16 forward gathers and samples
// the whole vocabulary on every rank.
TEST(Bf16Forward, RefusesVocabularyShardedWeights) {
  const std::string dir = parity_checkpoint(parity_models()[0]);
  const Checkpoint checkpoint(dir);
  const TransformerShardReader reader(checkpoint, load_model_config(dir), ShardSpec{1, 2, true});
  std::vector<std::byte> arena(bf16_arena_bytes(reader));
  try {
    fill_bf16_arena(reader, arena.data(), [](std::byte*, const void*, std::size_t) {});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("shard_vocab"), std::string::npos) << e.what();
  }
}

// The Gemma family made by transformers (tests/fixtures/engine): Gemma's GELU (the legacy "gelu" meaning its tanh
// form), the embedding times sqrt(hidden) rounded to bf16, norms as offsets from 1, Gemma 2's soft caps on the
// scores and the logits with its sliding layers and query_pre_attn_scalar, Gemma 3's q/k norms and per-layer RoPE
// (and its image-text class run on text): the bf16 forward's logits within the bf16 tolerance of transformers',
// its greedy tokens where the fp32 CPU backend leaves a clear margin, and over two ranks.
TEST(Bf16Forward, GemmaCheckpointsMatchTransformersWithinBf16Tolerance) {
  for (const char* fixture : {"gemma_bf16", "gemma2_bf16", "gemma3_bf16", "gemma3_multimodal_bf16"}) {
    check_transformers_fixture(fixture);
    for (const int ranks : {1, 2}) {
      Bf16HostBackend bf16(testing::fixture_dir(fixture).string(), 16, 256, ranks);
      EXPECT_NE(bf16.model().activation, kernels::GateActivation::silu) << fixture;
      EXPECT_GT(bf16.model().embedding_scale, 1.0f) << fixture;
    }
  }
  // Gemma 2's caps reach the forward (the fixture's are small, so they bite); Gemma's sqrt(48) in bf16.
  Bf16HostBackend gemma2(testing::fixture_dir("gemma2_bf16").string(), 16, 256);
  EXPECT_EQ(gemma2.model().attention_softcap, 2.0f);
  EXPECT_EQ(gemma2.model().logit_softcap, 15.0f);
  Bf16HostBackend gemma(testing::fixture_dir("gemma_bf16").string(), 16, 256);
  EXPECT_EQ(gemma.model().embedding_scale, 6.9375f);
  EXPECT_EQ(gemma.model().activation, kernels::GateActivation::gelu_tanh);
}

// The CUDA backend's device sampling path (draws packed after the batch, the sampling kernel's twin reading
// the head's logits in the workspace) chooses the tokens the host sampler chooses from the same logits.
TEST(Bf16Forward, SamplingAfterTheHeadMatchesHostSampling) {
  Bf16HostBackend bf16(parity_checkpoint(parity_models()[0]), 16, 256);
  testing::check_sampling_in_backend_matches_host(bf16);
}

// Every arena tensor, read one layer at a time, holds exactly the bf16 rounding of what the fp32 loader
// reads for the same rank (merged in q|k|v and gate|up order), and the arena is exactly as large as its
// tensors need: for every parity model and for tensor-parallel ranks.
TEST(Bf16Forward, StreamedArenaHoldsEachTensorOfTheRankRounded) {
  const auto expect_rounded = [](const bf16* got, std::vector<const std::vector<float>*> parts,
                                 const std::string& what) {
    ASSERT_NE(got, nullptr) << what;
    std::size_t at = 0, wrong = 0;
    for (const std::vector<float>* part : parts)
      for (const float value : *part) wrong += got[at++].bits != kernels::to_bf16(value).bits;
    EXPECT_EQ(wrong, 0u) << what << ": " << wrong << " of " << at << " values differ";
  };
  for (const ParityModel& m : parity_models()) {
    const std::string dir = parity_checkpoint(m);
    const Checkpoint checkpoint(dir);
    const ModelConfig config = load_model_config(dir);
    for (const int world : {1, 2, 4}) {
      if (config.num_attention_heads % world != 0) continue;
      const ShardSpec shard{world - 1, world, false};
      const std::string name = std::string(m.name) + " rank " + std::to_string(shard.rank) + "/" + std::to_string(world);
      const TransformerShardReader reader(checkpoint, config, shard);
      std::vector<std::byte> arena(bf16_arena_bytes(reader));
      std::size_t used = 0;
      const Bf16Model model = fill_bf16_arena(reader, arena.data(), [&](std::byte* at, const void* data, std::size_t bytes) {
        ASSERT_LE(at + bytes, arena.data() + arena.size()) << name;
        std::memcpy(at, data, bytes);
        used = static_cast<std::size_t>(at - arena.data()) + bytes;
      });
      EXPECT_EQ((used + 255) / 256 * 256, arena.size()) << name;

      const TransformerWeights host = load_transformer_weights(checkpoint, config, shard);
      expect_rounded(model.embed, {&host.embed}, name + " embed");
      expect_rounded(model.final_norm, {&host.final_norm}, name + " final norm");
      if (!host.lm_head.empty()) expect_rounded(model.head, {&host.lm_head}, name + " head");
      ASSERT_EQ(model.layers.size(), host.layers.size()) << name;
      for (std::size_t l = 0; l < host.layers.size(); ++l) {
        const LayerWeights& w = host.layers[l];
        const Bf16Layer& d = model.layers[l];
        const std::string layer = name + " layer " + std::to_string(l);
        // Norms a layout may lack (OLMo: no input norms, output norms, whole-projection q/k norms) are null then.
        const auto expect_norm = [&](const bf16* got, const std::vector<float>& norm, const char* what) {
          if (norm.empty()) {
            EXPECT_EQ(got, nullptr) << layer << " " << what;
          } else {
            expect_rounded(got, {&norm}, layer + " " + what);
          }
        };
        expect_norm(d.input_norm, w.input_norm, "input norm");
        expect_norm(d.q_norm, w.q_norm, "q norm");
        expect_norm(d.k_norm, w.k_norm, "k norm");
        expect_norm(d.attn_output_norm, w.attn_output_norm, "attention output norm");
        expect_norm(d.post_attention_norm, w.post_attention_norm, "post-attention norm");
        expect_norm(d.ffn_output_norm, w.ffn_output_norm, "MLP output norm");
        expect_rounded(d.qkv, {&w.q.weight, &w.k.weight, &w.v.weight}, layer + " qkv");
        if (!w.q.bias.empty()) expect_rounded(d.qkv_bias, {&w.q.bias, &w.k.bias, &w.v.bias}, layer + " qkv bias");
        expect_rounded(d.o, {&w.o.weight}, layer + " o");
        if (!w.o.bias.empty()) expect_rounded(d.o_bias, {&w.o.bias}, layer + " o bias");
        if (!w.experts.empty()) {  // a sparse layer: the router and each expert's [gate | up] and down, in expert order
          EXPECT_EQ(d.gate_up, nullptr) << layer;
          expect_rounded(d.router, {&w.router.weight}, layer + " router");
          std::vector<const std::vector<float>*> gate_up, down;
          for (const ExpertWeights& expert : w.experts) {
            gate_up.insert(gate_up.end(), {&expert.gate.weight, &expert.up.weight});
            down.push_back(&expert.down.weight);
          }
          expect_rounded(d.experts_gate_up, gate_up, layer + " experts' gate|up");
          expect_rounded(d.experts_down, down, layer + " experts' down");
          continue;
        }
        EXPECT_EQ(d.router, nullptr) << layer;
        expect_rounded(d.gate_up, {&w.gate.weight, &w.up.weight}, layer + " gate|up");
        if (!w.gate.bias.empty()) expect_rounded(d.gate_up_bias, {&w.gate.bias, &w.up.bias}, layer + " gate|up bias");
        expect_rounded(d.down, {&w.down.weight}, layer + " down");
        if (!w.down.bias.empty()) expect_rounded(d.down_bias, {&w.down.bias}, layer + " down bias");
        EXPECT_EQ(d.qkv_bias == nullptr, w.q.bias.empty()) << layer;
        EXPECT_EQ(d.down_bias == nullptr, w.down.bias.empty()) << layer;
      }
    }
  }
}

// The arena holds every tensor once, merged where the forward pass wants one matmul, and counts the bytes
// a step reads: all matrices and vectors, the embedding only as the tied head.
TEST(Bf16Forward, ArenaMergesProjectionsAndCountsStepBytes) {
  for (const ParityModel& m : parity_models()) {
    Bf16HostBackend bf16(parity_checkpoint(m), 16, 8);
    const Bf16Model& model = bf16.model();
    const auto& s = m.spec;
    const int head_dim = s.resolved_head_dim();
    EXPECT_EQ(model.qkv_width(), (s.heads + 2 * s.kv_heads) * head_dim) << m.name;
    ASSERT_EQ(model.layers.size(), static_cast<std::size_t>(s.layers)) << m.name;
    EXPECT_EQ(model.layers[0].qkv_bias != nullptr, s.attention_bias()) << m.name;
    EXPECT_EQ(model.layers[0].gate_up_bias != nullptr, s.llama && s.llama_biases) << m.name;
    EXPECT_EQ(model.layers[0].q_norm != nullptr && model.layers[0].k_norm != nullptr,
              s.qwen3 || s.olmo != 0 || s.gemma == 3 || s.exaone4)
        << m.name;
    EXPECT_EQ(model.projection_qk_norm, s.olmo != 0) << m.name;
    EXPECT_EQ(model.layers[0].input_norm == nullptr && model.layers[0].post_attention_norm == nullptr,
              s.olmo != 0 || s.exaone4)
        << m.name;
    EXPECT_EQ(model.layers[0].attn_output_norm != nullptr && model.layers[0].ffn_output_norm != nullptr,
              s.olmo != 0 || s.gemma != 0 || s.glm4 || s.exaone4)
        << m.name;
    EXPECT_EQ(model.head == model.embed, s.tied) << m.name;
    const std::uint64_t attention = static_cast<std::uint64_t>(s.hidden) * model.qkv_width() +
                                    static_cast<std::uint64_t>(s.hidden) * model.q_width();
    // A sparse layer reads its router and, for one token, experts_per_token of its experts.
    const std::uint64_t sparse_mlp = static_cast<std::uint64_t>(s.experts) * s.hidden +
                                     static_cast<std::uint64_t>(s.experts_per_token) * 3 * s.hidden * s.expert_intermediate;
    const int sparse_layers = s.experts > 0 ? s.layers - (s.dense_layer >= 0 ? 1 : 0) : 0;
    const std::uint64_t matrices = s.layers * attention + (s.layers - sparse_layers) * 3ull * s.hidden * s.intermediate +
                                   sparse_layers * sparse_mlp;
    EXPECT_EQ(model.experts, s.experts) << m.name;
    EXPECT_EQ(model.layers[0].router != nullptr, s.experts > 0) << m.name;
    std::uint64_t vectors = 2ull * s.hidden;  // the two norms (OLMo, EXAONE 4.0: of the attention and MLP outputs)
    if (s.gemma != 0 || s.glm4) vectors += 2ull * s.hidden;  // and Gemma 2 / 3's or GLM-4-0414's two output norms besides
    if (s.exaone4) vectors += 2ull * head_dim;  // the per-head q and k norms
    if (s.gemma == 3) vectors += 2ull * head_dim;  // the per-head q and k norms
    if (s.attention_bias()) vectors += static_cast<std::uint64_t>(model.qkv_width());
    if (s.llama && s.llama_biases) vectors += s.hidden + 2ull * s.intermediate + s.hidden;
    if (s.qwen3) vectors += 2ull * head_dim;  // the per-head q and k norms
    if (s.olmo != 0) vectors += static_cast<std::uint64_t>(s.heads + s.kv_heads) * head_dim;  // whole-projection norms
    // gpt-oss: the o bias, the sinks, the router's bias and, for one token, experts_per_token experts' biases.
    if (s.gpt_oss)
      vectors += static_cast<std::uint64_t>(s.hidden) + s.heads + s.experts +
                 static_cast<std::uint64_t>(s.experts_per_token) * (2ull * s.expert_intermediate + s.hidden);
    const std::uint64_t expected =
        2 * (matrices + s.layers * vectors + static_cast<std::uint64_t>(s.vocab) * s.hidden + s.hidden);
    EXPECT_EQ(model.bytes_per_step, expected) << m.name;
  }
}

}  // namespace
}  // namespace r1eval::engine
