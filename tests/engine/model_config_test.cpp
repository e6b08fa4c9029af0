#include "engine/model/model_config.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "engine/model/checkpoint.h"
#include "engine/model/generation_config.h"
#include "engine/model/transformer_weights.h"
#include "engine_test_support.h"

namespace r1eval::engine {
namespace {

std::string config_error(const std::string& json) {
  try {
    parse_model_config(json, "config.json");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos);
    return message;
  }
  ADD_FAILURE() << "no error for " << json;
  return {};
}

TEST(ModelConfig, ReadsQwen2Fixture) {
  const ModelConfig config = load_model_config(testing::fixture_dir("qwen2_fp32").string());
  EXPECT_EQ(config.architecture, Architecture::kQwen2);
  EXPECT_EQ(config.hidden_size, 64);
  EXPECT_EQ(config.num_hidden_layers, 2);
  EXPECT_EQ(config.num_attention_heads, 4);
  EXPECT_EQ(config.num_key_value_heads, 2);
  EXPECT_EQ(config.head_dim, 16);
  EXPECT_EQ(config.intermediate_size, 96);
  EXPECT_EQ(config.vocab_size, 256);
  EXPECT_TRUE(config.qkv_bias);
  EXPECT_FALSE(config.o_bias);
  EXPECT_FALSE(config.tie_word_embeddings);
  EXPECT_EQ(config.rope_scaling.type, RopeScaling::Type::kNone);
  EXPECT_EQ(config.torch_dtype, DType::kF32);
  EXPECT_EQ(config.eos_token_ids, std::vector<std::int64_t>{2});
}

TEST(ModelConfig, ReadsLlamaFixtureWithRopeScaling) {
  const ModelConfig config = load_model_config(testing::fixture_dir("llama_fp32_sharded").string());
  EXPECT_EQ(config.architecture, Architecture::kLlama);
  EXPECT_TRUE(config.tie_word_embeddings);
  EXPECT_FALSE(config.qkv_bias);
  EXPECT_EQ(config.rope_theta, 500000.0);
  EXPECT_EQ(config.rope_scaling.type, RopeScaling::Type::kLlama3);
  EXPECT_EQ(config.rope_scaling.factor, 8.0);
  EXPECT_EQ(config.rope_scaling.original_max_position_embeddings, 64);
  EXPECT_EQ(config.rms_norm_eps, 1e-5);
  EXPECT_EQ(config.eos_token_ids, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(config.bos_token_id, 1);
}

TEST(ModelConfig, ReadsLlamaBiasFlags) {
  const ModelConfig config = load_model_config(testing::fixture_dir("llama_bias_fp16").string());
  EXPECT_TRUE(config.qkv_bias);
  EXPECT_TRUE(config.o_bias);
  EXPECT_TRUE(config.mlp_bias);
  EXPECT_EQ(config.torch_dtype, DType::kF16);
  EXPECT_EQ(config.rope_scaling.type, RopeScaling::Type::kNone);
}

TEST(ModelConfig, AcceptsNewerRopeParametersSpelling) {
  const ModelConfig config = parse_model_config(
      R"({"architectures":["LlamaForCausalLM"],"hidden_size":64,"num_hidden_layers":1,"num_attention_heads":4,)"
      R"("intermediate_size":8,"vocab_size":10,"dtype":"bfloat16","attention_bias":true,)"
      R"("rope_parameters":{"rope_type":"llama3","rope_theta":500000.0,"factor":32.0,"low_freq_factor":1.0,)"
      R"("high_freq_factor":4.0,"original_max_position_embeddings":8192}})",
      "config.json");
  EXPECT_EQ(config.rope_theta, 500000.0);
  EXPECT_EQ(config.rope_scaling.type, RopeScaling::Type::kLlama3);
  EXPECT_EQ(config.rope_scaling.factor, 32.0);
  EXPECT_EQ(config.num_key_value_heads, 4);  // defaults to the attention heads
  EXPECT_EQ(config.torch_dtype, DType::kBF16);
  EXPECT_TRUE(config.qkv_bias);
  EXPECT_TRUE(config.o_bias);
}

TEST(ModelConfig, ReadsQwen3Fixture) {
  const ModelConfig config = load_model_config(testing::fixture_dir("qwen3_bf16").string());
  EXPECT_EQ(config.architecture, Architecture::kQwen3);
  EXPECT_EQ(config.qk_norm, QkNorm::kPerHead);
  EXPECT_FALSE(config.qkv_bias);
  EXPECT_EQ(config.head_dim, 32);  // set apart from hidden / heads (16)
  EXPECT_TRUE(config.tie_word_embeddings);
}

TEST(ModelConfig, NamesUnknownArchitecture) {
  const std::string message = config_error(R"({"architectures":["Gemma4ForConditionalGeneration"],"hidden_size":8})");
  EXPECT_EQ(message, "config.json: unsupported architecture 'Gemma4ForConditionalGeneration' (supported: Qwen2ForCausalLM, "
                     "LlamaForCausalLM, Qwen3ForCausalLM, Phi3ForCausalLM, MistralForCausalLM, Qwen3MoeForCausalLM, "
                     "MixtralForCausalLM, SmolLM3ForCausalLM, GemmaForCausalLM, Gemma2ForCausalLM, Gemma3ForCausalLM, "
                     "Olmo2ForCausalLM, Olmo3ForCausalLM, GlmForCausalLM, Glm4ForCausalLM, ExaoneForCausalLM, "
                     "Exaone4ForCausalLM, SeedOssForCausalLM, GraniteForCausalLM, MiMoForCausalLM, Ernie4_5ForCausalLM, "
                     "GptOssForCausalLM, Gemma3ForConditionalGeneration (its text model))");
}

// Seed-OSS (SeedOssForCausalLM): q/k/v biases unless attention_bias is false, an o_proj bias only with
// attention_out_bias, head_dim 128 by default. Granite (GraniteForCausalLM): its four multipliers (1 by default).
// ERNIE 4.5 (Ernie4_5ForCausalLM): RoPE on neighbouring pairs of the whole head, one bias switch for every linear,
// head_dim 128, rope_theta 500000, rms_norm_eps 1e-5 and tied by default.
TEST(ModelConfig, ReadsErnie45) {
  const ModelConfig defaults = parse_model_config(
      R"({"architectures":["Ernie4_5ForCausalLM"],"model_type":"ernie4_5","num_hidden_layers":2,"num_attention_heads":4,)"
      R"("num_key_value_heads":2,"intermediate_size":16,"vocab_size":10,"hidden_size":64})",
      "c");
  EXPECT_EQ(defaults.architecture, Architecture::kErnie45);
  EXPECT_TRUE(defaults.rotary_interleaved && defaults.tie_word_embeddings);
  EXPECT_FALSE(defaults.qkv_bias || defaults.o_bias || defaults.mlp_bias);
  EXPECT_EQ(defaults.head_dim, 128);
  EXPECT_EQ(defaults.rotated_dims(), 128);
  EXPECT_EQ(defaults.rope_theta, 500000.0);
  EXPECT_EQ(defaults.rms_norm_eps, 1e-5);
  const ModelConfig fixture = load_model_config(testing::fixture_dir("ernie45_bf16").string());
  EXPECT_TRUE(fixture.qkv_bias && fixture.o_bias && fixture.mlp_bias && !fixture.tie_word_embeddings);
}

// gpt-oss (GptOssForCausalLM): GptOssConfig's defaults (head_dim 64, 128 experts of intermediate_size, 4 per token,
// YaRN factor 32 over 4096 positions without truncation, rope_theta 150000, every even-indexed layer sliding over
// 128 positions, biased attention with sinks, the SwiGLU clamped at 7 with gain 1.702), and what a config overrides.
// quantization_config: the FP8 and compressed-tensors layouts give where their scales are (and packed codes' width);
// MXFP4 is gpt-oss's experts; every other method, a malformed block, asymmetric or group-ordered integers and another
// float8 format are refused, naming the field.
TEST(ModelConfig, ReadsTheQuantizationsItLoads) {
  const std::string shape = R"({"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","num_hidden_layers":2,)"
                            R"("num_attention_heads":4,"vocab_size":10,"hidden_size":64,"intermediate_size":96)";
  const auto scales = [](const ModelConfig& c) {
    return std::tuple(c.quantized_weights.scale_suffix, c.quantized_weights.block_rows, c.quantized_weights.block_cols);
  };
  EXPECT_EQ(scales(parse_model_config(shape + "}", "c")), std::tuple(std::string(), 0, 0));
  EXPECT_EQ(scales(parse_model_config(
                shape + R"(,"quantization_config":{"quant_method":"fp8","fmt":"e4m3","activation_scheme":"dynamic",)"
                        R"("weight_block_size":[128,128]}})",
                "c")),
            std::tuple(std::string("_scale_inv"), 128, 128));
  EXPECT_EQ(scales(parse_model_config(shape + R"(,"quantization_config":{"quant_method":"fp8","activation_scheme":"static"}})", "c")),
            std::tuple(std::string("_scale"), 0, 0));
  EXPECT_EQ(scales(parse_model_config(shape + R"(,"quantization_config":{"quant_method":"fbgemm_fp8"}})", "c")),
            std::tuple(std::string("_scale"), 1, 0));
  EXPECT_EQ(parse_model_config(shape + R"(,"quantization_config":{"quant_method":"mxfp4"}})", "c").quantized_weights.scale_suffix, "");
  const auto compressed = [&](const std::string& weights, const std::string& format = "float-quantized") {
    return shape + R"(,"quantization_config":{"quant_method":"compressed-tensors","format":")" + format +
           R"(","config_groups":{"group_0":{"targets":["Linear"],"weights":)" + weights + "}}}}";
  };
  EXPECT_EQ(scales(parse_model_config(compressed(R"({"num_bits":8,"type":"float","strategy":"channel"})"), "c")),
            std::tuple(std::string("_scale"), 1, 0));
  EXPECT_EQ(scales(parse_model_config(compressed(R"({"num_bits":8,"type":"float","strategy":"tensor"})"), "c")),
            std::tuple(std::string("_scale"), 0, 0));
  EXPECT_EQ(scales(parse_model_config(
                compressed(R"({"num_bits":8,"type":"float","strategy":"block","block_structure":[128,64]})"), "c")),
            std::tuple(std::string("_scale"), 128, 64));
  const ModelConfig w4a16 = parse_model_config(
      compressed(R"({"num_bits":4,"type":"int","symmetric":true,"strategy":"group","group_size":128,"actorder":null})",
                 "pack-quantized"),
      "c");
  EXPECT_EQ(scales(w4a16), std::tuple(std::string("_scale"), 1, 128));
  EXPECT_EQ(w4a16.quantized_weights.packed_bits, 4);
  const ModelConfig w8a8 =
      parse_model_config(compressed(R"({"num_bits":8,"type":"int","strategy":"channel"})", "int-quantized"), "c");
  EXPECT_EQ(scales(w8a8), std::tuple(std::string("_scale"), 1, 0));
  EXPECT_EQ(w8a8.quantized_weights.packed_bits, 0);
  const ModelConfig awq = parse_model_config(
      shape + R"(,"quantization_config":{"quant_method":"awq","bits":4,"group_size":128,"version":"GEMM",)"
              R"("zero_point":true}})",
      "c");
  EXPECT_EQ(awq.quantized_weights.awq_group, 128);
  const ModelConfig gptq = parse_model_config(
      shape + R"(,"quantization_config":{"quant_method":"gptq","bits":8,"group_size":-1,"desc_act":true,)"
              R"("checkpoint_format":"gptq_v2"}})",
      "c");
  EXPECT_EQ(std::tuple(gptq.quantized_weights.gptq_bits, gptq.quantized_weights.gptq_group,
                       gptq.quantized_weights.gptq_zero_offset),
            std::tuple(8, std::int64_t{0}, 0));
  EXPECT_EQ(parse_model_config(shape + R"(,"quantization_config":{"quant_method":"gptq","bits":4,"group_size":128}})", "c")
                .quantized_weights.gptq_zero_offset,
            1);
  const std::pair<std::string, std::string> refused[] = {
      {shape + R"(,"quantization_config":{"quant_method":"awq","bits":4,"version":"gemv"}})",
       "'quantization_config.version': expected gemm, not 'gemv'"},
      {shape + R"(,"quantization_config":{"quant_method":"awq","bits":8}})", "'quantization_config.bits'"},
      {shape + R"(,"quantization_config":{"quant_method":"awq","zero_point":false}})", "zero_point"},
      {shape + R"(,"quantization_config":{"quant_method":"gptq","bits":3}})", "'quantization_config.bits': expected 4 or 8"},
      {shape + R"(,"quantization_config":{"quant_method":"gptq","checkpoint_format":"marlin"}})",
       "'quantization_config.checkpoint_format': expected gptq or gptq_v2, not 'marlin'"},
      {shape + R"(,"quantization_config":{"quant_method":"gptq","group_size":0}})", "group_size"},
      {shape + R"(,"quantization_config":{"quant_method":"bitsandbytes","load_in_4bit":true}})",
       "'quantization_config.quant_method': expected fp8, fbgemm_fp8, compressed-tensors, awq, gptq or mxfp4, not "
       "'bitsandbytes'"},
      {shape + R"(,"quantization_config":{"quant_method":"hqq","bits":4}})", "not 'hqq'"},
      {shape + R"(,"quantization_config":{"quant_method":"fp8","weight_block_size":[128,0]}})", "weight_block_size"},
      {shape + R"(,"quantization_config":{"quant_method":"fp8","fmt":"e5m2","weight_block_size":[1,1]}})",
       "'quantization_config.fmt': expected e4m3, not 'e5m2'"},
      {shape + R"(,"quantization_config":"fp8"})", "quantization_config"},
      {compressed(R"({"num_bits":4,"type":"int","strategy":"group"})", "marlin-24"),
       "'quantization_config.config_groups.group_0.format': expected float-quantized, int-quantized or pack-quantized"},
      {compressed(R"({"num_bits":8,"type":"int","strategy":"channel"})"), "group_0.weights': expected 8-bit float"},
      {compressed(R"({"num_bits":4,"type":"int","strategy":"channel"})", "int-quantized"), "expected 8-bit int"},
      {compressed(R"({"num_bits":4,"type":"int","strategy":"group"})", "pack-quantized"), "group_size"},
      {compressed(R"({"num_bits":4,"type":"int","symmetric":false,"strategy":"channel"})", "pack-quantized"),
       "'quantization_config.config_groups.group_0.weights.symmetric': expected true"},
      {compressed(R"({"num_bits":4,"type":"int","strategy":"group","group_size":128,"actorder":"group"})",
                  "pack-quantized"),
       "actorder"},
      {compressed(R"({"num_bits":"8","type":"float","strategy":"channel"})"), "num_bits"},
      {compressed(R"({"num_bits":8,"type":"float","strategy":"token"})"),
       "'quantization_config.config_groups.group_0.weights.strategy': expected tensor, channel, group or block, not 'token'"},
      {compressed(R"({"num_bits":8,"type":"float","strategy":"block"})"), "block_structure"},
  };
  for (const auto& [json, expected] : refused)
    EXPECT_NE(config_error(json).find(expected), std::string::npos) << json << " -> " << config_error(json);
}

