// run.json's config: which changes a run folder accepts, and the fingerprints recorded beside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/run/provenance.h"
#include "harness/run/run_config.h"
#include "test_support.h"

namespace r1eval::harness::run {
namespace {

using ::testing::HasSubstr;

RunConfig sample_config() {
  RunConfig c;
  c.model = {{"config_json", "fnv1a64:0000000000000001"}, {"weights", nlohmann::json::array()}};
  c.seed = 5;
  c.limit = 2;
  c.tasks = {{"aime24", 4, {0.6, 0.95, 1000}, "fnv1a64:aa"}, {"math500", 2, {0.6, 0.95, 1000}, "fnv1a64:bb"}};
  return c;
}

std::string refusal(const nlohmann::json& recorded, const RunConfig& now, bool resume) {
  try {
    check_continuation(recorded, now, resume, "out/run.json");
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(RunConfig, SameConfigContinues) {
  const RunConfig c = sample_config();
  EXPECT_EQ(refusal(to_json(c), c, false), "");
  EXPECT_EQ(refusal(to_json(c), c, true), "");
}

TEST(RunConfig, AShardContinuesOnlyAsTheSameShardEvenWithResume) {
  RunConfig shard = sample_config();
  shard.shard = Shard{1, 4};
  EXPECT_EQ(refusal(to_json(shard), shard, false), "");
  RunConfig wider = shard;
  wider.limit = 0;
  EXPECT_EQ(refusal(to_json(shard), wider, true), "") << "a shard's extent may grow like a run's";
  RunConfig other = shard;
  other.shard = Shard{2, 4};
  for (const RunConfig& now : {other, sample_config()})
    for (bool resume : {false, true}) EXPECT_THAT(refusal(to_json(shard), now, resume), HasSubstr("'shard' differs"));
  EXPECT_THAT(refusal(to_json(sample_config()), shard, true), HasSubstr("'shard' differs"));
  EXPECT_EQ(first_difference(to_json(shard), to_json(other)), "shard.index");
  EXPECT_EQ(first_difference(to_json(shard), to_json(shard)), std::nullopt);
}

TEST(RunConfig, ExtentMayChangeOnlyWithResume) {
  const nlohmann::json recorded = to_json(sample_config());
  RunConfig wider = sample_config();
  wider.tasks[0].samples = 8;
  wider.limit = 0;
  wider.tasks.push_back({"aime25", 4, {0.6, 0.95, 1000}, "fnv1a64:cc"});
  const std::string refused = refusal(recorded, wider, false);
  EXPECT_THAT(refused, HasSubstr("out/run.json"));
  EXPECT_THAT(refused, HasSubstr("--resume"));
  EXPECT_EQ(std::count(refused.begin(), refused.end(), '\n'), 0);
  EXPECT_EQ(refusal(recorded, wider, true), "");
}

TEST(RunConfig, WhatDecidesTheTokensMustAlwaysMatch) {
  const nlohmann::json recorded = to_json(sample_config());
  RunConfig c = sample_config();
  c.tasks[1].settings.temperature = 0.7;
  EXPECT_THAT(refusal(recorded, c, true), HasSubstr("tasks.math500.temperature"));
  c = sample_config();
  c.tasks[0].dataset_hash = "fnv1a64:ff";
  EXPECT_THAT(refusal(recorded, c, true), HasSubstr("tasks.aime24.dataset"));
  c = sample_config();
  c.seed = 6;
  EXPECT_THAT(refusal(recorded, c, true), HasSubstr("'seed'"));
  c = sample_config();
  c.model["config_json"] = "fnv1a64:0000000000000002";
  EXPECT_THAT(refusal(recorded, c, true), HasSubstr("model.config_json"));
  EXPECT_THAT(refusal(nlohmann::json::array(), sample_config(), true), HasSubstr("'config'"));
}

TEST(RunConfig, AnEngineRunAndAnEndpointRunNeverContinueEachOther) {
  const RunConfig engine_run = sample_config();
  RunConfig endpoint_run = sample_config();
  endpoint_run.generator = "endpoint";
  endpoint_run.model = {{"url", "http://127.0.0.1:8000/v1"}, {"model", "tiny"}, {"api", "completions"}};
  for (const bool resume : {false, true}) {
    EXPECT_THAT(refusal(to_json(engine_run), endpoint_run, resume), HasSubstr("'generator' differs"));
    EXPECT_THAT(refusal(to_json(endpoint_run), engine_run, resume), HasSubstr("'generator' differs"));
  }
  EXPECT_EQ(refusal(to_json(endpoint_run), endpoint_run, false), "");
  RunConfig other_api = endpoint_run;
  other_api.model["api"] = "chat";
  EXPECT_THAT(refusal(to_json(endpoint_run), other_api, true), HasSubstr("'model.api' differs"));
}

TEST(Provenance, HashesFollowTheContent) {
  EXPECT_EQ(content_hash(""), "fnv1a64:cbf29ce484222325");  // the FNV-1a 64 offset basis
  EXPECT_EQ(content_hash("a"), "fnv1a64:af63dc4c8601ec8c");
  tasks::Problem p{"1", "What is 1+1?", "2", {}, {{"level", "1"}}, std::nullopt};
  const std::string before = dataset_hash({p});
  EXPECT_EQ(dataset_hash({p}), before);
  p.answer = "3";
  EXPECT_NE(dataset_hash({p}), before);
  // Field boundaries count: moving a character from one field to the next changes the hash.
  EXPECT_NE(dataset_hash({{"ab", "c", "", {}, {}, std::nullopt}}), dataset_hash({{"a", "bc", "", {}, {}, std::nullopt}}));
}

TEST(Provenance, ModelFingerprintListsWeights) {
  const auto model = testing::tiny_model("fingerprint");
  const nlohmann::json f = model_fingerprint(model);
  EXPECT_EQ(f["config_json"], content_hash(testing::read_text(model / "config.json")));
  ASSERT_GE(f["weights"].size(), 1u);
  EXPECT_EQ(f["weights"][0]["name"], "model.safetensors");
  EXPECT_EQ(f["weights"][0]["bytes"], std::filesystem::file_size(model / "model.safetensors"));
  // Another .safetensors beside the weights (reference logits) is not the model: the fingerprint stays.
  std::filesystem::copy_file(model / "model.safetensors", model / "reference_logits.safetensors",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(model_fingerprint(model), f);
  EXPECT_THROW(model_fingerprint(model / "missing"), std::invalid_argument);
  std::filesystem::remove(model / "config.json");
  EXPECT_THROW(model_fingerprint(model), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::harness::run
