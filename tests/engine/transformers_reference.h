// What transformers computed for a fixture model (tools/make_tiny_checkpoints.py): its reference.json (the
// sequences, a greedy prompt and its continuation) and reference_logits.safetensors (every position's logits).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/model/json_fields.h"
#include "engine/model/safetensors.h"
#include "engine_test_support.h"

namespace r1eval::engine::testing {

struct TransformersReference {
  std::vector<std::vector<std::int32_t>> sequences;
  std::vector<std::int32_t> greedy_prompt;
  std::vector<std::int32_t> greedy_continuation;
  std::vector<float> logits;  // [sum of sequence lengths, vocab]
  // transformers' own bf16 run against these fp32 logits (per-row relative L2 error), where the fixture records it.
  std::optional<float> bf16_worst_row, bf16_mean_row;
};

inline TransformersReference load_transformers_reference(const std::string& model) {
  const auto dir = fixture_dir(model);
  const nlohmann::json json = nlohmann::json::parse(read_config_text((dir / "reference.json").string()));
  TransformersReference ref;
  ref.sequences = json.at("sequences").get<std::vector<std::vector<std::int32_t>>>();
  ref.greedy_prompt = json.at("greedy_prompt").get<std::vector<std::int32_t>>();
  ref.greedy_continuation = json.at("greedy_continuation").get<std::vector<std::int32_t>>();
  if (const auto it = json.find("transformers_bf16_row_error"); it != json.end()) {
    ref.bf16_worst_row = it->at("worst").get<float>();
    ref.bf16_mean_row = it->at("mean").get<float>();
  }
  const SafetensorsFile file((dir / "reference_logits.safetensors").string());
  const TensorView logits = file.view(*file.find("logits"));
  ref.logits.resize(logits.numel());
  logits.to_float(0, logits.numel(), ref.logits.data());
  return ref;
}

}  // namespace r1eval::engine::testing