TEST(ModelConfig, ReadsGptOss) {
  const std::string shape = R"({"architectures":["GptOssForCausalLM"],"model_type":"gpt_oss","num_hidden_layers":4,)"
                            R"("num_attention_heads":8,"num_key_value_heads":2,"vocab_size":10,"hidden_size":64)";
  const ModelConfig defaults = parse_model_config(shape + "}", "c");
  EXPECT_EQ(defaults.architecture, Architecture::kGptOss);
  EXPECT_EQ(defaults.head_dim, 64);
  EXPECT_EQ(defaults.intermediate_size, 2880);
  EXPECT_TRUE(defaults.attention_sinks && defaults.qkv_bias && defaults.o_bias && !defaults.mlp_bias);
  EXPECT_FALSE(defaults.tie_word_embeddings);
  EXPECT_EQ(defaults.rms_norm_eps, 1e-5);
  EXPECT_EQ(defaults.rope_theta, 150000.0);
  EXPECT_EQ(defaults.rope_scaling.type, RopeScaling::Type::kYarn);
  EXPECT_EQ(defaults.rope_scaling.factor, 32.0);
  EXPECT_EQ(defaults.rope_scaling.original_max_position_embeddings, 4096);
  EXPECT_FALSE(defaults.rope_scaling.truncate);
  EXPECT_NEAR(defaults.rope_scaling.attention_factor, 0.1 * std::log(32.0) + 1.0, 1e-12);
  EXPECT_EQ(defaults.sliding_windows, (std::vector<std::int64_t>{128, 0, 128, 0}));
  EXPECT_EQ(defaults.moe.num_experts, 128);
  EXPECT_EQ(defaults.moe.experts_per_token, 4);
  EXPECT_EQ(defaults.moe.expert_intermediate_size, 2880);
  EXPECT_TRUE(defaults.moe.norm_topk_prob && defaults.moe.biases && defaults.moe.fused_experts);
  EXPECT_EQ(defaults.moe.swiglu_limit, 7.0);
  EXPECT_EQ(defaults.moe.swiglu_alpha, 1.702);
  for (std::int64_t l = 0; l < 4; ++l) EXPECT_TRUE(defaults.moe.sparse(l));

  const ModelConfig set = parse_model_config(
      shape + R"(,"layer_types":["full_attention","sliding_attention","full_attention","full_attention"],)"
              R"("sliding_window":64,"num_local_experts":32,"num_experts_per_tok":2,"intermediate_size":16,)"
              R"("swiglu_limit":3.5,"attention_bias":false})",
      "c");
  EXPECT_EQ(set.sliding_windows, (std::vector<std::int64_t>{0, 64, 0, 0}));
  EXPECT_EQ(set.moe.num_experts, 32);
  EXPECT_EQ(set.moe.expert_intermediate_size, 16);
  EXPECT_EQ(set.moe.swiglu_limit, 3.5);
  EXPECT_FALSE(set.qkv_bias || set.o_bias);
  EXPECT_TRUE(parse_model_config(shape + R"(,"sliding_window":null})", "c").sliding_windows.empty());
  const ModelConfig fixture = load_model_config(testing::fixture_dir("gpt_oss_bf16").string());
  EXPECT_EQ(fixture.sliding_windows, (std::vector<std::int64_t>{24, 0}));
  EXPECT_EQ(fixture.moe.swiglu_limit, 1.5);
  EXPECT_FALSE(fixture.rope_scaling.truncate);
  for (const char* bad : {R"(,"swiglu_limit":0})", R"(,"num_experts_per_tok":200})", R"(,"sliding_window":0})"})
    EXPECT_THROW(parse_model_config(shape + bad, "c"), std::runtime_error) << bad;
}

