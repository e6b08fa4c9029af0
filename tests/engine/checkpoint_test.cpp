#include "engine/model/checkpoint.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "engine/model/transformer_weights.h"
#include "engine_test_support.h"

namespace r1eval::engine {
namespace {

using testing::fixture_dir;
using testing::scratch_copy;

// Loads every rank-0 weight of `dir`; returns the one-line error, or "" when it loads.
std::string load_error(const std::filesystem::path& dir) {
  try {
    const ModelConfig config = load_model_config(dir.string());
    const Checkpoint checkpoint(dir.string());
    load_transformer_weights(checkpoint, config, ShardSpec{});
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  }
  return {};
}

TEST(Checkpoint, OpensSingleAndShardedFolders) {
  const Checkpoint single(fixture_dir("qwen2_fp32").string());
  EXPECT_EQ(single.files().size(), 1u);
  EXPECT_TRUE(single.contains("lm_head.weight"));
  const Checkpoint sharded(fixture_dir("llama_fp32_sharded").string());
  EXPECT_EQ(sharded.files().size(), 2u);
  EXPECT_TRUE(sharded.contains("model.embed_tokens.weight"));
  EXPECT_FALSE(sharded.contains("lm_head.weight"));  // tied
  EXPECT_EQ(sharded.names().size(), 1u + 2 * 9 + 1);
}

TEST(Checkpoint, AllFixturesLoad) {
  for (const char* model : {"qwen2_fp32", "qwen2_bf16", "llama_fp32_sharded", "llama_bias_fp16"}) {
    EXPECT_EQ(load_error(fixture_dir(model)), "") << model;
  }
}

TEST(Checkpoint, MissingTensorNamesFileAndTensor) {
  const auto dir = scratch_copy("qwen2_fp32", "missing");
  const auto path = dir / "model.safetensors";
  nlohmann::json header = testing::read_header(path);
  // Renamed rather than erased: its bytes stay covered, as a well-formed file's are (an erased entry is a gap,
  // which the header check refuses first).
  header["model.layers.1.mlp.up_proj.weight_renamed"] = header["model.layers.1.mlp.up_proj.weight"];
  header.erase("model.layers.1.mlp.up_proj.weight");
  testing::rewrite_header(path, header);
  EXPECT_EQ(load_error(dir), path.string() + ": missing tensor 'model.layers.1.mlp.up_proj.weight'");
}

TEST(Checkpoint, ShardMissingAnIndexedTensor) {
  const auto dir = scratch_copy("llama_fp32_sharded", "missing");
  const auto shard = dir / "model-00002-of-00002.safetensors";
  nlohmann::json header = testing::read_header(shard);
  const std::string victim = std::prev(header.end()).key();
  header[victim + "_renamed"] = header[victim];
  header.erase(victim);
  testing::rewrite_header(shard, header);
  const std::string message = load_error(dir);
  EXPECT_EQ(message.rfind(shard.string() + ": missing tensor '" + victim + "'", 0), 0u) << message;
}

TEST(Checkpoint, IndexLackingATensorNamesTheIndex) {
  const auto dir = scratch_copy("llama_fp32_sharded", "index");
  const auto index_path = dir / "model.safetensors.index.json";
  nlohmann::json index = nlohmann::json::parse(testing::read_file(index_path));
  index["weight_map"].erase("model.norm.weight");
  testing::write_file(index_path, index.dump());
  EXPECT_EQ(load_error(dir), index_path.string() + ": missing tensor 'model.norm.weight'");
}

TEST(Checkpoint, IndexPointingOutsideTheFolderIsRefused) {
  const auto dir = scratch_copy("llama_fp32_sharded", "escape");
  const auto index_path = dir / "model.safetensors.index.json";
  nlohmann::json index = nlohmann::json::parse(testing::read_file(index_path));
  index["weight_map"]["model.norm.weight"] = "../model-00001-of-00002.safetensors";
  testing::write_file(index_path, index.dump());
  EXPECT_NE(load_error(dir).find("is not a file name in the model folder"), std::string::npos);
}

TEST(Checkpoint, ShapeNotMatchingConfigNamesTensor) {
  const auto dir = scratch_copy("qwen2_fp32", "shape");
  nlohmann::json config = nlohmann::json::parse(testing::read_file(dir / "config.json"));
  config["intermediate_size"] = 128;
  testing::write_file(dir / "config.json", config.dump());
  EXPECT_EQ(load_error(dir), (dir / "model.safetensors").string() +
                                 ": tensor 'model.layers.0.mlp.gate_proj.weight': shape [96,64] but the config needs [128,64]");
}

// Fine-tunes are often saved in fp32 under a declared bfloat16; transformers loads them (casting), and so does
// the loader (reading every float dtype as float): the weights are those stored.
TEST(Checkpoint, MatricesStoredInAnotherFloatDtypeThanDeclaredAreRead) {
  const auto dir = scratch_copy("qwen2_fp32", "dtype");
  nlohmann::json config = nlohmann::json::parse(testing::read_file(dir / "config.json"));
  config["torch_dtype"] = "bfloat16";
  testing::write_file(dir / "config.json", config.dump());
  EXPECT_EQ(load_error(dir), "");
  const Checkpoint original(fixture_dir("qwen2_fp32").string());
  const Checkpoint declared_bf16(dir.string());
  const TransformerWeights wa =
      load_transformer_weights(original, load_model_config(fixture_dir("qwen2_fp32").string()), ShardSpec{});
  const TransformerWeights wb = load_transformer_weights(declared_bf16, load_model_config(dir.string()), ShardSpec{});
  EXPECT_EQ(wa.layers.at(0).gate.weight, wb.layers.at(0).gate.weight);
  EXPECT_EQ(wa.embed, wb.embed);
}

// A config that says tied over a file whose lm_head.weight differs from the embedding: transformers (5.x)
// uses the stored head rather than tying, and so does the loader.
TEST(Checkpoint, AStoredHeadThatDiffersFromATiedEmbeddingIsUsed) {
  const auto dir = scratch_copy("qwen2_fp32", "tied_with_head");
  const ModelConfig untied_config = load_model_config(dir.string());
  ASSERT_FALSE(untied_config.tie_word_embeddings);
  nlohmann::json config = nlohmann::json::parse(testing::read_file(dir / "config.json"));
  config["tie_word_embeddings"] = true;
  testing::write_file(dir / "config.json", config.dump());
  const Checkpoint checkpoint(dir.string());
  const TransformerWeights untied = load_transformer_weights(checkpoint, untied_config, ShardSpec{});
  const TransformerWeights tied = load_transformer_weights(checkpoint, load_model_config(dir.string()), ShardSpec{});
  ASSERT_FALSE(untied.lm_head.empty());
  EXPECT_EQ(tied.lm_head, untied.lm_head);
  EXPECT_FALSE(tied.config.tie_word_embeddings);
}

TEST(Checkpoint, HeaderOffsetsOutsideFileNameTensor) {
  const auto dir = scratch_copy("qwen2_fp32", "offsets");
  const auto path = dir / "model.safetensors";
  nlohmann::json header = testing::read_header(path);
  header["model.norm.weight"]["data_offsets"] = {1000000000, 1000000256};
  testing::rewrite_header(path, header);
  const std::string message = load_error(dir);
  EXPECT_EQ(message.rfind(path.string() + ": tensor 'model.norm.weight': data_offsets end 1000000256 beyond", 0), 0u)
      << message;
}

TEST(Checkpoint, OverlappingTensorsNameBoth) {
  const auto dir = scratch_copy("qwen2_fp32", "overlap");
  const auto path = dir / "model.safetensors";
  nlohmann::json header = testing::read_header(path);
  const std::uint64_t begin = header["model.embed_tokens.weight"]["data_offsets"][0].get<std::uint64_t>();
  header["model.norm.weight"]["data_offsets"] = {begin, begin + 256};
  testing::rewrite_header(path, header);
  const std::string message = load_error(dir);
  EXPECT_NE(message.find("overlap"), std::string::npos) << message;
  EXPECT_NE(message.find("model.norm.weight"), std::string::npos) << message;
  EXPECT_NE(message.find("model.embed_tokens.weight"), std::string::npos) << message;
}

TEST(Checkpoint, UnknownArchitectureNamed) {
  const auto dir = scratch_copy("qwen2_fp32", "arch");
  nlohmann::json config = nlohmann::json::parse(testing::read_file(dir / "config.json"));
  config["architectures"] = {"GPT2LMHeadModel"};
  testing::write_file(dir / "config.json", config.dump());
  EXPECT_NE(load_error(dir).find("unsupported architecture 'GPT2LMHeadModel'"), std::string::npos);
}

TEST(Checkpoint, NoWeightsInFolder) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "engine" / "empty-model";
  std::filesystem::create_directories(dir);
  EXPECT_THROW(Checkpoint(dir.string()), std::runtime_error);
}

TEST(TransformerWeights, ShardsCoverTheFullModel) {
  const auto dir = fixture_dir("qwen2_fp32");
  const ModelConfig config = load_model_config(dir.string());
  const Checkpoint checkpoint(dir.string());
  const TransformerWeights full = load_transformer_weights(checkpoint, config, ShardSpec{0, 1});
  std::vector<float> gate;
  std::int64_t vocab = 0;
  for (int rank = 0; rank < 2; ++rank) {
    const TransformerWeights part = load_transformer_weights(checkpoint, config, ShardSpec{rank, 2});
    EXPECT_EQ(part.local_q_heads, 2);
    EXPECT_EQ(part.local_kv_heads, 1);
    gate.insert(gate.end(), part.layers[1].gate.weight.begin(), part.layers[1].gate.weight.end());
    vocab += part.vocab.size();
    // Row-parallel: each rank holds all output rows, a slice of the inputs.
    EXPECT_EQ(part.layers[0].o.out, 64);
    EXPECT_EQ(part.layers[0].o.in, 32);
  }
  EXPECT_EQ(gate, full.layers[1].gate.weight);
  EXPECT_EQ(vocab, 256);
  // More ranks than key/value heads: each rank holds a replica of the one its query heads use.
  const TransformerWeights quarter = load_transformer_weights(checkpoint, config, ShardSpec{3, 4});
  EXPECT_EQ(quarter.local_kv_heads, 1);
  EXPECT_EQ(quarter.layers[0].k.weight,
            std::vector<float>(full.layers[0].k.weight.begin() + 16 * 64, full.layers[0].k.weight.end()));
  EXPECT_THROW(load_transformer_weights(checkpoint, config, ShardSpec{0, 3}), std::runtime_error);
}

}  // namespace
}  // namespace r1eval::engine
