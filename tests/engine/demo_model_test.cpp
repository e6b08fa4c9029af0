// The committed demo model (tests/fixtures/demo_model, trained by tools/train_demo_model.py) in the CPU
// backend against the training script's own torch forward pass, on the sequences it recorded: a check that
// the config, weight names and layout mean to the engine what they meant in training.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "engine/backend/cpu/cpu_backend.h"
#include "engine/model/json_fields.h"
#include "engine/model/safetensors.h"
#include "engine/tokenizer/chat_template.h"
#include "engine/tokenizer/tokenizer.h"
#include "engine_test_support.h"

namespace r1eval::engine {
namespace {

std::filesystem::path demo_model() {
  return std::filesystem::path(R1EVAL_SOURCE_DIR) / "tests" / "fixtures" / "demo_model";
}

TEST(DemoModel, LogitsMatchTheTrainingScript) {
  const auto dir = demo_model();
  const auto json = nlohmann::json::parse(read_config_text((dir / "reference.json").string()));
  const auto sequences = json.at("sequences").get<std::vector<std::vector<std::int32_t>>>();
  const SafetensorsFile file((dir / "reference_logits.safetensors").string());
  const TensorView view = file.view(*file.find("logits"));
  std::vector<float> expected(view.numel());
  view.to_float(0, view.numel(), expected.data());

  CpuBackendOptions options;
  options.kv_cache_bytes = 4u << 20;
  CpuBackend backend(dir.string(), options);
  testing::SequenceDriver driver(backend, 16);
  const std::vector<float> logits = driver.step(sequences);
  ASSERT_EQ(logits.size(), expected.size());
  float worst = 0;
  for (std::size_t i = 0; i < logits.size(); ++i) worst = std::max(worst, std::fabs(logits[i] - expected[i]));
  RecordProperty("max_abs_diff", std::to_string(worst));
  EXPECT_LT(worst, 1e-4f);
}

// The prompt the engine builds (R1 template, <think> forced) is the prefix the model was trained on.
TEST(DemoModel, ChatPromptIsTheTrainedPrefix) {
  const Tokenizer tokenizer = Tokenizer::from_folder(demo_model());
  const auto json = nlohmann::json::parse(read_config_text((demo_model() / "reference.json").string()));
  const auto first = json.at("sequences").at(0).get<std::vector<std::uint32_t>>();
  const std::string text = tokenizer.decode(first);
  const std::string prompt_end = "<think>\n";
  const std::size_t cut = text.find(prompt_end);
  ASSERT_NE(cut, std::string::npos);
  const std::string user_start = "<\xEF\xBD\x9CUser\xEF\xBD\x9C>", assistant = "<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C>";
  const std::size_t u = text.find(user_start) + user_start.size();
  const std::string user = text.substr(u, text.find(assistant) - u);
  const auto ids = encode_chat(tokenizer, ChatTemplateKind::kR1Distill, {{"user", user}});
  ASSERT_LE(ids.size(), first.size());
  EXPECT_TRUE(std::equal(ids.begin(), ids.end(), first.begin()));
  EXPECT_EQ(tokenizer.decode(ids), text.substr(0, cut + prompt_end.size()));
}

// The training script's own BPE encoder gave the recorded ids; the engine's tokenizer must give the same ids
// for the same text, or the model would see at run time token sequences it was never trained on.
TEST(DemoModel, EngineTokenizerGivesTheTrainingIds) {
  const Tokenizer tokenizer = Tokenizer::from_folder(demo_model());
  const auto json = nlohmann::json::parse(read_config_text((demo_model() / "reference.json").string()));
  for (const auto& sequence : json.at("sequences")) {
    const auto ids = sequence.get<std::vector<std::uint32_t>>();
    EXPECT_EQ(tokenizer.encode(tokenizer.decode(ids), false), ids);
  }
}

}  // namespace
}  // namespace r1eval::engine