TEST(ModelConfig, ReadsSeedOssAndGranite) {
  const std::string shape = R"("num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":16,)"
                            R"("vocab_size":10,"hidden_size":64,)";
  const std::string seed = R"({"architectures":["SeedOssForCausalLM"],"model_type":"seed_oss",)" + shape;
  const ModelConfig seed_defaults = parse_model_config(seed + R"("rope_theta":10000000})", "c");
  EXPECT_EQ(seed_defaults.architecture, Architecture::kSeedOss);
  EXPECT_TRUE(seed_defaults.qkv_bias && !seed_defaults.o_bias && !seed_defaults.mlp_bias);
  EXPECT_EQ(seed_defaults.head_dim, 128);
  EXPECT_EQ(seed_defaults.max_position_embeddings, 524288);
  const ModelConfig seed_fixture = load_model_config(testing::fixture_dir("seed_oss_bf16").string());
  EXPECT_TRUE(seed_fixture.qkv_bias && seed_fixture.o_bias);
  EXPECT_EQ(seed_fixture.head_dim, 32);

  const std::string granite = R"({"architectures":["GraniteForCausalLM"],"model_type":"granite",)" + shape;
  const ModelConfig plain = parse_model_config(granite + R"("rope_theta":10000})", "c");
  EXPECT_EQ(plain.architecture, Architecture::kGranite);
  EXPECT_EQ(plain.embedding_multiplier, 1.0f);
  EXPECT_EQ(plain.attention_multiplier, 1.0);  // GraniteConfig's default: q . k unscaled
  EXPECT_EQ(plain.residual_multiplier, 1.0);
  EXPECT_EQ(plain.logits_scaling, 1.0);
  const ModelConfig fixture = load_model_config(testing::fixture_dir("granite_bf16").string());
  EXPECT_EQ(fixture.embedding_multiplier, 12.0f);
  EXPECT_EQ(fixture.attention_multiplier, 0.0625);
  EXPECT_EQ(fixture.residual_multiplier, 0.22);
  EXPECT_EQ(fixture.logits_scaling, 8.0);
  EXPECT_NE(config_error(granite + R"("logits_scaling":0})").find("'logits_scaling': expected a non-zero number"),
            std::string::npos);
  EXPECT_NE(config_error(granite + R"("residual_multiplier":"x"})").find("residual_multiplier"), std::string::npos);
}

// EXAONE 3 / 3.5 / Deep (ExaoneForCausalLM): Llama's layer under ExaoneConfig's field names (num_layers,
// layer_norm_epsilon, activation_function), rope_theta 500000 by default. EXAONE 4.0 (Exaone4ForCausalLM): output
// norms only, per-head q/k norms, and with a sliding_window (4096 by default) all but every
// sliding_window_pattern-th layer sliding with RoPE, the others global without; null: every layer global, rotating.
TEST(ModelConfig, ReadsExaone) {
  const ModelConfig deep = load_model_config(testing::fixture_dir("exaone_bf16").string());
  EXPECT_EQ(deep.architecture, Architecture::kExaone);
  EXPECT_EQ(deep.num_hidden_layers, 2);
  EXPECT_EQ(deep.rms_norm_eps, 1e-5);
  EXPECT_EQ(deep.rope_scaling.type, RopeScaling::Type::kLlama3);
  EXPECT_FALSE(deep.qkv_bias || deep.o_bias || deep.mlp_bias || deep.sandwich_norms || deep.qk_norm != QkNorm::kNone);
  const std::string shape = R"("num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":16,)"
                            R"("vocab_size":10,"hidden_size":64,)";
  const ModelConfig three = parse_model_config(
      R"({"architectures":["ExaoneForCausalLM"],"model_type":"exaone","num_layers":3,)" + shape +
          R"("activation_function":"silu"})",
      "c");
  EXPECT_EQ(three.num_hidden_layers, 3);
  EXPECT_EQ(three.rope_theta, 500000.0);
  EXPECT_EQ(three.max_position_embeddings, 4096);
  EXPECT_NE(config_error(R"({"architectures":["ExaoneForCausalLM"],"model_type":"exaone","num_layers":3,)" + shape +
                         R"("activation_function":"gelu"})")
                .find("'hidden_act': expected silu"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"architectures":["ExaoneForCausalLM"],"model_type":"exaone",)" + shape + R"("x":1})")
                .find("num_hidden_layers"),
            std::string::npos);

  const ModelConfig four = load_model_config(testing::fixture_dir("exaone4_bf16").string());
  EXPECT_EQ(four.architecture, Architecture::kExaone4);
  EXPECT_TRUE(four.sandwich_norms && !four.input_norms && four.qk_norm == QkNorm::kPerHead && !four.qkv_bias);
  EXPECT_EQ(four.sliding_windows, (std::vector<std::int64_t>{16, 16, 16, 0}));
  EXPECT_EQ(four.no_rope_layers, (std::vector<bool>{false, false, false, true}));
  const std::string exaone4 = R"({"architectures":["Exaone4ForCausalLM"],"model_type":"exaone4","num_hidden_layers":8,)" + shape;
  const ModelConfig defaults = parse_model_config(exaone4 + R"("max_position_embeddings":65536})", "c");
  EXPECT_EQ(defaults.sliding_windows, (std::vector<std::int64_t>{4096, 4096, 4096, 0, 4096, 4096, 4096, 0}));
  EXPECT_EQ(defaults.no_rope_layers, (std::vector<bool>{false, false, false, true, false, false, false, true}));
  EXPECT_EQ(defaults.rms_norm_eps, 1e-5);
  const ModelConfig typed = parse_model_config(
      exaone4 + R"("sliding_window":null,"layer_types":["sliding_attention","full_attention","full_attention",)"
                R"("full_attention","full_attention","full_attention","full_attention","full_attention"]})",
      "c");
  EXPECT_TRUE(typed.sliding_windows.empty() && typed.no_rope_layers.empty());
  // A window as long as the model masks nothing, but the global layers still turn nothing.
  const ModelConfig long_window = parse_model_config(exaone4 + R"("sliding_window":2048,"sliding_window_pattern":2})", "c");
  EXPECT_TRUE(long_window.sliding_windows.empty());
  EXPECT_EQ(long_window.no_rope_layers, (std::vector<bool>{false, true, false, true, false, true, false, true}));
  EXPECT_NE(config_error(exaone4 + R"("sliding_window":null})").find("'layer_types': expected a list"), std::string::npos);
  EXPECT_NE(config_error(exaone4 + R"("sliding_window_pattern":"LLLG"})").find("'sliding_window_pattern'"),
            std::string::npos);
}

// GLM-4 (GlmForCausalLM: glm-4-9b-chat-hf) and GLM-4-0414 / GLM-Z1 (Glm4ForCausalLM) as transformers 5 configures
// them: RoPE on neighbouring pairs of half of each head by default, q/k/v biases unless attention_bias is false,
// gate/up fused, GLM-4-0414's output norms, rms_norm_eps 1.5625e-7 and untied by default.
TEST(ModelConfig, ReadsGlm) {
  const ModelConfig fixture = load_model_config(testing::fixture_dir("glm4_bf16").string());
  EXPECT_EQ(fixture.architecture, Architecture::kGlm4);
  EXPECT_TRUE(fixture.rotary_interleaved && fixture.fused_gate_up && !fixture.fused_qkv);
  EXPECT_TRUE(fixture.qkv_bias && !fixture.o_bias && !fixture.mlp_bias);
  EXPECT_TRUE(fixture.sandwich_norms && fixture.input_norms && !fixture.norm_weight_offset);
  EXPECT_EQ(fixture.head_dim, 32);
  EXPECT_EQ(fixture.rotary_dim, 24);
  EXPECT_EQ(fixture.eos_token_ids, (std::vector<std::int64_t>{2, 3}));
  const std::string shape = R"("num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":16,)"
                            R"("vocab_size":10,"hidden_size":64,)";
  const ModelConfig glm = parse_model_config(R"({"architectures":["GlmForCausalLM"],"model_type":"glm",)" + shape +
                                                 R"("rope_theta":10000})",
                                             "c");
  EXPECT_EQ(glm.architecture, Architecture::kGlm);
  EXPECT_TRUE(glm.rotary_interleaved && glm.qkv_bias && !glm.sandwich_norms && !glm.tie_word_embeddings);
  EXPECT_EQ(glm.rotary_dim, 8);  // half of head_dim 16
  EXPECT_EQ(glm.rms_norm_eps, 1.5625e-7);
  EXPECT_EQ(glm.max_position_embeddings, 131072);
  const std::string glm4 = R"({"architectures":["Glm4ForCausalLM"],"model_type":"glm4",)" + shape;
  EXPECT_FALSE(parse_model_config(glm4 + R"("attention_bias":false})", "c").qkv_bias);
  EXPECT_EQ(parse_model_config(glm4 + R"("rope_parameters":{"rope_type":"default","rope_theta":10000,)"
                                      R"("partial_rotary_factor":1.0}})",
                               "c")
                .rotated_dims(),
            16);
  EXPECT_NE(config_error(glm4 + R"("hidden_act":"gelu"})").find("'hidden_act': expected silu"), std::string::npos);
  EXPECT_NE(config_error(R"({"architectures":["Glm4ForCausalLM"],"model_type":"glm",)" + shape + R"("rope_theta":1})")
                .find("'glm4' for Glm4ForCausalLM"),
            std::string::npos);
}

