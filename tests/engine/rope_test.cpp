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
  // cos and sin carry the attention factor, so q . k carries its square.
  EXPECT_NEAR(attention_logit_scale(config), 1.1721471588322 * 1.1721471588322 / 4.0, 1e-6);
}

TEST(Rope, PlainAndLlama3KeepTheUsualAttentionScale) {
  EXPECT_EQ(attention_logit_scale(with_rope("null", 64)), 0.125f);
  EXPECT_EQ(attention_logit_scale(with_rope(R"({"rope_type":"linear","factor":2.0})", 64)), 0.125f);
}

}  // namespace
}  // namespace r1eval::engine
