// generation_config.json: the sampling defaults a checkpoint ships with.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace r1eval::engine {

struct GenerationConfig {
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<std::int64_t> top_k;
  std::optional<bool> do_sample;
  std::optional<std::int64_t> bos_token_id;
  std::vector<std::int64_t> eos_token_ids;
};

// Parses generation_config.json text; absent fields stay empty. Throws std::runtime_error with one line
// "<label>: field ...: expected ..." on a field of the wrong type.
GenerationConfig parse_generation_config(const std::string& json_text, const std::string& label);
// Reads `<model_dir>/generation_config.json`; an absent file gives an empty GenerationConfig.
GenerationConfig load_generation_config(const std::string& model_dir);

}  // namespace r1eval::engine