// OLMo 2 / 3 as transformers 5 configures them: output norms only, norms of the whole q and k projections,
// rms_norm_eps 1e-5 and untied by default; OLMo 3's layers slide but every fourth (or as layer_types says) over
// sliding_window (4096 by default), and its sliding layers rotate without the full layers' scaling.
TEST(ModelConfig, ReadsOlmo2And3) {
  const std::string shape = R"("num_hidden_layers":8,"num_attention_heads":8,"intermediate_size":16,"vocab_size":10,)"
                            R"("hidden_size":64,"max_position_embeddings":65536,)";
  const ModelConfig two = parse_model_config(
      R"({"architectures":["Olmo2ForCausalLM"],"model_type":"olmo2",)" + shape + R"("rope_theta":500000})", "c");
  EXPECT_EQ(two.architecture, Architecture::kOlmo2);
  EXPECT_TRUE(two.sandwich_norms && !two.input_norms && !two.tie_word_embeddings && !two.sliding_rope);
  EXPECT_EQ(two.qk_norm, QkNorm::kWholeProjection);
  EXPECT_EQ(two.rms_norm_eps, 1e-5);
  EXPECT_EQ(two.rope_theta, 500000.0);
  EXPECT_EQ(two.head_dim, 8);
  EXPECT_TRUE(two.sliding_windows.empty());
  EXPECT_TRUE(parse_model_config(R"({"architectures":["Olmo2ForCausalLM"],"model_type":"olmo2",)" + shape +
                                 R"("attention_bias":true})", "c").o_bias);
  const std::string olmo3 = R"({"architectures":["Olmo3ForCausalLM"],"model_type":"olmo3",)" + shape;
  const ModelConfig three = parse_model_config(
      olmo3 + R"("rope_theta":500000,"rope_scaling":{"rope_type":"yarn","factor":8.0,)"
              R"("original_max_position_embeddings":8192,"attention_factor":1.2079441541679836}})", "c");
  EXPECT_EQ(three.sliding_windows, (std::vector<std::int64_t>{4096, 4096, 4096, 0, 4096, 4096, 4096, 0}));
  EXPECT_EQ(three.rope_scaling.type, RopeScaling::Type::kYarn);
  EXPECT_EQ(three.rope_scaling.original_max_position_embeddings, 8192);
  ASSERT_TRUE(three.sliding_rope);
  EXPECT_EQ(three.sliding_rope->scaling.type, RopeScaling::Type::kNone);
  EXPECT_EQ(three.sliding_rope->theta, 500000.0);
  EXPECT_EQ(three.sliding_rope->layers, (std::vector<bool>{true, true, true, false, true, true, true, false}));
  // A top-level rope_theta serves the sliding layers too (transformers 5.x would give them 500000).
  EXPECT_EQ(parse_model_config(olmo3 + R"("rope_theta":10000})", "c").sliding_rope->theta, 10000.0);
  const ModelConfig typed = parse_model_config(
      olmo3 + R"("sliding_window":512,"layer_types":["full_attention","sliding_attention","full_attention",)"
              R"("sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention"],)"
              R"("rope_parameters":{"full_attention":{"rope_type":"default","rope_theta":1000},)"
              R"("sliding_attention":{"rope_type":"default","rope_theta":2000}}})", "c");
  EXPECT_EQ(typed.sliding_windows, (std::vector<std::int64_t>{0, 512, 0, 512, 0, 512, 0, 512}));
  EXPECT_EQ(typed.rope_theta, 1000.0);
  EXPECT_EQ(typed.sliding_rope->theta, 2000.0);
  EXPECT_NE(config_error(olmo3 + R"("sliding_window":null})").find("'sliding_window': expected a positive integer"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"architectures":["Olmo3ForCausalLM"],"model_type":"olmo2",)" + shape + R"("rope_theta":5})").find("'model_type'"),
            std::string::npos);
}

// gemma-3-4b-it's config.json as released: the image-text class with a text_config of five fields, the rest
// Gemma3TextConfig's defaults; dtype, end tokens and tying from the outer config.
TEST(ModelConfig, ReadsTheTextModelOfGemma3ImageTextCheckpoints) {
  const std::string released =
      R"({"architectures":["Gemma3ForConditionalGeneration"],"boi_token_index":255999,"eoi_token_index":256000,)"
      R"("eos_token_id":[1,106],"image_token_index":262144,"initializer_range":0.02,"mm_tokens_per_image":256,)"
      R"("model_type":"gemma3","text_config":{"hidden_size":2560,"intermediate_size":10240,"model_type":"gemma3_text",)"
      R"("num_hidden_layers":34,"rope_scaling":{"factor":8.0,"rope_type":"linear"},"sliding_window":1024},)"
      R"("torch_dtype":"bfloat16","vision_config":{"hidden_size":1152,"model_type":"siglip_vision_model"}})";
  const ModelConfig c = parse_model_config(released, "config.json");
  EXPECT_EQ(c.architecture, Architecture::kGemma3);
  EXPECT_EQ(c.architecture_name, "Gemma3ForConditionalGeneration");
  EXPECT_TRUE(c.multimodal_wrapper && c.tie_word_embeddings);
  EXPECT_EQ(c.num_attention_heads, 8);
  EXPECT_EQ(c.num_key_value_heads, 4);
  EXPECT_EQ(c.head_dim, 256);
  EXPECT_EQ(c.vocab_size, 262208);
  EXPECT_EQ(c.max_position_embeddings, 131072);
  EXPECT_EQ(c.eos_token_ids, (std::vector<std::int64_t>{1, 106}));
  EXPECT_EQ(c.torch_dtype, DType::kBF16);
  EXPECT_EQ(c.embedding_multiplier, 50.5f);  // sqrt(2560) = 50.596 in bf16
  EXPECT_EQ(c.rope_scaling.type, RopeScaling::Type::kLinear);
  EXPECT_EQ(c.sliding_rope->theta, 10000.0);
  ASSERT_EQ(c.sliding_windows.size(), 34u);
  EXPECT_EQ(c.sliding_windows[4], 1024);
  EXPECT_EQ(c.sliding_windows[5], 0);
  EXPECT_EQ(c.final_logit_softcap, 0.0);
  // transformers' image-text class never caps its logits; Gemma3ForCausalLM does with the same field.
  const std::string capped_text = R"({"hidden_size":64,"num_hidden_layers":2,"final_logit_softcapping":15.0,)"
                                  R"("num_attention_heads":4,"num_key_value_heads":2,"head_dim":16,"vocab_size":10)";
  EXPECT_EQ(parse_model_config(R"({"architectures":["Gemma3ForConditionalGeneration"],"text_config":)" + capped_text + "}}", "c")
                .final_logit_softcap,
            0.0);
  EXPECT_EQ(parse_model_config(R"({"architectures":["Gemma3ForCausalLM"],"intermediate_size":8,)" + capped_text.substr(1) + "}", "c")
                .final_logit_softcap,
            15.0);
  EXPECT_NE(config_error(R"({"architectures":["Gemma3ForConditionalGeneration"],"model_type":"gemma3"})")
                .find("'text_config': expected an object"),
            std::string::npos);
  const std::string negative =
      config_error(R"({"architectures":["Gemma3ForConditionalGeneration"],"text_config":{"hidden_size":-1}})");
  EXPECT_NE(negative.find("config.json: text_config: field 'hidden_size'"), std::string::npos) << negative;
  EXPECT_NE(config_error(R"({"architectures":["Gemma3ForConditionalGeneration"],"text_config":{"model_type":"gemma2"}})")
                .find("'text_config.model_type'"),
            std::string::npos);
}

