#include "harness/run/run_config.h"

#include <optional>
#include <stdexcept>

namespace r1eval::harness::run {
namespace {

nlohmann::json task_json(const TaskPlan& t) {
  return {{"name", t.name}, {"samples", t.samples}, {"temperature", t.settings.temperature},
          {"top_p", t.settings.top_p}, {"max_tokens", t.settings.max_tokens}, {"dataset", t.dataset_hash}};
}

// The path of the first leaf where a and b differ, or nullopt when equal.
std::optional<std::string> difference_below(const nlohmann::json& a, const nlohmann::json& b, const std::string& path) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, value] : a.items()) {
      const std::string sub = path.empty() ? key : path + "." + key;
      if (!b.contains(key)) return sub;
      if (auto d = difference_below(value, b.at(key), sub)) return d;
    }
    for (const auto& [key, value] : b.items())
      if (!a.contains(key)) return path.empty() ? key : path + "." + key;
    return std::nullopt;
  }
  if (a.is_array() && b.is_array()) {
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
      if (auto d = difference_below(a[i], b[i], path + "[" + std::to_string(i) + "]")) return d;
    if (a.size() != b.size()) return path + " (length)";
    return std::nullopt;
  }
  if (a == b) return std::nullopt;
  return path;
}

[[noreturn]] void refuse(const std::filesystem::path& run_json, const std::string& field, const std::string& advice) {
  throw std::invalid_argument(run_json.string() + ": the folder holds another run (config field '" + field +
                              "' differs); " + advice);
}

}  // namespace

std::optional<std::string> first_difference(const nlohmann::json& a, const nlohmann::json& b) {
  return difference_below(a, b, "");
}

nlohmann::json to_json(const RunConfig& c) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const TaskPlan& t : c.tasks) tasks.push_back(task_json(t));
  nlohmann::json out = {{"generator", c.generator}, {"chat_template", c.chat_template}, {"model", c.model},
          {"seed", c.seed}, {"limit", c.limit}, {"tasks", tasks}};
  if (c.shard) out["shard"] = {{"index", c.shard->index}, {"count", c.shard->count}};
  return out;
}


nlohmann::json as_recorded_then(nlohmann::json now, const nlohmann::json& recorded) {
  const nlohmann::json* old_weights = recorded.contains("model") && recorded.at("model").is_object() &&
                                              recorded.at("model").contains("weights")
                                          ? &recorded.at("model").at("weights")
                                          : nullptr;
  if (old_weights == nullptr || !old_weights->is_array() || !now.contains("model") || !now.at("model").is_object())
    return now;
  nlohmann::json& weights = now.at("model")["weights"];
  if (!weights.is_array()) return now;
  for (std::size_t i = 0; i < weights.size() && i < old_weights->size(); ++i)
    if (weights[i].is_object() && (*old_weights)[i].is_object() && !(*old_weights)[i].contains("sampled"))
      weights[i].erase("sampled");
  return now;
}

void check_continuation(const nlohmann::json& recorded, const RunConfig& current, bool resume,
                        const std::filesystem::path& run_json) {
  const nlohmann::json now = as_recorded_then(to_json(current), recorded);
  if (!recorded.is_object()) refuse(run_json, "config", "use a new --out");
  if (recorded.value("shard", nlohmann::json()) != now.value("shard", nlohmann::json()))
    refuse(run_json, "shard", "a shard's folder can only be continued by the same --shard; use a new --out");
  for (const char* key : {"generator", "chat_template", "model", "seed"}) {
    if (!recorded.contains(key)) refuse(run_json, key, "use a new --out");
    if (auto d = difference_below(recorded.at(key), now.at(key), key)) refuse(run_json, *d, "use a new --out");
  }
  if (!recorded.contains("tasks") || !recorded.at("tasks").is_array()) refuse(run_json, "tasks", "use a new --out");
  for (const TaskPlan& t : current.tasks) {
    for (const nlohmann::json& old : recorded.at("tasks")) {
      if (!old.is_object() || old.value("name", "") != t.name) continue;
      const nlohmann::json mine = task_json(t);
      for (const char* key : {"temperature", "top_p", "max_tokens", "dataset"}) {
        const std::string field = "tasks." + t.name + "." + key;
        if (!old.contains(key) || old.at(key) != mine.at(key)) refuse(run_json, field, "use a new --out");
      }
    }
  }
  if (resume) return;
  if (auto d = first_difference(recorded, now))
    refuse(run_json, *d, "use a new --out, or --resume to change the extent (tasks, samples, limit)");
}

}  // namespace r1eval::harness::run
