#include "engine/model/generation_config.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "engine/model/json_fields.h"

namespace r1eval::engine {

GenerationConfig parse_generation_config(const std::string& json_text, const std::string& label) {
  const nlohmann::json obj = parse_config_object(json_text, label);
  GenerationConfig config;
  // The ranges vLLM accepts in a request, where these serve as defaults; transformers treats top_k 0 as off.
  const auto refuse = [&](const char* field, const std::string& expected) {
    throw std::runtime_error(label + ": field '" + field + "': expected " + expected);
  };
  config.temperature = json_number(obj, "temperature", label);
  if (config.temperature && !(*config.temperature >= 0 && std::isfinite(*config.temperature)))
    refuse("temperature", "a finite number >= 0");
  config.top_p = json_number(obj, "top_p", label);
  if (config.top_p && !(*config.top_p > 0 && *config.top_p <= 1)) refuse("top_p", "a number in (0, 1]");
  config.top_k = json_int(obj, "top_k", label);
  if (config.top_k && (*config.top_k < -1 || *config.top_k > 0x7FFFFFFF))
    refuse("top_k", "-1 or 0 (off) or a positive 32-bit count");
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