// The Gemma family as transformers 5 configures it: head_dim 256, tied, GELU (tanh; GemmaConfig's legacy "gelu"
// too), norm offsets, the embedding times sqrt(hidden_size) in the checkpoint's dtype; Gemma 2's post-norms,
// query_pre_attn_scalar, soft caps (null: none) and every second layer sliding; Gemma 3's q/k norms, its sliding
// layers' own RoPE (classic fields or rope_parameters per layer kind) and its pattern of 6.
TEST(ModelConfig, ReadsTheGemmaFamily) {
  const std::string shape = R"("num_hidden_layers":6,"num_attention_heads":8,"num_key_value_heads":4,)"
                            R"("intermediate_size":16,"vocab_size":10,"hidden_size":3072,)";
  const ModelConfig gemma = parse_model_config(
      R"({"architectures":["GemmaForCausalLM"],"model_type":"gemma",)" + shape + R"("hidden_act":"gelu","torch_dtype":"bfloat16"})", "c");
  EXPECT_EQ(gemma.architecture, Architecture::kGemma);
  EXPECT_EQ(gemma.head_dim, 256);
  EXPECT_TRUE(gemma.tie_word_embeddings && gemma.norm_weight_offset && !gemma.sandwich_norms);
  EXPECT_EQ(gemma.activation, Activation::kGeluTanh);
  EXPECT_EQ(gemma.embedding_multiplier, 55.5f);  // sqrt(3072) = 55.43 in bf16
  EXPECT_FLOAT_EQ(parse_model_config(R"({"architectures":["GemmaForCausalLM"],"model_type":"gemma",)" + shape +
                                         R"("torch_dtype":"float32"})", "c").embedding_multiplier,
                  static_cast<float>(std::sqrt(3072.0)));
  const std::string gemma2 = R"({"architectures":["Gemma2ForCausalLM"],"model_type":"gemma2","max_position_embeddings":8192,)" + shape;
  const ModelConfig two = parse_model_config(gemma2 + R"("hidden_act":"silu"})", "c");  // hidden_act is not Gemma 2's field
  EXPECT_EQ(two.activation, Activation::kGeluTanh);
  EXPECT_TRUE(two.sandwich_norms && two.qk_norm == QkNorm::kNone && !two.sliding_rope);
  EXPECT_EQ(two.query_pre_attn_scalar, 256.0);
  EXPECT_EQ(two.attn_logit_softcap, 50.0);
  EXPECT_EQ(two.final_logit_softcap, 30.0);
  EXPECT_EQ(two.sliding_windows, (std::vector<std::int64_t>{4096, 0, 4096, 0, 4096, 0}));
  const ModelConfig uncapped = parse_model_config(
      gemma2 + R"("attn_logit_softcapping":null,"final_logit_softcapping":null,"hidden_activation":"gelu"})", "c");
  EXPECT_EQ(uncapped.attn_logit_softcap, 0.0);
  EXPECT_EQ(uncapped.final_logit_softcap, 0.0);
  EXPECT_EQ(uncapped.activation, Activation::kGelu);
  EXPECT_NE(config_error(gemma2 + R"("hidden_activation":"relu"})").find("'hidden_activation': expected gelu_pytorch_tanh"),
            std::string::npos);
  EXPECT_NE(config_error(gemma2 + R"("use_bidirectional_attention":true})").find("'use_bidirectional_attention'"),
            std::string::npos);
  const std::string gemma3 = R"({"architectures":["Gemma3ForCausalLM"],"model_type":"gemma3_text","max_position_embeddings":131072,)" + shape;
  const ModelConfig three = parse_model_config(
      gemma3 + R"("rope_theta":1000000,"rope_local_base_freq":10000,"rope_scaling":{"rope_type":"linear","factor":8},)"
               R"("sliding_window":1024})", "c");
  EXPECT_TRUE(three.qk_norm == QkNorm::kPerHead && three.sandwich_norms);
  EXPECT_EQ(three.attn_logit_softcap, 0.0);
  EXPECT_EQ(three.final_logit_softcap, 0.0);
  EXPECT_EQ(three.sliding_windows, (std::vector<std::int64_t>{1024, 1024, 1024, 1024, 1024, 0}));
  EXPECT_EQ(three.rope_theta, 1000000.0);
  EXPECT_EQ(three.rope_scaling.type, RopeScaling::Type::kLinear);
  ASSERT_TRUE(three.sliding_rope);
  EXPECT_EQ(three.sliding_rope->theta, 10000.0);
  EXPECT_EQ(three.sliding_rope->scaling.type, RopeScaling::Type::kNone);
  EXPECT_EQ(three.sliding_rope->layers, (std::vector<bool>{true, true, true, true, true, false}));
  const ModelConfig nested = parse_model_config(
      gemma3 + R"("rope_parameters":{"full_attention":{"rope_type":"linear","factor":4,"rope_theta":500000},)"
               R"("sliding_attention":{"rope_type":"default","rope_theta":20000}},)"
               R"("layer_types":["full_attention","sliding_attention","full_attention","sliding_attention",)"
               R"("full_attention","sliding_attention"]})", "c");
  EXPECT_EQ(nested.rope_theta, 500000.0);
  EXPECT_EQ(nested.rope_scaling.factor, 4.0);
  EXPECT_EQ(nested.sliding_rope->theta, 20000.0);
  EXPECT_EQ(nested.sliding_windows, (std::vector<std::int64_t>{0, 4096, 0, 4096, 0, 4096}));
  // As transformers 5.24 builds Gemma 3's RoPE (a differential probe found each): a flat rope_parameters is not
  // read, a legacy "type" under the default "rope_type" changes nothing, the original context of the nested parts
  // is max_position_embeddings, and yarn's truncate comes from the outer dict.
  EXPECT_EQ(parse_model_config(gemma3 + R"("rope_parameters":{"rope_type":"linear","factor":8,"rope_theta":5}})", "c")
                .rope_scaling.type,
            RopeScaling::Type::kNone);
  EXPECT_EQ(parse_model_config(gemma3 + R"("rope_scaling":{"type":"linear","factor":8}})", "c").rope_scaling.type,
            RopeScaling::Type::kNone);
  const ModelConfig yarn = parse_model_config(
      gemma3 + R"("original_max_position_embeddings":32,"rope_scaling":{"rope_type":"yarn","factor":4,"truncate":false}})", "c");
  EXPECT_EQ(yarn.rope_scaling.original_max_position_embeddings, 131072);
  EXPECT_TRUE(yarn.rope_scaling.truncate);
  EXPECT_NE(config_error(R"({"architectures":["GemmaForCausalLM"],"model_type":"gemma",)" + shape +
                         R"("use_bidirectional_attention":true})").find("'use_bidirectional_attention'"),
            std::string::npos);
  EXPECT_NE(config_error(gemma2 + R"("hidden_activation":null})").find("'hidden_activation': expected an activation name"),
            std::string::npos);
}

// Without a declared dtype, Gemma's sqrt(hidden_size) is rounded to the dtype of the stored embedding, the one the
// weights load in (bf16 here: sqrt(48) = 6.928 -> 6.9375).
TEST(ModelConfig, GemmaEmbeddingMultiplierFollowsTheStoredDtypeWhenNoneIsDeclared) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "engine" / "gemma_no_dtype";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto source = testing::fixture_dir("gemma_bf16");
  std::filesystem::copy_file(source / "model.safetensors", dir / "model.safetensors");
  std::ifstream in(source / "config.json");
  nlohmann::json config = nlohmann::json::parse(in);
  config.erase("torch_dtype");
  std::ofstream(dir / "config.json") << config.dump();
  const ModelConfig parsed = load_model_config(dir.string());
  EXPECT_FLOAT_EQ(parsed.embedding_multiplier, static_cast<float>(std::sqrt(48.0)));
  const Checkpoint checkpoint(dir.string());
  EXPECT_EQ(TransformerShardReader(checkpoint, parsed, ShardSpec{}).skeleton().config.embedding_multiplier, 6.9375f);
}

