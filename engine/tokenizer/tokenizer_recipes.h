#pragma once
// Recipes that rebuild the Hugging Face tokenizer files of the DeepSeek-R1 distills from tiktoken
// rank files (the files themselves are not redistributable here). Used by tests and tools; the
// engine itself loads whatever tokenizer.json a model folder holds.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/tokenizer/tiktoken_convert.h"

namespace r1eval::engine {

struct TokenizerRecipe {
  std::string name;                // folder name, e.g. "DeepSeek-R1-Distill-Qwen"
  std::string ranks_file;          // tiktoken file, relative to the models folder
  std::string chat_template_file;  // relative to the models folder
  std::string pattern;             // pre-tokenizer Split regex
  bool nfc = false;
  bool ignore_merges = false;
  MergeDerivation derivation = MergeDerivation::kReplayBpe;
  struct Added {
    std::string content;
    bool special;
  };
  std::vector<Added> added;  // ids follow the ranks: first added token = number of ranks
  std::string bos, eos, pad;
  int model_max_length = 16384;
};

const TokenizerRecipe& r1_distill_qwen_recipe();
const TokenizerRecipe& r1_distill_llama_recipe();

// The tokenizer.json content HF `tokenizers` saves for this recipe (see tools/make_tokenizer_json.py,
// which builds the same file with the Python library).
nlohmann::json make_tokenizer_json(const std::vector<std::string>& ranks, const TokenizerRecipe& recipe);

// The tokenizer_config.json content: bos/eos/pad, add_bos_token = true, the chat template.
nlohmann::json make_tokenizer_config(const TokenizerRecipe& recipe, const std::string& chat_template);

// Writes tokenizer.json and tokenizer_config.json for `recipe` into `out_dir` (created if needed),
// reading the ranks and template under `models_dir`. Each file is written to a temporary name and
// renamed, so readers never see a partial file. Throws TokenizerError.
void write_tokenizer_folder(const TokenizerRecipe& recipe, const std::filesystem::path& models_dir,
                            const std::filesystem::path& out_dir);

}  // namespace r1eval::engine
