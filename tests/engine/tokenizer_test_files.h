#pragma once
// Shared by the tokenizer tests: the R1 distill tokenizer folders, materialised once per build under
// R1EVAL_TEST_TMP by the C++ converter (tests need no Python), and a per-process cache of the loaded
// tokenizers.
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/tokenizer_recipes.h"

namespace r1eval::engine::test {

inline std::filesystem::path shared_models_dir() { return std::filesystem::path(R1EVAL_SHARED_DATA) / "models"; }

inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Folder holding tokenizer.json + tokenizer_config.json for `recipe`; rebuilt when missing or older
// than this test program (so a changed converter is picked up).
inline std::filesystem::path materialised_tokenizer_dir(const TokenizerRecipe& recipe) {
  const std::filesystem::path dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizers" / recipe.name;
  const std::filesystem::path json = dir / "tokenizer.json";
  const std::filesystem::path config = dir / "tokenizer_config.json";
  std::error_code ec;
  const auto exe_time = std::filesystem::last_write_time("/proc/self/exe", ec);
  const bool stale = !std::filesystem::exists(json) || !std::filesystem::exists(config) ||
                     (!ec && std::filesystem::last_write_time(json) < exe_time);
  if (stale) write_tokenizer_folder(recipe, shared_models_dir(), dir);
  return dir;
}

// The loaded tokenizer of `recipe`, built once per process.
inline const Tokenizer& r1_tokenizer(const TokenizerRecipe& recipe) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Tokenizer>> loaded;
  std::lock_guard lock(mutex);
  auto& slot = loaded[recipe.name];
  if (!slot) slot = std::make_unique<Tokenizer>(Tokenizer::from_folder(materialised_tokenizer_dir(recipe)));
  return *slot;
}

inline const Tokenizer& qwen_tokenizer() { return r1_tokenizer(r1_distill_qwen_recipe()); }
inline const Tokenizer& llama_tokenizer() { return r1_tokenizer(r1_distill_llama_recipe()); }

}  // namespace r1eval::engine::test