// Mixtral: MixtralConfig's defaults (8 experts of intermediate_size rows in every layer, 2 per token, always
// renormalised; rms_norm_eps 1e-5, rope_theta 1e6, no window unless sliding_window is set, which every layer takes);
// Qwen3-MoE's fields mean nothing to it.
TEST(ModelConfig, ReadsMixtral) {
  const ModelConfig fixture = load_model_config(testing::fixture_dir("mixtral_bf16").string());
  EXPECT_EQ(fixture.architecture, Architecture::kMixtral);
  EXPECT_EQ(fixture.moe.num_experts, 4);
  EXPECT_EQ(fixture.moe.experts_per_token, 2);
  EXPECT_EQ(fixture.moe.expert_intermediate_size, 96);
  EXPECT_TRUE(fixture.moe.norm_topk_prob);
  EXPECT_EQ(fixture.moe.sparse_layers, (std::vector<bool>{true, true}));
  EXPECT_EQ(fixture.sliding_windows, (std::vector<std::int64_t>{24, 24}));
  EXPECT_EQ(fixture.qk_norm, QkNorm::kNone);
  EXPECT_FALSE(fixture.qkv_bias);
  EXPECT_DOUBLE_EQ(fixture.rms_norm_eps, 1e-5);
  EXPECT_DOUBLE_EQ(fixture.rope_theta, 1e6);
  const std::string base = R"({"architectures":["MixtralForCausalLM"],"model_type":"mixtral","hidden_size":64,)"
                           R"("num_hidden_layers":3,"num_attention_heads":4,"intermediate_size":40,"vocab_size":10)";
  const ModelConfig defaults = parse_model_config(base + "}", "c");
  EXPECT_EQ(defaults.moe.num_experts, 8);
  EXPECT_EQ(defaults.moe.experts_per_token, 2);
  EXPECT_EQ(defaults.moe.expert_intermediate_size, 40);
  EXPECT_TRUE(defaults.sliding_windows.empty());
  EXPECT_EQ(defaults.max_position_embeddings, 4096 * 32);
  const ModelConfig ignored =
      parse_model_config(base + R"(,"norm_topk_prob":false,"mlp_only_layers":[0],"decoder_sparse_step":2,)"
                                R"("moe_intermediate_size":8,"sliding_window":null})", "c");
  EXPECT_TRUE(ignored.moe.norm_topk_prob);
  EXPECT_EQ(ignored.moe.sparse_layers, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(ignored.moe.expert_intermediate_size, 40);
  EXPECT_TRUE(ignored.sliding_windows.empty());
  EXPECT_THROW(parse_model_config(base + R"(,"num_experts_per_tok":9})", "c"), std::exception);
}

// Qwen3-MoE: the experts' fields under either spelling of their count, Qwen3MoeConfig's defaults, and which layers
// are sparse (mlp_only_layers, decoder_sparse_step).
TEST(ModelConfig, ReadsQwen3MoeAndItsSparseLayers) {
  const ModelConfig fixture = load_model_config(testing::fixture_dir("qwen3_moe_bf16").string());
  EXPECT_EQ(fixture.architecture, Architecture::kQwen3Moe);
  EXPECT_EQ(fixture.qk_norm, QkNorm::kPerHead);
  EXPECT_EQ(fixture.moe.num_experts, 8);
  EXPECT_EQ(fixture.moe.experts_per_token, 2);
  EXPECT_EQ(fixture.moe.expert_intermediate_size, 32);
  EXPECT_TRUE(fixture.moe.norm_topk_prob);
  EXPECT_EQ(fixture.moe.sparse_layers, (std::vector<bool>{true, false, true}));
  const std::string base = R"({"architectures":["Qwen3MoeForCausalLM"],"model_type":"qwen3_moe","hidden_size":64,)"
                           R"("num_hidden_layers":4,"num_attention_heads":4,"intermediate_size":8,"vocab_size":10,)";
  const ModelConfig defaults = parse_model_config(base + R"("num_local_experts":16,"decoder_sparse_step":2})", "c");
  EXPECT_EQ(defaults.moe.num_experts, 16);  // transformers 5.x's spelling
  EXPECT_EQ(defaults.moe.experts_per_token, 8);
  EXPECT_EQ(defaults.moe.expert_intermediate_size, 768);
  EXPECT_FALSE(defaults.moe.norm_topk_prob);
  EXPECT_EQ(defaults.head_dim, 16);  // hidden / heads: Qwen3MoeConfig, unlike Qwen3Config, has no head_dim default
  EXPECT_EQ(defaults.moe.sparse_layers, (std::vector<bool>{false, true, false, true}));
  EXPECT_FALSE(parse_model_config(base + R"("num_experts":0})", "c").moe.any_sparse());
  EXPECT_NE(config_error(base + R"("num_experts":4,"num_experts_per_tok":5})").find("num_experts_per_tok"), std::string::npos);
  EXPECT_NE(config_error(base + R"("mlp_only_layers":"all"})").find("mlp_only_layers"), std::string::npos);
  // Qwen3-MoE has no max_window_layers: use_sliding_window slides every layer (4096 when sliding_window is absent).
  EXPECT_EQ(parse_model_config(base + R"("use_sliding_window":true,"max_window_layers":28,"max_position_embeddings":32768})", "c")
                .sliding_windows,
            (std::vector<std::int64_t>{4096, 4096, 4096, 4096}));
  EXPECT_TRUE(parse_model_config(base + R"("use_sliding_window":true,"sliding_window":null})", "c").sliding_windows.empty());
  // An all-sparse config may leave out the dense MLP's size.
  std::string no_dense = base;
  no_dense.erase(no_dense.find(R"("intermediate_size":8,)"), std::string(R"("intermediate_size":8,)").size());
  EXPECT_EQ(parse_model_config(no_dense + R"("num_experts":4,"num_experts_per_tok":2})", "c").intermediate_size, 6144);
}

TEST(ModelConfig, NamesBadFields) {
  const std::string base = R"({"architectures":["Qwen2ForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,)"
                           R"("intermediate_size":8,"vocab_size":10,)";
  EXPECT_EQ(config_error(base + R"("hidden_size":"64"})"), "config.json: field 'hidden_size': expected an integer");
  EXPECT_EQ(config_error(base + R"("hidden_size":0})"), "config.json: field 'hidden_size': expected a positive integer");
  EXPECT_NE(config_error(base + R"("hidden_size":64,"num_key_value_heads":3})").find("num_key_value_heads"), std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"hidden_act":"gelu"})").find("hidden_act"), std::string::npos);
  EXPECT_NO_THROW(parse_model_config(base + R"("hidden_size":64,"hidden_act":"swish"})", "c"));  // SiLU in transformers
  EXPECT_NE(config_error(base + R"("hidden_size":64,"torch_dtype":"int8"})").find("torch_dtype"), std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"rope_scaling":{"rope_type":"dynamic","factor":4}})").find("rope_scaling.rope_type"),
            std::string::npos);
  // The type is named even when the config lacks the fields a supported type needs.
  EXPECT_NE(config_error(base + R"("hidden_size":64,"rope_scaling":{"rope_type":"dynamic"}})")
                .find("rope_scaling.rope_type': expected default, linear, llama3, yarn or longrope, not 'dynamic'"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"max_position_embeddings":64,"rope_scaling":{"rope_type":"longrope","short_factor":[1]}})")
                .find("rope_scaling.short_factor': expected a list of 8 non-zero numbers"),
            std::string::npos);  // head_dim 16: 8 pairs
  EXPECT_NE(config_error(base + R"("hidden_size":64,"partial_rotary_factor":0.5})")
                .find("'partial_rotary_factor': expected 1 for Qwen2ForCausalLM (transformers rotates part of each head only in "
                      "Phi3ForCausalLM and the GLM models)"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"rope_scaling":{"rope_type":"yarn","factor":-4,)"
                                R"("original_max_position_embeddings":64}})")
                .find("rope_scaling.factor"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"rope_scaling":{"rope_type":"llama3","factor":8}})").find("low_freq_factor"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"hidden_size":64})").find("architectures"), std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"layer_types":["chunked_attention"]})").find("layer_types[0]"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"layer_types":["full_attention","full_attention"]})").find("layer_types"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"use_sliding_window":true,"max_window_layers":0,"sliding_window":0})")
                .find("sliding_window"),
            std::string::npos);
  EXPECT_NO_THROW(parse_model_config(base + R"("hidden_size":64,"sliding_window":0})", "c"));  // dropped: no use_sliding_window
  EXPECT_EQ(config_error(base + R"("hidden_size":64,"model_type":"mistral"})"),
            "config.json: field 'model_type': expected 'qwen2' for Qwen2ForCausalLM, not 'mistral' (transformers would "
            "build a mistral model)");
  EXPECT_NE(config_error("{").find("not valid JSON"), std::string::npos);
  EXPECT_EQ(config_error(base + R"("hidden_size":64,"max_position_embeddings":0})"),
            "config.json: field 'max_position_embeddings': expected a positive integer");

  // Sizes past any real model are refused before anything is sized from them (2**62 layers once wrapped the KV
  // block size to 0; 10**12 OLMo layers ran out of memory without naming the field).
  EXPECT_EQ(config_error(base + R"("hidden_size":64,"num_hidden_layers":4611686018427387904})"),
            "config.json: field 'num_hidden_layers': expected at most 4096, not 4611686018427387904");
  EXPECT_NE(config_error(base + R"("hidden_size":64,"head_dim":4611686018427387904})").find("'head_dim': expected at most 65536"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"num_attention_heads":4611686018427387904,"num_key_value_heads":1})")
                .find("'num_attention_heads': expected at most"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":4611686018427387904})").find("'hidden_size': expected at most"), std::string::npos);
  EXPECT_NE(config_error(base + R"("hidden_size":64,"vocab_size":4611686018427387904})").find("'vocab_size': expected at most"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"architectures":["Olmo3ForCausalLM"],"num_hidden_layers":1000000000000,"num_attention_heads":4,)"
                         R"("intermediate_size":8,"vocab_size":10,"hidden_size":64})")
                .find("'num_hidden_layers': expected at most 4096"),
            std::string::npos);
  EXPECT_NE(config_error(R"({"architectures":["Qwen3MoeForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,)"
                         R"("vocab_size":10,"hidden_size":64,"num_experts":4611686018427387904})")
                .find("'num_experts': expected at most"),
            std::string::npos);
}

TEST(ModelConfig, MissingFileNamesIt) {
  EXPECT_THROW(load_model_config((std::filesystem::path(R1EVAL_TEST_TMP) / "no-such-model").string()), std::runtime_error);
}

TEST(GenerationConfig, ReadsFixtureDefaults) {
  const GenerationConfig config = load_generation_config(testing::fixture_dir("llama_fp32_sharded").string());
  EXPECT_EQ(config.temperature, 0.6);
  EXPECT_EQ(config.top_p, 0.95);
  EXPECT_EQ(config.do_sample, true);
  EXPECT_EQ(config.top_k, std::nullopt);
  EXPECT_EQ(config.eos_token_ids, (std::vector<std::int64_t>{2, 3}));
  // A folder without the file gives no defaults rather than an error.
  EXPECT_FALSE(load_generation_config(R1EVAL_TEST_TMP).temperature.has_value());
  EXPECT_THROW(parse_generation_config(R"({"temperature":"hot"})", "g.json"), std::runtime_error);
  // Sampling defaults out of range are refused as a request naming them would be.
  for (const char* bad : {R"({"temperature":-1})", R"({"top_p":0})", R"({"top_p":2.5})", R"({"top_k":-2})",
                          R"({"top_k":4611686018427387904})"}) {
    EXPECT_THROW(parse_generation_config(bad, "g.json"), std::runtime_error) << bad;
  }
  EXPECT_EQ(parse_generation_config(R"({"top_k":0,"temperature":0,"top_p":1})", "g.json").top_k, 0);
}

// Which Qwen2 layers slide, as transformers decides: layer_types when given, else the layers from max_window_layers on
// under use_sliding_window; without use_sliding_window the config drops the window; a window as long as the model
// changes nothing.
TEST(ModelConfig, SlidingWindowLayersFollowTransformers) {
  const std::string base = R"({"architectures":["Qwen2ForCausalLM"],"num_hidden_layers":2,"num_attention_heads":4,)"
                           R"("intermediate_size":8,"vocab_size":10,"hidden_size":64,"max_position_embeddings":32768,)";
  const auto windows = [&](const std::string& rest) { return parse_model_config(base + rest, "c").sliding_windows; };
  EXPECT_TRUE(windows(R"("use_sliding_window":true,"sliding_window":null})").empty());
  // An absent sliding_window is transformers' default of 4096.
  EXPECT_EQ(windows(R"("use_sliding_window":true,"max_window_layers":1})"), (std::vector<std::int64_t>{0, 4096}));
  EXPECT_TRUE(windows(R"("use_sliding_window":true,"sliding_window":8,"max_window_layers":2})").empty());
  EXPECT_TRUE(windows(R"("use_sliding_window":false,"sliding_window":8,"max_window_layers":0})").empty());
  EXPECT_TRUE(windows(R"("layer_types":["full_attention","full_attention"],"use_sliding_window":true})").empty());
  EXPECT_EQ(windows(R"("layer_types":["sliding_attention","full_attention"],"use_sliding_window":true,"sliding_window":8})"),
            (std::vector<std::int64_t>{8, 0}));
  EXPECT_TRUE(windows(R"("layer_types":["sliding_attention","full_attention"],"sliding_window":8})").empty());
  EXPECT_TRUE(windows(R"("use_sliding_window":true,"sliding_window":32768,"max_window_layers":0})").empty());
  EXPECT_EQ(load_model_config(testing::fixture_dir("qwen2_window_fp32").string()).sliding_windows,
            (std::vector<std::int64_t>{0, 12}));
  // transformers cannot compare a layer index with a null max_window_layers; without the window it is not read.
  EXPECT_NE(config_error(base + R"("use_sliding_window":true,"sliding_window":8,"max_window_layers":null})")
                .find("'max_window_layers': expected an integer when use_sliding_window is true"),
            std::string::npos);
  EXPECT_TRUE(windows(R"("use_sliding_window":false,"max_window_layers":null})").empty());
}

