#include "engine/model/generation_config.h"

#include <filesystem>

#include "engine/model/json_fields.h"

namespace r1eval::engine {

GenerationConfig parse_generation_config(const std::string& json_text, const std::string& label) {
  const nlohmann::json obj = parse_config_object(json_text, label);
  GenerationConfig config;
  config.temperature = json_number(obj, "temperature", label);
  config.top_p = json_number(obj, "top_p", label);
  config.top_k = json_int(obj, "top_k", label);
  config.do_sample = json_bool(obj, "do_sample", label);
  config.bos_token_id = json_int(obj, "bos_token_id", label);
  config.eos_token_ids = json_int_or_list(obj, "eos_token_id", label);
  return config;
}

GenerationConfig load_generation_config(const std::string& model_dir) {
  const std::string path = (std::filesystem::path(model_dir) / "generation_config.json").string();
  if (!std::filesystem::exists(path)) return {};
  return parse_generation_config(read_config_text(path), path);
}

}  // namespace r1eval::engine
