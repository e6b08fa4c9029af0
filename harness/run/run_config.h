// The configuration of a run as recorded in run.json, and whether an existing run folder may be continued.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/run/generator.h"
#include "harness/run/shard.h"

namespace r1eval::harness::run {

struct TaskPlan {
  std::string name;
  int samples = 1;              // k per problem
  GenerationSettings settings;
  std::string dataset_hash;     // of all the task's problems, before --limit
};

struct RunConfig {
  std::string generator = "engine";
  std::string chat_template = "r1-distill, <think> forced";
  nlohmann::json model;         // what identifies the weights (model_fingerprint without mtimes)
  std::uint64_t seed = 0;
  std::size_t limit = 0;        // first N problems per task; 0 = all
  std::vector<TaskPlan> tasks;
  std::optional<Shard> shard;   // this process runs only this shard's problems (see shard.h)
};

// run.json's "config"; "shard": {"index", "count"} only for a shard, so an unsharded run's config is the
// config of the whole run its shards merge into.
nlohmann::json to_json(const RunConfig& config);

// The path ("tasks[1].samples", "model.config_json", ...) of the first leaf where `a` and `b` differ, or
// nullopt when they are equal.
std::optional<std::string> first_difference(const nlohmann::json& a, const nlohmann::json& b);

// `now` as a folder written by an older version records it: the weights' sampled digest is left out where
// `recorded` has none (resume and merge compare such a folder without it).
nlohmann::json as_recorded_then(nlohmann::json now, const nlohmann::json& recorded);

// Throws std::invalid_argument (one line naming run_json and the first differing field) when the folder's
// recorded config `recorded` (run.json's "config") may not be continued by `current`. Fields that decide
// a sample's tokens (model, template, seed, each shared task's sampling and data) must always match; with
// `resume` the extent (tasks, samples, limit) may change, without it the whole config must match.
void check_continuation(const nlohmann::json& recorded, const RunConfig& current, bool resume,
                        const std::filesystem::path& run_json);

}  // namespace r1eval::harness::run