// RoPE settings are read as transformers 5.x reads them: the rope dict's own theta first, an empty
// rope_scaling as absent, Llama-3's original length from the top level, the dict, or the model length.
// Phi-3/4 (Phi-4-reasoning, Phi-4-mini-reasoning): fused projections, Phi3Config's eps default, LongRoPE (also
// under the names yarn and su, which Phi3Config renames), a partial rotary factor, a window.
TEST(ModelConfig, ReadsPhi3) {
  const ModelConfig fixture = load_model_config(testing::fixture_dir("phi3_bf16").string());
  EXPECT_EQ(fixture.architecture, Architecture::kPhi3);
  EXPECT_TRUE(fixture.fused_qkv && fixture.fused_gate_up);
  EXPECT_FALSE(fixture.qkv_bias || fixture.o_bias || fixture.mlp_bias || fixture.qk_norm != QkNorm::kNone);
  EXPECT_EQ(fixture.head_dim, 16);
  const std::string base = R"({"architectures":["Phi3ForCausalLM"],"model_type":"phi3","num_hidden_layers":1,)"
                           R"("num_attention_heads":4,"intermediate_size":8,"vocab_size":10,"hidden_size":64,)"
                           R"("max_position_embeddings":32768,)";
  EXPECT_EQ(parse_model_config(base + R"("rope_theta":500000})", "c").rms_norm_eps, 1e-5);
  EXPECT_TRUE(parse_model_config(base + R"("sliding_window":32768})", "c").sliding_windows.empty());
  EXPECT_EQ(parse_model_config(base + R"("sliding_window":2047})", "c").sliding_windows, (std::vector<std::int64_t>{2047}));
  // Phi-4-mini's shape: 0.75 of each head rotated, 32 x 4096 positions, factors per rotated pair.
  const std::string factors = R"("short_factor":[1,1,1,1,1,1],"long_factor":[1,2,3,4,5,6]}})";
  const ModelConfig mini = parse_model_config(
      base + R"("partial_rotary_factor":0.75,"max_position_embeddings":131072,"rope_scaling":{"type":"longrope",)" + factors,
      "c");
  EXPECT_EQ(mini.rotary_dim, 12);
  EXPECT_EQ(mini.rope_scaling.type, RopeScaling::Type::kLongRope);
  EXPECT_EQ(mini.rope_scaling.original_max_position_embeddings, 4096);  // Phi3Config's default
  EXPECT_TRUE(mini.rope_scaling.long_factors);
  EXPECT_NEAR(mini.rope_scaling.attention_factor, std::sqrt(1 + std::log(32.0) / std::log(4096.0)), 1e-12);
  EXPECT_EQ(mini.rope_scaling.long_factor, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  for (const char* renamed : {"yarn", "su"}) {
    const ModelConfig c = parse_model_config(base + R"("partial_rotary_factor":0.75,"original_max_position_embeddings":32768,)"
                                                    R"("rope_scaling":{"factor":2,"type":")" + renamed + "\"," + factors,
                                             "c");
    EXPECT_EQ(c.rope_scaling.type, RopeScaling::Type::kLongRope) << renamed;
    EXPECT_FALSE(c.rope_scaling.long_factors) << renamed;  // the model is no longer than its original context
    EXPECT_NEAR(c.rope_scaling.attention_factor, std::sqrt(1 + std::log(2.0) / std::log(32768.0)), 1e-12);
  }
  // The rope dict's partial factor wins over the top-level one (transformers 5.x standardizes them so).
  EXPECT_EQ(parse_model_config(base + R"("partial_rotary_factor":0.5,"rope_parameters":{"rope_type":"default",)"
                                      R"("rope_theta":10000,"partial_rotary_factor":0.75}})",
                               "c")
                .rotary_dim,
            12);
  EXPECT_NE(config_error(base + R"("rope_scaling":{"type":"longrope",)" + factors).find("rope_scaling.short_factor"),
            std::string::npos);  // 6 factors for 8 pairs
  EXPECT_NE(config_error(base + R"("partial_rotary_factor":0.75,"rope_scaling":{"type":"longrope","long_factor":[1,1,1,1,1,1]}})")
                .find("rope_scaling.short_factor"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("rope_scaling":{"type":"llama3","factor":8}})").find("default or longrope for Phi3ForCausalLM"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("partial_rotary_factor":0.05})").find("'partial_rotary_factor': expected a fraction"),
            std::string::npos);  // 0.8 dimensions
  EXPECT_NE(config_error(base + R"("partial_rotary_factor":0})").find("'partial_rotary_factor': expected a fraction"),
            std::string::npos);
  EXPECT_EQ(parse_model_config(base + R"("partial_rotary_factor":0.3})", "c").rotary_dim, 4);  // int(4.8)
  EXPECT_EQ(parse_model_config(base + R"("partial_rotary_factor":0.33})", "c").rotary_dim, 5);  // odd: 3 pairs turn
  EXPECT_NE(config_error(base + R"("partial_rotary_factor":0.33,"rope_scaling":{"type":"longrope","short_factor":[1,1],)"
                                R"("long_factor":[1,1]}})")
                .find("longrope with an even number of rotated dimensions"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("partial_rotary_factor":1.5})").find("'partial_rotary_factor'"), std::string::npos);
  EXPECT_NE(config_error(base + R"("model_type":"phi"})").find("model_type"), std::string::npos);
}

// SmolLM3 (SmolLM3-3B): Llama's layer, NoPE every no_rope_layer_interval-th layer or as no_rope_layers says,
// tied by default, and with use_sliding_window a window on the NoPE layers (or as layer_types says).
TEST(ModelConfig, ReadsSmolLM3) {
  const ModelConfig fixture = load_model_config(testing::fixture_dir("smollm3_bf16").string());
  EXPECT_EQ(fixture.architecture, Architecture::kSmolLM3);
  EXPECT_EQ(fixture.no_rope_layers, (std::vector<bool>{false, false, true}));
  EXPECT_FALSE(fixture.rotates(2));
  EXPECT_EQ(fixture.sliding_windows, (std::vector<std::int64_t>{0, 0, 20}));
  EXPECT_TRUE(fixture.tie_word_embeddings && fixture.qkv_bias && fixture.o_bias && !fixture.mlp_bias);
  const std::string base = R"({"architectures":["SmolLM3ForCausalLM"],"model_type":"smollm3","num_hidden_layers":8,)"
                           R"("num_attention_heads":4,"intermediate_size":8,"vocab_size":10,"hidden_size":64,)"
                           R"("max_position_embeddings":65536,)";
  const ModelConfig defaults = parse_model_config(base + R"("rope_theta":2000000})", "c");
  EXPECT_EQ(defaults.no_rope_layers, (std::vector<bool>{false, false, false, true, false, false, false, true}));
  EXPECT_TRUE(defaults.tie_word_embeddings);
  EXPECT_TRUE(defaults.sliding_windows.empty());
  EXPECT_TRUE(parse_model_config(base + R"("no_rope_layers":[1,1,1,1,1,1,1,1]})", "c").no_rope_layers.empty());
  EXPECT_EQ(parse_model_config(base + R"("no_rope_layers":[0,1,1,1,1,1,1,1],"use_sliding_window":true,)"
                                      R"("sliding_window":100,"layer_types":["full_attention","sliding_attention",)"
                                      R"("full_attention","full_attention","full_attention","full_attention",)"
                                      R"("full_attention","full_attention"]})",
                               "c")
                .sliding_windows,
            (std::vector<std::int64_t>{0, 100, 0, 0, 0, 0, 0, 0}));
  // SmolLM3Config's default_theta is 2e6; layer_types decides the sliding layers even without use_sliding_window
  // (transformers builds its masks from it), and needs a window then.
  EXPECT_EQ(parse_model_config(base + R"("tie_word_embeddings":false})", "c").rope_theta, 2000000.0);
  EXPECT_EQ(parse_model_config(base + R"("sliding_window":50,"layer_types":["sliding_attention","full_attention",)"
                                      R"("full_attention","full_attention","full_attention","full_attention",)"
                                      R"("full_attention","full_attention"]})",
                               "c")
                .sliding_windows,
            (std::vector<std::int64_t>{50, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_NE(config_error(base + R"("layer_types":["sliding_attention","full_attention","full_attention",)"
                                R"("full_attention","full_attention","full_attention","full_attention","full_attention"]})")
                .find("'sliding_window': expected a positive integer for the layers layer_types makes sliding_attention"),
            std::string::npos);
  EXPECT_NE(config_error(base + R"("no_rope_layers":[1,0]})").find("'no_rope_layers'"), std::string::npos);
  EXPECT_EQ(parse_model_config(base + R"("no_rope_layers":[1,1,1,1,1,1,1,0,0,0]})", "c").no_rope_layers.back(), true);
  EXPECT_NE(config_error(base + R"("no_rope_layer_interval":0})").find("'no_rope_layer_interval'"), std::string::npos);
}

// Mistral: Llama's layer without bias options; its config's absent sliding_window means 4096 (every layer
// slides), which matters only when the model is longer than the window.
TEST(ModelConfig, ReadsMistralAndItsWindow) {
  const ModelConfig fixture = load_model_config(testing::fixture_dir("mistral_fp32").string());
  EXPECT_EQ(fixture.architecture, Architecture::kMistral);
  EXPECT_EQ(fixture.head_dim, 32);
  const std::string base = R"({"architectures":["MistralForCausalLM"],"model_type":"mistral","num_hidden_layers":1,)"
                           R"("num_attention_heads":4,"intermediate_size":8,"vocab_size":10,"hidden_size":64,)";
  EXPECT_FALSE(parse_model_config(base + R"("max_position_embeddings":32768,"sliding_window":null,"attention_bias":true})", "c").qkv_bias);
  EXPECT_TRUE(parse_model_config(base + R"("max_position_embeddings":4096})", "c").sliding_windows.empty());
  EXPECT_EQ(parse_model_config(base + R"("max_position_embeddings":32768})", "c").sliding_windows, (std::vector<std::int64_t>{4096}));
  EXPECT_EQ(parse_model_config(base + R"("max_position_embeddings":32768,"sliding_window":16})", "c").sliding_windows,
            (std::vector<std::int64_t>{16}));
  EXPECT_EQ(load_model_config(testing::fixture_dir("mistral_window_fp32").string()).sliding_windows,
            (std::vector<std::int64_t>{16, 16}));
}

// YaRN as transformers 5.x reads it (the attention factor from factor, or from mscale / mscale_all_dim,
// or given; paper defaults for betas), times vLLM's attn_factor, which transformers ignores.
TEST(ModelConfig, ReadsYarnAsTransformersAndVllmDo) {
  const std::string base = R"({"architectures":["Qwen3ForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,)"
                           R"("intermediate_size":8,"vocab_size":10,"hidden_size":64,"max_position_embeddings":131072,)";
  // R1-0528-Qwen3-8B's own rope_scaling: its attn_factor cancels YaRN's 0.1 ln 4 + 1.
  ModelConfig c = parse_model_config(base + R"("rope_scaling":{"attn_factor":0.8782488562869419,"factor":4.0,)"
                                            R"("original_max_position_embeddings":32768,"rope_type":"yarn"}})", "c");
  EXPECT_EQ(c.rope_scaling.type, RopeScaling::Type::kYarn);
  EXPECT_EQ(c.rope_scaling.factor, 4.0);
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 32768);
  EXPECT_NEAR(c.rope_scaling.attention_factor, 1.0, 1e-12);
  EXPECT_EQ(c.rope_scaling.beta_fast, 32.0);
  EXPECT_EQ(c.rope_scaling.beta_slow, 1.0);
  EXPECT_TRUE(c.rope_scaling.truncate);
  // QwQ's card spelling, no attention factor: transformers' 0.1 ln(factor) + 1; a null factor is the ratio
  // of the context lengths.
  c = parse_model_config(base + R"("rope_scaling":{"type":"yarn","factor":null,"original_max_position_embeddings":32768}})", "c");
  EXPECT_EQ(c.rope_scaling.factor, 4.0);
  EXPECT_NEAR(c.rope_scaling.attention_factor, 0.1 * std::log(4.0) + 1.0, 1e-12);
  // mscale and mscale_all_dim (DeepSeek-V3's fields): their ratio; zero betas mean the defaults.
  c = parse_model_config(base + R"("rope_scaling":{"rope_type":"yarn","factor":8.0,"original_max_position_embeddings":256,)"
                                R"("mscale":2.0,"mscale_all_dim":1.0,"beta_fast":0,"beta_slow":2,"truncate":false}})", "c");
  EXPECT_NEAR(c.rope_scaling.attention_factor, 1.1721471588322, 1e-12);  // transformers 5.24's value
  EXPECT_EQ(c.rope_scaling.beta_fast, 32.0);
  EXPECT_EQ(c.rope_scaling.beta_slow, 2.0);
  EXPECT_FALSE(c.rope_scaling.truncate);
  // A given attention_factor is taken as is; the original length from the top level first.
  c = parse_model_config(base + R"("original_max_position_embeddings":4096,"rope_parameters":{"rope_type":"yarn",)"
                                R"("factor":2.0,"attention_factor":0.5,"original_max_position_embeddings":8192}})", "c");
  EXPECT_EQ(c.rope_scaling.attention_factor, 0.5);
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 4096);
  EXPECT_NE(config_error(base + R"("rope_scaling":{"rope_type":"yarn","factor":4.0,"attention_factor":-1}})")
                .find("rope_scaling.attention_factor"),
            std::string::npos);
}

