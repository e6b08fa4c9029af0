#include "engine/backend/rope.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "engine/model/model_config.h"

namespace r1eval::engine {
namespace {

ModelConfig with_rope(const std::string& rope_scaling, int head_dim) {
  return parse_model_config(R"({"architectures":["Qwen2ForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,)"
                            R"("intermediate_size":8,"vocab_size":10,"hidden_size":)" +
                                std::to_string(4 * head_dim) +
                                R"(,"max_position_embeddings":2048,"rope_theta":10000.0,"rope_scaling":)" +
                                rope_scaling + "}",
                            "config.json");
}

// Frequencies transformers 5.24 computes for this config (ROPE_INIT_FUNCTIONS["yarn"]): an untruncated ramp
// from beta_fast 16 to beta_slow 2 rotations over 256 positions, factor 8.
TEST(Rope, YarnFrequenciesMatchTransformers) {
  const ModelConfig config = with_rope(R"({"rope_type":"yarn","factor":8.0,"original_max_position_embeddings":256,)"
                                       R"("beta_fast":16,"beta_slow":2,"truncate":false,"mscale":2.0,"mscale_all_dim":1.0})",
                                       16);
  const std::vector<float> expected = {1.0f,          0.28740859031677246f,   0.04244179651141167f,
                                       0.0039528473280370235f, 0.0012499999720603228f, 0.00039528473280370235f,
                                       0.0001250000059371814f, 3.9528473280370235e-05f};
  const std::vector<float> got = rope_inverse_frequencies(config);
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 2e-7f * expected[i]) << i;
  // cos and sin carry the attention factor; q . k is scaled as usual.
  EXPECT_NEAR(rotary_scale(config), 1.1721471588322, 1e-6);
  EXPECT_EQ(attention_logit_scale(config), 0.25f);
}

ModelConfig phi3_longrope(std::int64_t max_positions) {
  return parse_model_config(
      R"({"architectures":["Phi3ForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,"hidden_size":64,)"
      R"("intermediate_size":8,"vocab_size":10,"original_max_position_embeddings":32,"partial_rotary_factor":0.75,)"
      R"("max_position_embeddings":)" + std::to_string(max_positions) +
          R"(,"rope_scaling":{"type":"longrope","short_factor":[1,1.1,1.3,1.7,2.5,3.0],"long_factor":[1.5,2,3,5,8,13]}})",
      "config.json");
}

// transformers 5.24's ROPE_INIT_FUNCTIONS["longrope"] for this Phi-3 config (12 of 16 dimensions rotated): the
// short factors for a sequence within the original 32 positions, the long ones past it.
TEST(Rope, LongRopeFrequenciesMatchTransformers) {
  const std::vector<float> short_expected = {1.0f, 0.1958576887845993f, 0.03570452705025673f, 0.0058823530562222f,
                                             0.0008617736748419702f, 0.00015471965889446437f};
  const std::vector<float> long_expected = {0.6666666865348816f, 0.1077217236161232f, 0.015471960417926311f,
                                            0.0020000000949949026f, 0.0002693042915780097f, 3.570453554857522e-05f};
  // A model longer than its original context uses the long factors everywhere (vLLM's rule); one that is not,
  // the short ones.
  const ModelConfig long_model = phi3_longrope(128), short_model = phi3_longrope(32);
  for (const auto& [config, expected] : {std::pair{long_model, long_expected}, std::pair{short_model, short_expected}}) {
    const std::vector<float> got = rope_inverse_frequencies(config);
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 2e-7f * expected[i]) << i;
  }
  EXPECT_NEAR(rotary_scale(long_model), 1.1832159566199232, 1e-6);  // sqrt(1 + ln 4 / ln 32)
  EXPECT_EQ(rotary_scale(short_model), 1.0f);
  EXPECT_EQ(attention_logit_scale(long_model), 0.25f);
}

// An odd number of rotated dimensions (head_dim 16 x 0.33 = 5) turns three pairs with transformers' exponents
// 0, 2/5 and 4/5.
TEST(Rope, OddRotaryDimsTurnOneMorePair) {
  const ModelConfig config = parse_model_config(
      R"({"architectures":["Phi3ForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,"hidden_size":64,)"
      R"("intermediate_size":8,"vocab_size":10,"partial_rotary_factor":0.33,"rope_theta":10000})",
      "config.json");
  const std::vector<float> got = rope_inverse_frequencies(config);
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(got[static_cast<std::size_t>(i)], 1.0f / std::pow(10000.0f, 2.0f * i / 5.0f));
}

// Element i pairs with i + P for the P frequencies given; the rest of the head is kept.
TEST(Rope, ApplyRopeTurnsTheLeadingPairsOnly) {
  std::vector<float> head = {1, 2, 3, 4, 5, 6, 7, 8};
  apply_rope(head.data(), 1, 8, 3, {0.5f, 0.25f}, 2.0f);
  const double a0 = 3 * 0.5, a1 = 3 * 0.25;
  EXPECT_NEAR(head[0], 2 * (1 * std::cos(a0) - 3 * std::sin(a0)), 1e-5);
  EXPECT_NEAR(head[2], 2 * (3 * std::cos(a0) + 1 * std::sin(a0)), 1e-5);
  EXPECT_NEAR(head[1], 2 * (2 * std::cos(a1) - 4 * std::sin(a1)), 1e-5);
  EXPECT_NEAR(head[3], 2 * (4 * std::cos(a1) + 2 * std::sin(a1)), 1e-5);
  EXPECT_EQ(std::vector<float>(head.begin() + 4, head.end()), (std::vector<float>{5, 6, 7, 8}));
}

TEST(Rope, PlainAndLlama3KeepTheUsualAttentionScale) {
  EXPECT_EQ(attention_logit_scale(with_rope("null", 64)), 0.125f);
  EXPECT_EQ(attention_logit_scale(with_rope(R"({"rope_type":"linear","factor":2.0})", 64)), 0.125f);
}

}  // namespace
}  // namespace r1eval::engine