TEST(ModelConfig, RopeSettingsFollowTransformersPrecedence) {
  const std::string base = R"({"architectures":["LlamaForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,)"
                           R"("intermediate_size":8,"vocab_size":10,"hidden_size":64,"max_position_embeddings":4096,)";
  const std::string llama3 = R"({"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0)";
  // A 5.x config re-saved by 4.x: rope_parameters carries the real theta, the top level a default.
  ModelConfig c = parse_model_config(base + R"("rope_parameters":)" + llama3 +
                                         R"(,"original_max_position_embeddings":8192,"rope_theta":500000.0},)"
                                         R"("rope_scaling":null,"rope_theta":10000.0})", "c");
  EXPECT_EQ(c.rope_theta, 500000.0);
  EXPECT_EQ(c.rope_scaling.type, RopeScaling::Type::kLlama3);
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 8192);
  // An empty rope_scaling beside rope_parameters is absent.
  c = parse_model_config(base + R"("rope_scaling":{},"rope_parameters":)" + llama3 + R"(}})", "c");
  EXPECT_EQ(c.rope_scaling.type, RopeScaling::Type::kLlama3);
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 4096);  // the model length when none is given
  EXPECT_EQ(c.rope_theta, 10000.0);
  // A top-level original length wins (Phi-3's layout, which transformers honours for every model).
  c = parse_model_config(base + R"("original_max_position_embeddings":2048,"rope_scaling":)" + llama3 +
                             R"(,"original_max_position_embeddings":8192}})", "c");
  EXPECT_EQ(c.rope_scaling.original_max_position_embeddings, 2048);
  // A non-empty rope_scaling wins over rope_parameters, with its own theta.
  c = parse_model_config(base + R"("rope_scaling":{"rope_type":"linear","factor":2.0,"rope_theta":1000.0},)"
                                R"("rope_parameters":{"rope_type":"default","rope_theta":500000.0}})", "c");
  EXPECT_EQ(c.rope_scaling.type, RopeScaling::Type::kLinear);
  EXPECT_EQ(c.rope_theta, 1000.0);
}

TEST(ModelConfig, DefaultsAndNumberFormsAsTransformers5ReadsThem) {
  const std::string qwen3 = R"({"architectures":["Qwen3ForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,)"
                            R"("intermediate_size":8,"vocab_size":10,"hidden_size":64,)";
  EXPECT_EQ(parse_model_config(qwen3 + R"("model_type":"qwen3"})", "c").head_dim, 128);  // Qwen3Config's default
  // transformers 5.x refuses a count written as a float (strict dataclass fields), and so does r1eval.
  EXPECT_NE(config_error(qwen3 + R"("num_key_value_heads":2.0})").find("num_key_value_heads"), std::string::npos);
  // transformers 5.x writes dtype; a torch_dtype beside it is a stale copy.
  EXPECT_EQ(parse_model_config(qwen3 + R"("dtype":"bfloat16","torch_dtype":"float32"})", "c").torch_dtype, DType::kBF16);
  // Without max_position_embeddings the config class's default holds, and serves llama3 / yarn as their original context.
  EXPECT_EQ(parse_model_config(qwen3 + R"("model_type":"qwen3"})", "c").max_position_embeddings, 32768);
  const std::string olmo = R"({"architectures":["Olmo3ForCausalLM"],"num_hidden_layers":4,"num_attention_heads":4,)"
                           R"("intermediate_size":8,"vocab_size":10,"hidden_size":64,)";
  const ModelConfig olmo_yarn = parse_model_config(olmo + R"("rope_scaling":{"rope_type":"yarn","factor":4}})", "c");
  EXPECT_EQ(olmo_yarn.max_position_embeddings, 2048);
  EXPECT_EQ(olmo_yarn.rope_scaling.original_max_position_embeddings, 2048);
  EXPECT_EQ(parse_model_config(R"({"architectures":["MistralForCausalLM"],"num_hidden_layers":1,"num_attention_heads":4,)"
                               R"("intermediate_size":8,"vocab_size":10,"hidden_size":64})", "c")
                .max_position_embeddings,
            131072);
}

// The model stops on generation_config.json's end tokens when it names any, as transformers' generate and
// vLLM do, else on config.json's.
TEST(ModelConfig, EndTokensOfGenerationConfigWin) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "eos_in_generation_config";
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(testing::fixture_dir("qwen2_fp32") / "config.json", dir / "config.json",
                             std::filesystem::copy_options::overwrite_existing);
  std::ofstream(dir / "generation_config.json") << R"({"eos_token_id": [7, 2], "bos_token_id": 1})";
  EXPECT_EQ(load_model_config(dir.string()).eos_token_ids, (std::vector<std::int64_t>{7, 2}));
  std::ofstream(dir / "generation_config.json") << R"({"bos_token_id": 1})";
  EXPECT_EQ(load_model_config(dir.string()).eos_token_ids, (std::vector<std::int64_t>{2}));
  std::filesystem::remove(dir / "generation_config.json");
  EXPECT_EQ(load_model_config(dir.string()).eos_token_ids, (std::vector<std::int64_t>{2}));
  // An end token outside the vocabulary would never end a sample; the file that names it is named.
  const auto error_of = [&] {
    try {
      load_model_config(dir.string());
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::int64_t vocab = load_model_config(dir.string()).vocab_size;
  for (const std::string& bad : std::vector<std::string>{"-1", std::to_string(vocab), "[2, -5]", "4611686018427387904"}) {
    std::ofstream(dir / "generation_config.json") << R"({"eos_token_id": )" + bad + "}";
    EXPECT_NE(error_of().find("generation_config.json: field 'eos_token_id': expected token ids in [0, " +
                              std::to_string(vocab) + ")"),
              std::string::npos)
        << bad << ": " << error_of();
  }
  std::ofstream(dir / "generation_config.json") << R"({"bos_token_id": 1})";
  nlohmann::json config = nlohmann::json::parse(std::ifstream(dir / "config.json"));
  config["bos_token_id"] = vocab;
  std::ofstream(dir / "config.json") << config.dump();
  EXPECT_NE(error_of().find("config.json: field 'bos_token_id': expected token ids in [0, "), std::string::npos) << error_of();
  // A directory or a FIFO where a file belongs is named as such (a FIFO would block a plain open).
  std::filesystem::remove(dir / "config.json");
  std::filesystem::create_directory(dir / "config.json");
  EXPECT_NE(error_of().find("config.json: expected a regular file, not a directory"), std::string::npos) << error_of();
  std::filesystem::remove(dir / "config.json");
}

}  // namespace
}  // namespace r1eval::engine
